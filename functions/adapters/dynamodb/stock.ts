import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { keys } from '../../contracts/keys';
import { replenishmentStatusSchema, type StockBody } from '../../contracts/schemas';
import type { ReorderPolicy } from '../../core/replenishment';
import { applyCycleCount, type StockFigures, storedAvailable } from '../../core/stock';
import { callAws } from '../errors';
import type { TableRef } from './client';
import { compact, isConditionalCheckFailed } from './items';

export interface StockRecord extends StockFigures, ReorderPolicy {
  readonly sku: string;
  readonly locationId: string;
  /** Stored `onHand − reserved − safetyStock`; reservations are conditioned on it. */
  readonly available: number;
  readonly updatedAt: string;
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

export interface SupplierStockRecord {
  readonly supplierId: string;
  readonly sku: string;
  readonly available: number;
  readonly leadTimeDays: number;
  readonly unitCost?: number;
  readonly feedSeq: number;
  readonly updatedAt: string;
}

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
  return Item ? toStockRecord(Item) : undefined;
}

export interface SkuPartition {
  readonly stock: StockRecord[];
  readonly suppliers: SupplierStockRecord[];
  readonly replenishments: ReplenishmentSlot[];
}

/** Everything the SKU partition holds: stock and replenishment per location, supplier availability; one Query. */
export async function querySkuPartition(table: TableRef, sku: string): Promise<SkuPartition> {
  const stock: StockRecord[] = [];
  const suppliers: SupplierStockRecord[] = [];
  const replenishments: ReplenishmentSlot[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const exclusiveStartKey = startKey;
    const page = await callAws('querySku', () =>
      table.document.send(
        new QueryCommand({
          TableName: table.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.skuPartition(sku) },
          ExclusiveStartKey: exclusiveStartKey,
          ConsistentRead: true,
        }),
      ),
    );
    for (const item of page.Items ?? []) {
      const sortKey = String(item.sk);
      if (sortKey.startsWith(keys.stockPrefix)) stock.push(toStockRecord(item));
      else if (sortKey.startsWith(keys.supplierStockPrefix)) suppliers.push(toSupplierStockRecord(item));
      else if (sortKey.startsWith(keys.replenishmentPrefix))
        replenishments.push(replenishmentSlotSchema.parse(item));
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { stock, suppliers, replenishments };
}

export type CycleCountResult =
  | { readonly outcome: 'saved'; readonly stock: StockRecord }
  | { readonly outcome: 'below-reserved'; readonly reserved: number };

const cycleCountAttempts = 5;

/**
 * Sets counted on-hand and safety stock, and the SKU's own reorder settings when given (`null` removes one,
 * omitted keeps it). Optimistic: the write is conditioned on the `reserved` it read, so a reservation landing
 * in between makes it re-read and decide again instead of breaking `reserved ≤ onHand`.
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
    const policy = reorderOverride(current, count);
    const next: StockRecord = {
      sku,
      locationId,
      ...decision.stock,
      available: storedAvailable(decision.stock),
      ...policy,
      updatedAt: now.toISOString(),
    };
    const given = reorderFields.filter((field) => typeof count[field] === 'number');
    const removed = reorderFields.filter((field) => count[field] === null);
    try {
      await callAws('recordCycleCount', async () => {
        if (current) {
          const set = given.map((field) => `, ${field} = :${field}`).join('');
          await table.document.send(
            new UpdateCommand({
              TableName: table.tableName,
              Key: keys.stock(sku, locationId),
              UpdateExpression:
                `SET onHand = :onHand, safetyStock = :safety, available = :available, updatedAt = :now${set}` +
                (removed.length > 0 ? ` REMOVE ${removed.join(', ')}` : ''),
              ConditionExpression: 'reserved = :reserved',
              ExpressionAttributeValues: {
                ':onHand': next.onHand,
                ':safety': next.safetyStock,
                ':available': next.available,
                ':now': next.updatedAt,
                ':reserved': current.reserved,
                ...Object.fromEntries(given.map((field) => [`:${field}`, count[field]])),
              },
            }),
          );
          return;
        }
        await table.document.send(
          new PutCommand({
            TableName: table.tableName,
            Item: {
              ...keys.stock(sku, locationId),
              ...keys.stockByLocation(sku, locationId),
              entity: 'stock',
              ...next,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      });
      return { outcome: 'saved', stock: next };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
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

function toStockRecord(item: Record<string, unknown>): StockRecord {
  return {
    sku: String(item.sku),
    locationId: String(item.locationId),
    onHand: Number(item.onHand ?? 0),
    reserved: Number(item.reserved ?? 0),
    safetyStock: Number(item.safetyStock ?? 0),
    inbound: Number(item.inbound ?? 0),
    available: Number(item.available ?? 0),
    ...(item.reorderPoint === undefined ? {} : { reorderPoint: Number(item.reorderPoint) }),
    ...(item.reorderQuantity === undefined ? {} : { reorderQuantity: Number(item.reorderQuantity) }),
    updatedAt: String(item.updatedAt),
  };
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
