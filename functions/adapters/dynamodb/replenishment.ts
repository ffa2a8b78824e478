import { createHash } from 'node:crypto';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../contracts/keys';
import type { ReplenishmentDemand } from '../../contracts/procurement';
import type { Location, TimelineEntry } from '../../contracts/schemas';
import { effectiveReorderPolicy, replenishmentNeed } from '../../core/replenishment';
import { reservableUnits } from '../../core/stock-shards';
import { callAws } from '../errors';
import type { TableRef } from './client';
import type { TransactItem } from './items';
import { cancellationCodes, compact, transactWrite } from './items';
import { getLocation } from './locations';
import { getStock, type ReplenishmentSlot, replenishmentSlotSchema, type StockRecord } from './stock';

/**
 * The stable name of a (sku, location)'s replenishments, for execution names and purchase order ids: both
 * allow only `[A-Za-z0-9_-]` and 80 characters, while SKUs may contain "." and ids run to 64 characters. A
 * readable prefix for people, a hash of the exact pair so two pairs never share a name (which would make the
 * second pair's start an "already exists" no-op).
 */
export function replenishmentId(sku: string, locationId: string): string {
  const readable = `${locationId}-${sku}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 28);
  const hash = createHash('sha256').update(`${locationId}\u0000${sku}`).digest('hex').slice(0, 12);
  return `replenish-${readable}-${hash}`;
}

/** One execution per replenishment: a retried or concurrent trigger for the same seq cannot start two. */
export const replenishmentExecutionName = (demand: ReplenishmentDemand): string =>
  `${replenishmentId(demand.sku, demand.locationId)}-${demand.seq}`;

export async function getReplenishmentSlot(
  table: TableRef,
  sku: string,
  locationId: string,
): Promise<ReplenishmentSlot | undefined> {
  const { Item } = await callAws('getReplenishment', () =>
    table.document.send(
      new GetCommand({
        TableName: table.tableName,
        Key: keys.replenishment(sku, locationId),
        ConsistentRead: true,
      }),
    ),
  );
  return Item ? replenishmentSlotSchema.parse(Item) : undefined;
}

/**
 * Units to order for a SKU at a location now (0: none), from its stock and the reorder settings that apply
 * (its own, else the location's; the location is read only when the stock item does not settle both and
 * the caller did not bring it).
 */
export async function replenishmentNeedAt(
  table: TableRef,
  stock: StockRecord | undefined,
  locationId: string,
  knownLocation?: Location,
): Promise<number> {
  if (!stock) return 0;
  const own = compact({ reorderPoint: stock.reorderPoint, reorderQuantity: stock.reorderQuantity });
  const location =
    own.reorderPoint === undefined || own.reorderQuantity === undefined
      ? (knownLocation ?? (await getLocation(table, locationId)))
      : undefined;
  const policy = effectiveReorderPolicy(
    own,
    compact({ reorderPoint: location?.reorderPoint, reorderQuantity: location?.reorderQuantity }),
  );
  // What the location can promise, over its head and shards (a hot SKU's stock is split).
  return replenishmentNeed({ available: reservableUnits(stock.buckets), inbound: stock.inbound, ...policy });
}

export type ReplenishmentCheck =
  | { readonly kind: 'due'; readonly demand: ReplenishmentDemand; readonly qty: number }
  | { readonly kind: 'open'; readonly slot: ReplenishmentSlot }
  | { readonly kind: 'not-needed' };

/**
 * Whether a (sku, location) needs a new replenishment: stock below its reorder point and none OPEN. The
 * next one is numbered after the slot's current `seq`, so every trigger that sees the same slot names the
 * same execution. The slot is read only when the stock is low: most checks (after nearly every reservation)
 * find it is not, and stop at one read.
 */
export async function checkReplenishment(
  table: TableRef,
  sku: string,
  locationId: string,
  knownLocation?: Location,
): Promise<ReplenishmentCheck> {
  const stock = await getStock(table, sku, locationId);
  const qty = await replenishmentNeedAt(table, stock, locationId, knownLocation);
  if (qty <= 0) return { kind: 'not-needed' };
  const slot = await getReplenishmentSlot(table, sku, locationId);
  if (slot?.status === 'OPEN') return { kind: 'open', slot };
  return {
    kind: 'due',
    demand: { kind: 'replenishment', sku, locationId, seq: (slot?.seq ?? 0) + 1 },
    qty,
  };
}

/** Who did it and why, for the replenishment's audit trail. */
export type AuditEntry = Omit<TimelineEntry, 'status'> & { readonly event: string };

/** An audit entry of a (sku, location)'s replenishment `seq` (its own partition; a replay overwrites it). */
export function replenishmentEventPut(
  table: TableRef,
  target: { sku: string; locationId: string; seq: number },
  entry: AuditEntry,
): TransactItem {
  return {
    Put: {
      TableName: table.tableName,
      Item: compact({
        ...keys.replenishmentEvent(target.sku, target.locationId, entry.at, entry.step, entry.event),
        entity: 'replenishmentEvent',
        sku: target.sku,
        locationId: target.locationId,
        seq: target.seq,
        ...entry,
      }),
    },
  };
}

export async function listReplenishmentEvents(
  table: TableRef,
  sku: string,
  locationId: string,
): Promise<(AuditEntry & { seq: number })[]> {
  const page = await callAws('listReplenishmentEvents', () =>
    table.document.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.replenishmentEventPartition(sku, locationId) },
        ConsistentRead: true,
      }),
    ),
  );
  return (page.Items ?? []).map((item) =>
    compact({
      seq: Number(item.seq),
      at: String(item.at),
      event: String(item.event),
      actor: String(item.actor),
      step: String(item.step),
      reason: item.reason === undefined ? undefined : String(item.reason),
    }),
  );
}

export type ClaimResult = 'claimed' | 'already-open' | 'superseded';

/**
 * Opens replenishment `seq` of a (sku, location): only from the slot's previous seq and only if that one is
 * not OPEN, so at most one is OPEN at a time however many triggers race. Both the trigger (after starting the
 * execution) and the execution's first task call it: whichever comes first opens the slot, the other finds it
 * open under the same seq ('already-open'). 'superseded': this seq's turn is over (closed, or never got it).
 */
export async function claimReplenishment(
  table: TableRef,
  demand: ReplenishmentDemand,
  entry: Omit<AuditEntry, 'event'>,
): Promise<ClaimResult> {
  const previous = demand.seq - 1;
  try {
    await transactWrite(table, 'claimReplenishment', [
      {
        Update: {
          TableName: table.tableName,
          Key: keys.replenishment(demand.sku, demand.locationId),
          UpdateExpression:
            'SET entity = :entity, sku = :sku, locationId = :locationId, #status = :open, seq = :seq, ' +
            'openedAt = :now, updatedAt = :now REMOVE poId, closedAt',
          ConditionExpression:
            previous === 0
              ? 'attribute_not_exists(pk) OR (seq = :previous AND #status <> :open)'
              : 'seq = :previous AND #status <> :open',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':entity': 'replenishment',
            ':sku': demand.sku,
            ':locationId': demand.locationId,
            ':open': 'OPEN',
            ':seq': demand.seq,
            ':previous': previous,
            ':now': entry.at,
          },
        },
      },
      replenishmentEventPut(table, demand, { ...entry, event: 'REPLENISHMENT_OPENED' }),
    ]);
    return 'claimed';
  } catch (error) {
    if (cancellationCodes(error)[0] !== 'ConditionalCheckFailed') throw error;
    const slot = await getReplenishmentSlot(table, demand.sku, demand.locationId);
    return slot?.status === 'OPEN' && slot.seq === demand.seq ? 'already-open' : 'superseded';
  }
}

/**
 * Closes replenishment `seq` (received, no longer needed, or no supplier left) so the next one may open.
 * Conditional on it being the OPEN one: closing again, or a stale seq, changes nothing.
 */
export async function closeReplenishment(
  table: TableRef,
  demand: Pick<ReplenishmentDemand, 'sku' | 'locationId' | 'seq'>,
  status: 'CLOSED' | 'ABANDONED',
  entry: AuditEntry,
): Promise<void> {
  try {
    await transactWrite(table, 'closeReplenishment', [
      {
        Update: {
          TableName: table.tableName,
          Key: keys.replenishment(demand.sku, demand.locationId),
          UpdateExpression: 'SET #status = :status, closedAt = :now, updatedAt = :now',
          ConditionExpression: 'seq = :seq AND #status = :open',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': status,
            ':seq': demand.seq,
            ':open': 'OPEN',
            ':now': entry.at,
          },
        },
      },
      replenishmentEventPut(table, demand, entry),
    ]);
  } catch (error) {
    if (cancellationCodes(error)[0] !== 'ConditionalCheckFailed') throw error;
  }
}

/** Links the OPEN replenishment to its current purchase order (in the PO's own transaction). */
export function replenishmentPurchaseOrderUpdate(
  table: TableRef,
  demand: ReplenishmentDemand,
  poId: string,
  at: string,
): TransactItem {
  return {
    Update: {
      TableName: table.tableName,
      Key: keys.replenishment(demand.sku, demand.locationId),
      UpdateExpression: 'SET poId = :poId, updatedAt = :now',
      ConditionExpression: 'seq = :seq AND #status = :open',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':poId': poId, ':seq': demand.seq, ':open': 'OPEN', ':now': at },
    },
  };
}
