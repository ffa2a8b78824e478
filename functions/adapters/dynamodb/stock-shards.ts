import { TransientError } from '../../contracts/errors';
import { keys } from '../../contracts/keys';
import {
  applyBucketChanges,
  type BucketChange,
  emptyRetiredShards,
  planRebalance,
  planRedistribution,
  type ShardFigures,
} from '../../core/stock-shards';
import type { TableRef } from './client';
import { isConditionalCheckFailed, isTransactionRace as isRace, transactWrite } from './items';
import { queryAll } from './query';
import { pause } from './reservations';
import { getStock, type StockRecord, stockChangeItems, type TransactItem } from './stock';

const switchAttempts = 6;

export type SetStockShardsResult =
  | { readonly outcome: 'saved'; readonly stock: StockRecord }
  | { readonly outcome: 'not-found' };

/**
 * Switches a SKU at a location to `shardCount` shards (1 = back to one item). The `available` units are
 * redistributed in one transaction with the new count: each take conditioned on the bucket still having the
 * units, the head on the count and units it was read with, so units are moved, never lost or made. Reserved
 * units stay where they are: their holds give them back to that shard, and a shard beyond the new count
 * (retired) is folded into the others by the rebalancer once its holds are gone.
 */
export async function setStockShards(
  table: TableRef,
  sku: string,
  locationId: string,
  shardCount: number,
  now: Date,
): Promise<SetStockShardsResult> {
  for (let attempt = 1; attempt <= switchAttempts; attempt++) {
    const current = await getStock(table, sku, locationId);
    if (!current) return { outcome: 'not-found' };
    const changes = planRedistribution(current.buckets, shardCount);
    if (changes.length === 0 && current.shardCount === shardCount)
      return { outcome: 'saved', stock: current };
    const at = now.toISOString();
    try {
      await transactWrite(table, 'setStockShards', [
        headItem(table, current, changes, at, {
          shardCount,
          shardSlots: shardSlotsFor(shardCount, current.buckets.shards),
        }),
        ...shardItems(table, current, changes, at),
        // Listed for the rebalancer while any shard item exists; it removes the entry once none is left.
        {
          Put: {
            TableName: table.tableName,
            Item: { ...keys.shardedStock(sku, locationId), entity: 'shardedStock', sku, locationId },
          },
        },
      ]);
      const buckets = applyBucketChanges({ ...current.buckets, shardCount }, changes);
      return { outcome: 'saved', stock: { ...current, shardCount, buckets, updatedAt: at } };
    } catch (error) {
      if (!isRace(error)) throw error;
      await pause(attempt);
    }
  }
  throw new TransientError(`switching ${sku} at ${locationId} to ${shardCount} shards kept racing`);
}

export interface RebalanceResult {
  /** (SKU, location) pairs looked at. */
  readonly checked: number;
  /** Pairs whose units were moved. */
  readonly rebalanced: number;
  /** Units moved between buckets. */
  readonly moved: number;
  /** Pairs skipped because stock changed while planning (the next run tries again). */
  readonly conflicts: number;
}

/**
 * The periodic rebalancer: for every (SKU, location) with shard items, evens the active shards, spreads units
 * received or counted onto the head, settles a head debt, folds retired shards in and deletes the empty ones.
 * One transaction per pair, conditioned like `setStockShards`; losing a race to reservations is fine, the
 * next run tries again (reservations are correct without it: they probe every bucket).
 */
export async function rebalanceStockShards(table: TableRef, now: Date): Promise<RebalanceResult> {
  const totals = { checked: 0, rebalanced: 0, moved: 0, conflicts: 0 };
  for (const entry of await listShardedStock(table)) {
    totals.checked++;
    const outcome = await rebalanceStock(table, entry.sku, entry.locationId, now);
    if (outcome.kind === 'rebalanced') {
      totals.rebalanced++;
      totals.moved += outcome.moved;
    }
    if (outcome.kind === 'conflict') totals.conflicts++;
  }
  return totals;
}

type RebalanceOutcome =
  | { readonly kind: 'balanced' | 'conflict' | 'unlisted' }
  | { readonly kind: 'rebalanced'; readonly moved: number };

export async function rebalanceStock(
  table: TableRef,
  sku: string,
  locationId: string,
  now: Date,
): Promise<RebalanceOutcome> {
  const current = await getStock(table, sku, locationId);
  if (!current || (current.shardCount <= 1 && current.buckets.shards.length === 0)) {
    await unlist(table, sku, locationId);
    return { kind: 'unlisted' };
  }
  const changes = planRebalance(current.buckets);
  const empty = emptyRetiredShards(current.buckets);
  if (changes.length === 0 && empty.length === 0) return { kind: 'balanced' };
  const at = now.toISOString();
  try {
    await transactWrite(table, 'rebalanceStock', [
      headItem(table, current, changes, at, {
        shardCount: current.shardCount,
        shardSlots: shardSlotsFor(
          current.shardCount,
          current.buckets.shards.filter((shard) => !empty.includes(shard.shard)),
        ),
      }),
      ...shardItems(table, current, changes, at),
      ...empty.map(
        (shard): TransactItem => ({
          Delete: {
            TableName: table.tableName,
            Key: keys.stockShard(sku, locationId, shard),
            // Still empty: a hold that took from it since would have left `reserved` above zero.
            ConditionExpression: 'available = :zero AND reserved = :zero',
            ExpressionAttributeValues: { ':zero': 0 },
          },
        }),
      ),
    ]);
  } catch (error) {
    if (isRace(error)) return { kind: 'conflict' };
    throw error;
  }
  // Back to one item and the last shard item gone: nothing left for the rebalancer here.
  if (current.shardCount <= 1 && empty.length === current.buckets.shards.length)
    await unlist(table, sku, locationId);
  const moved = changes.reduce((sum, change) => sum + Math.max(0, change.available), 0);
  return { kind: 'rebalanced', moved };
}

async function listShardedStock(table: TableRef): Promise<{ sku: string; locationId: string }[]> {
  const items = await queryAll(table, 'listShardedStock', {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.shardedStockPartition },
  });
  return items.map((item) => ({ sku: String(item.sku), locationId: String(item.locationId) }));
}

/** Drops the rebalancer's entry, unless the stock was sharded again meanwhile. */
async function unlist(table: TableRef, sku: string, locationId: string): Promise<void> {
  const head = keys.stock(sku, locationId);
  try {
    await transactWrite(table, 'unlistShardedStock', [
      { Delete: { TableName: table.tableName, Key: keys.shardedStock(sku, locationId) } },
      {
        ConditionCheck: {
          TableName: table.tableName,
          Key: head,
          ConditionExpression: 'attribute_not_exists(shardCount) OR shardCount <= :one',
          ExpressionAttributeValues: { ':one': 1 },
        },
      },
    ]);
  } catch (error) {
    if (!isRace(error) && !isConditionalCheckFailed(error)) throw error;
  }
}

/**
 * How many shard keys a read must cover (keys.stockShard): the active shards and every shard item that stays
 * (retired ones still holding units). Shard items are only created below this: a reservation takes from
 * shards it read, a release returns units to a shard whose `reserved` keeps it from being deleted.
 */
const shardSlotsFor = (shardCount: number, remaining: readonly ShardFigures[]): number =>
  Math.max(shardCount > 1 ? shardCount : 0, ...remaining.map((shard) => shard.shard + 1));

/**
 * The head's write: its share of the moved units, the shard count and the shard slots. Conditioned on the
 * count and the head's `available` as read, so a concurrent switch, count or receipt makes the plan re-read.
 */
function headItem(
  table: TableRef,
  current: StockRecord,
  changes: readonly BucketChange[],
  at: string,
  next: { readonly shardCount: number; readonly shardSlots: number },
): TransactItem {
  const delta = changes.find((change) => change.bucket === 'head')?.available ?? 0;
  return {
    Update: {
      TableName: table.tableName,
      Key: keys.stock(current.sku, current.locationId),
      UpdateExpression:
        'SET shardCount = :count, shardSlots = :slots, available = available + :delta, updatedAt = :now',
      // Stock never sharded has no count attribute: that reads as 1.
      ConditionExpression: `${current.shardCount === 1 ? '(attribute_not_exists(shardCount) OR shardCount = :previous)' : 'shardCount = :previous'} AND available = :available`,
      ExpressionAttributeValues: {
        ':count': next.shardCount,
        ':slots': next.shardSlots,
        ':delta': delta,
        ':now': at,
        ':previous': current.shardCount,
        ':available': current.buckets.head.available,
      },
    },
  };
}

const shardItems = (table: TableRef, current: StockRecord, changes: readonly BucketChange[], at: string) =>
  stockChangeItems(
    table,
    current.sku,
    current.locationId,
    changes.filter((change) => change.bucket !== 'head'),
    at,
  );
