import type { TableRef } from '../adapters/dynamodb/client';
import { countOnce, type KpiPartition } from '../adapters/dynamodb/kpi-counters';
import { orderKpiCountsOf } from '../core/order-kpis';
import { type ChangedItem, type KpiCount, kpiCountsOf } from '../core/return-kpis';

/**
 * The KPI counters (docs/operations.md, "KPIs"), kept from the table's stream like the channel events: each
 * committed fact (an order placed or reaching a status, a delivery, a return request) is counted once, after
 * it committed and apart from it, so the hot counter items never join (and never fail) a business
 * transaction. Answers the facts it counted now (not those counted before), for the metrics.
 */
export async function countKpis(
  table: TableRef,
  changes: readonly { readonly before?: ChangedItem; readonly after?: ChangedItem }[],
  now: Date,
): Promise<KpiCount[]> {
  const facts: [KpiPartition, KpiCount][] = changes.flatMap((change) => [
    ...kpiCountsOf(change.before, change.after).map((count): [KpiPartition, KpiCount] => ['RETURNS', count]),
    ...orderKpiCountsOf(change.before, change.after).map((count): [KpiPartition, KpiCount] => [
      'ORDERS',
      count,
    ]),
  ]);
  const counted: KpiCount[] = [];
  for (const [kpi, count] of facts) if (await countOnce(table, kpi, count, now)) counted.push(count);
  return counted;
}
