import type { TableRef } from '../adapters/dynamodb/client';
import { countOnce } from '../adapters/dynamodb/return-kpis';
import { type ChangedItem, kpiCountsOf } from '../core/return-kpis';

/**
 * The returns KPI counters (docs/returns.md), kept from the table's stream like the channel events: each
 * committed delivery, collection or return request is counted once, after it committed and apart from it, so
 * the hot counter items never join (and never fail) a business transaction. Answers how many facts it counted.
 */
export async function countReturnKpis(
  table: TableRef,
  changes: readonly { readonly before?: ChangedItem; readonly after?: ChangedItem }[],
  now: Date,
): Promise<number> {
  let counted = 0;
  for (const count of changes.flatMap((change) => kpiCountsOf(change.before, change.after)))
    if (await countOnce(table, count, now)) counted++;
  return counted;
}
