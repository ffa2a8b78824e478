import { keys } from '../../contracts/keys';
import type { KpiCount } from '../../core/return-kpis';
import type { TableRef } from './client';
import { counterShardOf, counterShards, dailyCountersAdd, sumDailyCounters } from './daily-counters';
import { cancellationCodes, transactWrite } from './items';

/** The KPIs kept as daily counters from the table's stream (docs/operations.md, "KPIs"). */
export type KpiPartition = 'RETURNS' | 'ORDERS';

/** How long a counted fact's mark is kept: far longer than the stream keeps records (24 h) to be replayed. */
const markRetentionSeconds = 7 * 24 * 3600;

/**
 * Adds a fact's counts to its day's shard, once: the fact's mark is written in the same transaction,
 * conditioned on not being there, so a stream batch retried after this commits counts nothing twice.
 * False when it was counted before.
 */
export async function countOnce(
  table: TableRef,
  kpi: KpiPartition,
  count: KpiCount,
  now: Date,
): Promise<boolean> {
  try {
    await transactWrite(table, 'countKpis', [
      {
        Put: {
          TableName: table.tableName,
          Item: {
            ...keys.kpiMark(count.subject),
            entity: 'kpiMark',
            expiresAtEpoch: Math.floor(now.getTime() / 1000) + markRetentionSeconds,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      ...dailyCountersAdd(
        table,
        keys.kpiDay(kpi, count.day, counterShardOf(count.subject)),
        'kpiCounters',
        count.counters,
      ),
    ]);
    return true;
  } catch (error) {
    if (cancellationCodes(error)[0] === 'ConditionalCheckFailed') return false;
    throw error;
  }
}

/** A KPI's counters of the days from `fromDay` to `toDay` (UTC dates), summed. */
export const loadKpiCounters = (
  table: TableRef,
  kpi: KpiPartition,
  window: { readonly fromDay: string; readonly toDay: string },
) =>
  sumDailyCounters(table, 'loadKpiCounters', {
    pk: keys.kpiDay(kpi, window.fromDay, 0).pk,
    fromSk: keys.kpiDay(kpi, window.fromDay, 0).sk,
    toSk: keys.kpiDay(kpi, window.toDay, counterShards - 1).sk,
  });
