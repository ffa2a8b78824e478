import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { keys } from '../../contracts/keys';
import { replenishmentStatusSchema, type StockBody } from '../../contracts/schemas';
import type { ReorderPolicy } from '../../core/replenishment';
import { applyCycleCount, availableToPromise, type StockFigures } from '../../core/stock';
import {
  applyBucketChanges,
  type BucketChange,
  bucketTotals,
  holdParts,
  planCountAdjustment,
  type ShardFigures,
  type StockBuckets,
} from '../../core/stock-shards';
import { callAws } from '../errors';
import { pause } from './backoff';
import { batchGetItems } from './batch-get';
import type { TableRef } from './client';
import {
  compact,
  isConditionalCheckFailed,
  isTransactionRace,
  type TransactItem,
  transactWrite,
} from './items';
import { queryAll } from './query';

export type { TransactItem } from './items';

/** Stock of a SKU at a location, summed over its head and shards (`reserved` and `available` are totals). */
export interface StockRecord extends StockFigures, ReorderPolicy {
  readonly sku: string;
  readonly locationId: string;
  /** `onHand − reserved − safetyStock`, stored per bucket; reservations are conditioned on a bucket's. */
  readonly available: number;
  /** 1 when not sharded. */
  readonly shardCount: number;
  /** The head's and each shard item's own figures, for reservations, releases and rebalancing. */
  readonly buckets: StockBuckets;
  /** Returned units found damaged here (docs/returns.md): never available, cleared only by a write-off. */
  readonly damaged: number;
  readonly updatedAt: string;
}

export interface SupplierStockRecord {
  readonly supplierId: string;
  readonly sku: string;
  readonly available: number;
  readonly leadTimeDays: number;
  readonly unitCost?: number;
  readonly feedSeq: number;
  readonly updatedAt: string;
}

/** Stock of a SKU at one location: its head, then its shard items (withShardItems). */
export async function getStock(
  table: TableRef,
  sku: string,
  locationId: string,
): Promise<StockRecord | undefined> {
  const { Item } = await callAws('getStock', () =>
    table.document.send(
      new GetCommand({ TableName: table.tableName, Key: keys.stock(sku, locationId), ConsistentRead: true }),
    ),
  );
  return Item ? toStockRecords(await withShardItems(table, [Item]))[0] : undefined;
}

/**
 * The items with the shard items of every head among them. Shards live in partitions of their own
 * (keys.stockShard), so they are read by key: a head's `shardSlots` covers every shard item that may exist
 * (active ones and retired ones not yet deleted; stock-shards.ts keeps it so). Unsharded stock costs no
 * read; sharded stock one consistent BatchGetItem for all its locations, which is the price of shards that
 * each have a partition's write throughput.
 */
async function withShardItems(
  table: TableRef,
  items: readonly Record<string, unknown>[],
): Promise<Record<string, unknown>[]> {
  const shardKeys = items.flatMap((item) =>
    item.shard === undefined && Number(item.shardSlots ?? 0) > 0
      ? Array.from({ length: Number(item.shardSlots) }, (_, shard) =>
          keys.stockShard(String(item.sku), String(item.locationId), shard),
        )
      : [],
  );
  if (shardKeys.length === 0) return [...items];
  return [...items, ...(await batchGetItems(table, 'getStockShards', shardKeys, { consistentRead: true }))];
}

/** A stock record as clients see it (docs/api.md): `available` is what can be promised, net of safety stock. */
export function stockFiguresView(stock: StockRecord) {
  return {
    sku: stock.sku,
    locationId: stock.locationId,
    onHand: stock.onHand,
    reserved: stock.reserved,
    available: availableToPromise(stock),
    inbound: stock.inbound,
    safetyStock: stock.safetyStock,
    damaged: stock.damaged,
    updatedAt: stock.updatedAt,
  };
}

/** The replenishment slot of a SKU at a location (`SKU#<sku>` / `REPLENISHMENT#<locationId>`). */
export const replenishmentSlotSchema = z.object({
  sku: z.string(),
  locationId: z.string(),
  status: replenishmentStatusSchema,
  /** Numbers the replenishments of this (sku, location); the OPEN one's execution is named after it. */
  seq: z.number().int().positive(),
  poId: z.string().optional(),
  openedAt: z.string().optional(),
  closedAt: z.string().optional(),
  updatedAt: z.string(),
});
export type ReplenishmentSlot = z.infer<typeof replenishmentSlotSchema>;

export interface SkuPartition {
  readonly stock: StockRecord[];
  readonly suppliers: SupplierStockRecord[];
  readonly replenishments: ReplenishmentSlot[];
}

/** Everything the SKU partition holds: stock and replenishment per location, supplier availability; one Query. */
export async function querySkuPartition(table: TableRef, sku: string): Promise<SkuPartition> {
  const stockItems: Record<string, unknown>[] = [];
  const suppliers: SupplierStockRecord[] = [];
  const replenishments: ReplenishmentSlot[] = [];
  const items = await queryAll(table, 'querySku', {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.skuPartition(sku) },
    ConsistentRead: true,
  });
  for (const item of items) {
    const sortKey = String(item.sk);
    // Heads only: their shard items live in partitions of their own (withShardItems).
    if (sortKey.startsWith(keys.stockPrefix)) {
      if (item.shard === undefined) stockItems.push(item);
    } else if (sortKey.startsWith(keys.supplierStockPrefix)) suppliers.push(toSupplierStockRecord(item));
    else if (sortKey.startsWith(keys.replenishmentPrefix))
      replenishments.push(replenishmentSlotSchema.parse(item));
  }
  return { stock: toStockRecords(await withShardItems(table, stockItems)), suppliers, replenishments };
}

export type CycleCountResult =
  | { readonly outcome: 'saved'; readonly stock: StockRecord }
  | { readonly outcome: 'below-reserved'; readonly reserved: number };

/** Cycle counts race reservations on the same item: retried with jittered backoff, a few more times. */
const cycleCountAttempts = 8;

/**
 * Sets counted on-hand and safety stock, and the SKU's own reorder settings when given (`null` removes one,
 * omitted keeps it). Optimistic: the head's write is conditioned on the figures it read,
 * so a reservation, pick or receipt landing in between makes it re-read and decide again instead of breaking
 * `reserved ≤ onHand`. On sharded stock the change of `available` is planned over the buckets
 * (`planCountAdjustment`): a lower count takes units out of the shards, conditioned like a reservation.
 */
export async function recordCycleCount(
  table: TableRef,
  sku: string,
  locationId: string,
  count: StockBody,
  now: Date,
): Promise<CycleCountResult> {
  for (let attempt = 1; attempt <= cycleCountAttempts; attempt++) {
    const current = await getStock(table, sku, locationId);
    const decision = applyCycleCount(current, count);
    if (!decision.accepted) return { outcome: 'below-reserved', reserved: decision.reserved };
    const at = now.toISOString();
    const policy = reorderOverride(current, count);
    const given = reorderFields.filter((field) => typeof count[field] === 'number');
    const removed = reorderFields.filter((field) => count[field] === null);
    try {
      if (!current) {
        const next = { ...newStockRecord(sku, locationId, decision.stock, at), ...policy };
        await callAws('recordCycleCount', () =>
          table.document.send(
            new PutCommand({
              TableName: table.tableName,
              Item: {
                ...keys.stock(sku, locationId),
                ...keys.stockByLocation(sku, locationId),
                entity: 'stock',
                ...stockItemOf(next),
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          ),
        );
        return { outcome: 'saved', stock: next };
      }
      const delta = count.onHand - count.safetyStock - (current.onHand - current.safetyStock);
      const changes = planCountAdjustment(current.buckets, delta);
      const shardChanges = changes.filter((change) => change.bucket !== 'head');
      const headDelta = changes.find((change) => change.bucket === 'head')?.available ?? 0;
      const headItem: TransactItem = {
        Update: {
          TableName: table.tableName,
          Key: keys.stock(sku, locationId),
          UpdateExpression:
            'SET onHand = :onHand, safetyStock = :safety, available = available + :delta, updatedAt = :now' +
            given.map((field) => `, ${field} = :${field}`).join('') +
            (removed.length > 0 ? ` REMOVE ${removed.join(', ')}` : ''),
          ConditionExpression:
            'onHand = :previousOnHand AND safetyStock = :previousSafety AND reserved = :reserved AND available = :available',
          ExpressionAttributeValues: {
            ':onHand': count.onHand,
            ':safety': count.safetyStock,
            ':delta': headDelta,
            ':now': at,
            ':previousOnHand': current.onHand,
            ':previousSafety': current.safetyStock,
            ':reserved': current.buckets.head.reserved,
            ':available': current.buckets.head.available,
            ...Object.fromEntries(given.map((field) => [`:${field}`, count[field]])),
          },
        },
      };
      await writeAll(table, 'recordCycleCount', [
        headItem,
        ...stockChangeItems(table, sku, locationId, shardChanges, at),
      ]);
      const buckets = applyBucketChanges(current.buckets, changes);
      const { reorderPoint: _point, reorderQuantity: _quantity, ...figures } = current;
      return {
        outcome: 'saved',
        stock: { ...figures, ...decision.stock, ...bucketTotals(buckets), buckets, ...policy, updatedAt: at },
      };
    } catch (error) {
      if (!isConditionalCheckFailed(error) && !isTransactionRace(error)) throw error;
      // Spread out from the reservations it collided with, instead of colliding again in lockstep.
      await pause(attempt);
    }
  }
  throw new Error(`cycle count of ${sku} at ${locationId} kept conflicting with reservations`);
}

const reorderFields = ['reorderPoint', 'reorderQuantity'] as const;

/** The SKU's own reorder settings after a cycle count: given values win, `null` clears, omitted keeps. */
function reorderOverride(current: ReorderPolicy | undefined, count: StockBody): ReorderPolicy {
  const policy: { reorderPoint?: number; reorderQuantity?: number } = {};
  for (const field of reorderFields) {
    const value = count[field] === undefined ? current?.[field] : (count[field] ?? undefined);
    if (value !== undefined) policy[field] = value;
  }
  return policy;
}

/** One item: a plain conditional write (half the cost of a transaction); several: all or nothing. */
async function writeAll(table: TableRef, operation: string, items: TransactItem[]): Promise<void> {
  const [only] = items;
  if (items.length === 1 && only?.Update) {
    const update = only.Update;
    await callAws(operation, () => table.document.send(new UpdateCommand(update)));
    return;
  }
  await transactWrite(table, operation, items);
}

/** A bucket change as the stock adapter writes it; picking also takes units off the head's `onHand`. */
export interface StockChange extends BucketChange {
  readonly onHand?: number;
}

/**
 * The conditional writes of bucket changes: a take (negative `available` or `reserved`) is conditioned on the
 * bucket having the units, so no bucket goes negative; gains are plain additions (a shard item is created by
 * its first gain). A head debt settlement is conditioned on the debt read, so it is never settled twice.
 */
export function stockChangeItems(
  table: TableRef,
  sku: string,
  locationId: string,
  changes: readonly StockChange[],
  at: string,
): TransactItem[] {
  return changes.map((change) => {
    const values: Record<string, unknown> = {
      ':available': change.available,
      ':reserved': change.reserved,
      ':now': at,
    };
    const conditions: string[] = [];
    if (change.available < 0) {
      conditions.push('available >= :take');
      values[':take'] = -change.available;
    }
    if (change.reserved < 0) {
      conditions.push('reserved >= :unreserve');
      values[':unreserve'] = -change.reserved;
    }
    if (change.expectHeadAvailable !== undefined) {
      conditions.push('available = :expected');
      values[':expected'] = change.expectHeadAvailable;
    }
    if (change.bucket === 'head') {
      let set = 'SET available = available + :available, reserved = reserved + :reserved, updatedAt = :now';
      if (change.onHand) {
        set += ', onHand = onHand + :onHand';
        values[':onHand'] = change.onHand;
        if (change.onHand < 0) {
          conditions.push('onHand >= :picked');
          values[':picked'] = -change.onHand;
        }
      }
      return {
        Update: {
          TableName: table.tableName,
          Key: keys.stock(sku, locationId),
          UpdateExpression: set,
          ...(conditions.length > 0 ? { ConditionExpression: conditions.join(' AND ') } : {}),
          ExpressionAttributeValues: values,
        },
      };
    }
    return {
      Update: {
        TableName: table.tableName,
        Key: keys.stockShard(sku, locationId, change.bucket),
        UpdateExpression:
          'SET available = if_not_exists(available, :zero) + :available, reserved = if_not_exists(reserved, :zero) + :reserved, ' +
          'entity = :entity, sku = :sku, locationId = :locationId, #shard = :shard, updatedAt = :now',
        ...(conditions.length > 0 ? { ConditionExpression: conditions.join(' AND ') } : {}),
        // `shard` is a DynamoDB reserved word.
        ExpressionAttributeNames: { '#shard': 'shard' },
        ExpressionAttributeValues: {
          ...values,
          ':zero': 0,
          ':entity': 'stockShard',
          ':sku': sku,
          ':locationId': locationId,
          ':shard': change.bucket,
        },
      },
    };
  });
}

/** A hold's units go back to `available` in the bucket(s) they were taken from (release, expiry). */
export function holdReleaseItems(
  table: TableRef,
  hold: { sku: string; locationId: string; qty: number; shards?: Record<string, number> | undefined },
  at: string,
): TransactItem[] {
  const changes = holdParts(hold.qty, hold.shards).map((part) => ({
    bucket: part.bucket,
    available: part.qty,
    reserved: -part.qty,
  }));
  return stockChangeItems(table, hold.sku, hold.locationId, changes, at);
}

/**
 * Applies one supplier feed item. Only a newer feed overwrites (`feedSeq` strictly greater), so redelivered,
 * duplicated or out-of-order messages are harmless; losing that race is success, not failure.
 */
export async function applySupplierStock(
  table: TableRef,
  record: SupplierStockRecord,
): Promise<'applied' | 'stale'> {
  try {
    await callAws('applySupplierStock', () =>
      table.document.send(
        new PutCommand({
          TableName: table.tableName,
          Item: compact({
            ...keys.supplierStock(record.sku, record.supplierId),
            entity: 'supplierStock',
            ...record,
          }),
          ConditionExpression: 'attribute_not_exists(feedSeq) OR feedSeq < :seq',
          ExpressionAttributeValues: { ':seq': record.feedSeq },
        }),
      ),
    );
    return 'applied';
  } catch (error) {
    if (isConditionalCheckFailed(error)) return 'stale';
    throw error;
  }
}

function newStockRecord(
  sku: string,
  locationId: string,
  figures: StockFigures,
  updatedAt: string,
): StockRecord {
  const available = figures.onHand - figures.reserved - figures.safetyStock;
  return {
    sku,
    locationId,
    ...figures,
    available,
    shardCount: 1,
    buckets: { shardCount: 1, head: { available, reserved: figures.reserved }, shards: [] },
    damaged: 0,
    updatedAt,
  };
}

/** The head item's attributes (its own `available` and `reserved`, not the totals). */
function stockItemOf(record: StockRecord) {
  return {
    sku: record.sku,
    locationId: record.locationId,
    onHand: record.onHand,
    reserved: record.buckets.head.reserved,
    safetyStock: record.safetyStock,
    inbound: record.inbound,
    available: record.buckets.head.available,
    ...(record.reorderPoint === undefined ? {} : { reorderPoint: record.reorderPoint }),
    ...(record.reorderQuantity === undefined ? {} : { reorderQuantity: record.reorderQuantity }),
    updatedAt: record.updatedAt,
  };
}

/** Stock records from head and shard items (any order): one per head, its shards summed in. */
function toStockRecords(items: readonly Record<string, unknown>[]): StockRecord[] {
  const shardsByLocation = new Map<string, ShardFigures[]>();
  for (const item of items) {
    if (item.shard === undefined) continue;
    const locationId = String(item.locationId);
    shardsByLocation.set(locationId, [
      ...(shardsByLocation.get(locationId) ?? []),
      {
        shard: Number(item.shard),
        available: Number(item.available ?? 0),
        reserved: Number(item.reserved ?? 0),
      },
    ]);
  }
  return items
    .filter((item) => item.shard === undefined)
    .map((item) => {
      const locationId = String(item.locationId);
      const shardCount = Number(item.shardCount ?? 1);
      const buckets: StockBuckets = {
        shardCount,
        head: { available: Number(item.available ?? 0), reserved: Number(item.reserved ?? 0) },
        shards: (shardsByLocation.get(locationId) ?? []).sort((a, b) => a.shard - b.shard),
      };
      return {
        sku: String(item.sku),
        locationId,
        onHand: Number(item.onHand ?? 0),
        damaged: Number(item.damaged ?? 0),
        safetyStock: Number(item.safetyStock ?? 0),
        inbound: Number(item.inbound ?? 0),
        ...bucketTotals(buckets),
        shardCount,
        buckets,
        ...(item.reorderPoint === undefined ? {} : { reorderPoint: Number(item.reorderPoint) }),
        ...(item.reorderQuantity === undefined ? {} : { reorderQuantity: Number(item.reorderQuantity) }),
        updatedAt: String(item.updatedAt),
      };
    });
}

function toSupplierStockRecord(item: Record<string, unknown>): SupplierStockRecord {
  return {
    supplierId: String(item.supplierId),
    sku: String(item.sku),
    available: Number(item.available),
    leadTimeDays: Number(item.leadTimeDays),
    ...(item.unitCost === undefined ? {} : { unitCost: Number(item.unitCost) }),
    feedSeq: Number(item.feedSeq),
    updatedAt: String(item.updatedAt),
  };
}
