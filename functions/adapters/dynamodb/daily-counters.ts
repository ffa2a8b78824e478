import type { TableRef } from './client';
import type { TransactItem } from './items';
import { queryAll } from './query';

/**
 * Counters per day, spread over shards (docs/operations.md): each counted event adds to them in the same
 * transaction that applies it, so an event applied once is counted once, and a report sums a range of days
 * in one query. Transactions writing one item at once conflict (TransactionConflict): spread over 16 items
 * by the counted subject (a shipment, a return), concurrent events rarely meet.
 */
export const counterShards = 16;
export const counterShardOf = (subject: string) =>
  [...subject].reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) % 65_521, 7) % counterShards;

/** Adds to counters of one day's shard; counters of zero are left out (nothing to add: no write at all). */
export function dailyCountersAdd(
  table: TableRef,
  key: { readonly pk: string; readonly sk: string },
  entity: string,
  add: Readonly<Record<string, number>>,
): TransactItem[] {
  const counted = Object.entries(add).filter(([, value]) => value !== 0);
  if (counted.length === 0) return [];
  return [
    {
      Update: {
        TableName: table.tableName,
        Key: key,
        UpdateExpression: `SET entity = :entity ADD ${counted.map((_, index) => `#c${index} :c${index}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(counted.map(([name], index) => [`#c${index}`, name])),
        ExpressionAttributeValues: {
          ':entity': entity,
          ...Object.fromEntries(counted.map(([, value], index) => [`:c${index}`, value])),
        },
      },
    },
  ];
}

/** Every counter of the days between two sort keys (their shards included), summed, in one query. */
export async function sumDailyCounters(
  table: TableRef,
  operation: string,
  range: { readonly pk: string; readonly fromSk: string; readonly toSk: string },
): Promise<Record<string, number>> {
  const items = await queryAll(table, operation, {
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': range.pk, ':from': range.fromSk, ':to': range.toSk },
  });
  const sums: Record<string, number> = {};
  for (const item of items)
    for (const [name, value] of Object.entries(item))
      if (typeof value === 'number') sums[name] = (sums[name] ?? 0) + value;
  return sums;
}
