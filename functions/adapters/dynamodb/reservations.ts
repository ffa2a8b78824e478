import {
  invalidStatusTransitionErrorName,
  orderNotFoundErrorName,
  TransientError,
  WorkflowTaskError,
} from '../../contracts/errors';
import { keys } from '../../contracts/keys';
import type {
  Allocation,
  Location,
  OrderLine,
  OrderStatus,
  ReserveStockResult,
  Shortfall,
} from '../../contracts/schemas';
import { decideTransition, isAwaitingReservation } from '../../core/order-status';
import type { SourcingPlan } from '../../core/sourcing';
import {
  mergeHoldShards,
  planReservation,
  reservableUnits,
  type StockBuckets,
} from '../../core/stock-shards';
import { pause } from './backoff';
import type { TableRef } from './client';
import { cancellationCodes, compact, isTransactionRace, transactWrite } from './items';
import { getLocations } from './locations';
import { planOrderSourcing } from './order-sourcing';
import {
  type HoldRecord,
  holdRecordSchema,
  loadOrder,
  loadOrderPartition,
  type OrderRecord,
  versionedOrderChange,
} from './orders';
import { queryAll } from './query';
import { holdReleaseItems, querySkuPartition, stockChangeItems, type TransactItem } from './stock';

/** DynamoDB's limit on items in one transaction. */
const maxTransactionItems = 100;
const reserveAttempts = 6;

/** Stock positions a reservation run lowered: where replenishment may now be due. */
export type ReserveOrderResult = ReserveStockResult & {
  readonly lowered: readonly {
    readonly sku: string;
    readonly locationId: string;
    /** The location as read for the plan, so the replenishment check need not read it again. */
    readonly location?: Location;
  }[];
};

export interface ReserveOrderInput {
  readonly orderId: string;
  readonly step: string;
  readonly actor: string;
  readonly now: Date;
  readonly holdMinutes: number;
}

/**
 * Sources and reserves an order (docs/inventory.md, docs/operations.md). All allocations of one attempt are reserved all-or-nothing in
 * one transaction with the holds and the order update, which is conditioned on the order `version` read: a
 * duplicate or concurrent run therefore can never reserve twice. Stock that other orders took in between
 * cancels the transaction; the order is then re-read and re-sourced. A shortfall is not an error: what is
 * available is held, the rest is recorded as the backorder and the outcome is BACKORDERED.
 */
export async function reserveOrder(table: TableRef, input: ReserveOrderInput): Promise<ReserveOrderResult> {
  // Locations do not change while racing for stock: read each once per task run.
  const locationCache = new Map<string, Location>();
  for (let attempt = 1; attempt <= reserveAttempts; attempt++) {
    // One Query reads the order with its holds: they are in the same partition.
    const partition = await loadOrderPartition(table, input.orderId);
    const order = partition.order;
    if (!order) throw new WorkflowTaskError(orderNotFoundErrorName, `order ${input.orderId} does not exist`);
    if (!isAwaitingReservation(order.status)) {
      // Cancelled while fulfilment was on its way here: a modelled ending, not a failure to redrive.
      if (order.status === 'CANCELLED') return { outcome: 'CANCELLED', shortfall: [], lowered: [] };
      if (order.status === 'REJECTED') {
        throw new WorkflowTaskError(
          invalidStatusTransitionErrorName,
          `order ${input.orderId} is ${order.status}`,
        );
      }
      // Already reserved (and maybe further along): a retried or redriven step returns the same outcome.
      return { outcome: 'RESERVED', shortfall: [], lowered: [] };
    }
    // Units picked (COMMITTED) are served as much as held ones; released ones are to be found again.
    const remaining = remainingLines(
      order.lines,
      partition.holds.filter((hold) => hold.status === 'HELD' || hold.status === 'COMMITTED'),
    );
    const { plan, buckets, movedToStore } =
      remaining.length > 0
        ? await planFor(table, order, remaining, locationCache)
        : {
            plan: { allocation: [], shortfall: [], alternativeStores: [] },
            buckets: new Map(),
            movedToStore: undefined,
          };
    const outcome = plan.shortfall.length > 0 ? 'BACKORDERED' : 'RESERVED';
    const result: ReserveStockResult = { outcome, shortfall: [...plan.shortfall] };
    const unchanged =
      order.status === 'BACKORDERED' &&
      outcome === 'BACKORDERED' &&
      plan.allocation.length === 0 &&
      !movedToStore &&
      sameShortfall(order.shortfall, plan.shortfall);
    if (unchanged) return { ...result, lowered: [] };
    try {
      const sourcing = { ...plan, ...(movedToStore ? { movedToStore } : {}) };
      await commitReservation(table, order, partition.holds, sourcing, buckets, outcome, input);
      return {
        ...result,
        lowered: plan.allocation.map(({ sku, locationId }) =>
          compact({ sku, locationId, location: locationCache.get(locationId) }),
        ),
      };
    } catch (error) {
      if (!isReservationRace(error)) throw error;
      await pause(attempt);
    }
  }
  throw new TransientError(`reserving order ${input.orderId} kept racing with other reservations`);
}

async function planFor(
  table: TableRef,
  order: OrderRecord,
  lines: readonly OrderLine[],
  locationCache: Map<string, Location>,
) {
  const partitions = await Promise.all(lines.map((line) => querySkuPartition(table, line.sku)));
  const records = partitions.flatMap((partition) => partition.stock);
  const stock = records.map((record) => ({
    sku: record.sku,
    locationId: record.locationId,
    // Summed over the head and shards, a head debt netted: what the location can promise.
    available: reservableUnits(record.buckets),
  }));
  const stocked = [...new Set(stock.filter((entry) => entry.available > 0).map((entry) => entry.locationId))];
  const missing = stocked.filter((locationId) => !locationCache.has(locationId));
  if (missing.length > 0) {
    for (const location of await getLocations(table, missing))
      locationCache.set(location.locationId, location);
  }
  const locations = stocked.flatMap((locationId) => locationCache.get(locationId) ?? []);
  return {
    ...(await planOrderSourcing(table, { order, lines, locations, stock, locationCache })),
    buckets: new Map(records.map((record) => [bucketsKey(record.sku, record.locationId), record.buckets])),
  };
}

const bucketsKey = (sku: string, locationId: string) => `${sku}\u0000${locationId}`;

/** The stock read was stale (units moved between the read and the plan): re-read, like a lost race. */
class StaleStockReadError extends Error {
  override readonly name = 'StaleStockReadError';
}

/** What is still to be reserved after the holds an earlier (backordered) attempt placed. */
export function remainingLines(lines: readonly OrderLine[], holds: readonly HoldRecord[]): OrderLine[] {
  return lines
    .map((line) => ({
      sku: line.sku,
      qty: line.qty - holds.filter((hold) => hold.sku === line.sku).reduce((sum, hold) => sum + hold.qty, 0),
    }))
    .filter((line) => line.qty > 0);
}

const sameShortfall = (a: readonly Shortfall[], b: readonly Shortfall[]) =>
  JSON.stringify([...a].sort(bySku)) === JSON.stringify([...b].sort(bySku));
const bySku = (a: { sku: string }, b: { sku: string }) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0);

async function commitReservation(
  table: TableRef,
  order: OrderRecord,
  /** Every hold of the order, whatever its status: a released one is reused when the same line is re-reserved. */
  allHolds: readonly HoldRecord[],
  plan: Pick<SourcingPlan, 'allocation' | 'shortfall' | 'alternativeStores'> & { movedToStore?: string },
  /** The buckets (head and shards) of every (sku, location) as read for the plan. */
  bucketsByStock: ReadonlyMap<string, StockBuckets>,
  outcome: 'RESERVED' | 'BACKORDERED',
  input: ReserveOrderInput,
): Promise<void> {
  const { allocation, shortfall } = plan;
  const held = allHolds.filter((hold) => hold.status === 'HELD');
  const at = input.now.toISOString();
  const expiresAt = new Date(input.now.getTime() + input.holdMinutes * 60_000).toISOString();
  const items: TransactItem[] = [];
  for (const line of allocation) {
    const buckets = bucketsByStock.get(bucketsKey(line.sku, line.locationId));
    // Each unit is taken from a bucket that had it when read (the start shard, then the others in turn);
    // every take is conditioned on the bucket still having it, so stock taken meanwhile cancels the lot.
    const takes = buckets && planReservation(buckets, line.qty, `${order.orderId}#${line.sku}`);
    if (!takes) throw new StaleStockReadError(`${line.sku} at ${line.locationId} changed while planning`);
    items.push(...stockChangeItems(table, line.sku, line.locationId, takes, at));
    // Holds are per sourcing round: a re-route's units never join a hold an earlier round's shipment carries.
    const round = order.reroutes;
    const sameLine = (hold: HoldRecord) =>
      hold.sku === line.sku && hold.locationId === line.locationId && hold.round === round;
    const existing = held.find(sameLine);
    // Which shards the hold's units came from, so a release or pick returns them there.
    const shards = mergeHoldShards(existing?.shards, takes);
    // An expired (released) hold of the same (order, line, location) is overwritten: the timeline keeps its history.
    const released = allHolds.some((hold) => hold.status === 'RELEASED' && sameLine(hold));
    items.push(
      holdWrite(table, { orderId: order.orderId, round, line, existing, released, shards, expiresAt, at }),
    );
  }
  items.push(
    ...versionedOrderChange(
      table,
      order,
      {
        status: outcome,
        allocations: mergeAllocations(held, allocation),
        shortfall,
        // Pickup only: other stores that could serve the whole order now, for the channel to offer the customer.
        pickupAlternatives: plan.alternativeStores,
        // A re-route moved the pickup to a store that has everything (its own store failed the order).
        ...(plan.movedToStore && order.fulfilment.type === 'pickup'
          ? { fulfilment: { ...order.fulfilment, storeId: plan.movedToStore } }
          : {}),
      },
      {
        at,
        status: outcome,
        ...(order.status === outcome ? { event: 'PARTIALLY_ALLOCATED' } : {}),
        actor: input.actor,
        step: input.step,
        ...reservationReason(shortfall, plan.movedToStore),
      },
    ),
  );
  if (items.length > maxTransactionItems)
    throw new Error(`order ${order.orderId} needs ${items.length} writes, above one transaction`);
  await transactWrite(table, 'reserveOrder', items);
}

/**
 * The hold of one reserved line: grown if the order already holds that (sku, location), else written anew
 * (over a released hold of the same line, or where none exists). Conditioned so a concurrent change cancels
 * the whole reservation.
 */
function holdWrite(
  table: TableRef,
  hold: {
    orderId: string;
    round: number;
    line: Allocation;
    existing: HoldRecord | undefined;
    released: boolean;
    shards: HoldRecord['shards'];
    expiresAt: string;
    at: string;
  },
): TransactItem {
  const { orderId, round, line, existing, expiresAt } = hold;
  if (existing) {
    return {
      Update: {
        TableName: table.tableName,
        Key: keys.hold(orderId, line.sku, line.locationId, round),
        UpdateExpression:
          'SET qty = :qty, #shards = :shards, expiresAt = :expiresAt, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk',
        ConditionExpression: 'qty = :previous AND #status = :held',
        ExpressionAttributeNames: { '#status': 'status', '#shards': 'shards' },
        ExpressionAttributeValues: {
          ':qty': existing.qty + line.qty,
          ':shards': hold.shards,
          ':previous': existing.qty,
          ':held': 'HELD',
          ':expiresAt': expiresAt,
          ...prefixed(keys.heldHoldIndex(expiresAt, orderId, line.sku, line.locationId)),
        },
      },
    };
  }
  return {
    Put: {
      TableName: table.tableName,
      Item: {
        ...keys.hold(orderId, line.sku, line.locationId, round),
        ...keys.heldHoldIndex(expiresAt, orderId, line.sku, line.locationId),
        entity: 'hold',
        orderId,
        sku: line.sku,
        locationId: line.locationId,
        qty: line.qty,
        ...(round > 0 ? { round } : {}),
        shards: hold.shards,
        status: 'HELD',
        expiresAt,
        createdAt: hold.at,
      },
      ...(hold.released
        ? {
            ConditionExpression: '#status = :released',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':released': 'RELEASED' },
          }
        : { ConditionExpression: 'attribute_not_exists(pk)' }),
    },
  };
}

/** What the timeline says of a reservation: what is short, and where a re-route moved the pickup. */
function reservationReason(shortfall: readonly Shortfall[], movedToStore: string | undefined) {
  const reasons = [
    ...(movedToStore ? [`pickup moved to store ${movedToStore}`] : []),
    ...(shortfall.length > 0
      ? [`short: ${shortfall.map((line) => `${line.qty} × ${line.sku}`).join(', ')}`]
      : []),
  ];
  return reasons.length > 0 ? { reason: reasons.join('; ') } : {};
}

/** The order's allocation: every held unit by (sku, location), in line order. */
function mergeAllocations(holds: readonly HoldRecord[], added: readonly Allocation[]): Allocation[] {
  const merged = new Map<string, Allocation>();
  for (const entry of [...holds, ...added]) {
    const key = `${entry.sku}\u0000${entry.locationId}`;
    const qty = (merged.get(key)?.qty ?? 0) + entry.qty;
    merged.set(key, { sku: entry.sku, qty, locationId: entry.locationId });
  }
  return [...merged.values()];
}

/** `{gsi1pk: v}` → `{':gsi1pk': v}`: index attributes written by an Update instead of a Put. */
function prefixed(attributes: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(attributes).map(([name, value]) => [`:${name}`, value]));
}

/** Lost a race (stock taken, order changed, concurrent transaction): re-read and try again. */
export function isReservationRace(error: unknown): boolean {
  return error instanceof StaleStockReadError || isTransactionRace(error);
}

export { pause } from './backoff';

export async function listHolds(table: TableRef, orderId: string): Promise<HoldRecord[]> {
  const items = await queryAll(table, 'listHolds', {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.orderPartition(orderId), ':prefix': keys.holdPrefix },
    ConsistentRead: true,
  });
  return items.map((item) => holdRecordSchema.parse(item));
}

/**
 * Releases every HELD hold of an order, each with its stock in its own small transaction conditioned on the
 * hold still being HELD: running it again (retry, redrive) releases nothing twice.
 */
export async function releaseHolds(table: TableRef, orderId: string, now: Date): Promise<number> {
  let released = 0;
  for (const hold of await listHolds(table, orderId)) {
    if (hold.status !== 'HELD') continue;
    try {
      await transactWrite(table, 'releaseHold', [
        {
          Update: {
            TableName: table.tableName,
            Key: keys.hold(orderId, hold.sku, hold.locationId, hold.round),
            UpdateExpression: 'SET #status = :released, releasedAt = :now REMOVE gsi1pk, gsi1sk',
            ConditionExpression: '#status = :held AND qty = :qty',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':released': 'RELEASED',
              ':held': 'HELD',
              ':qty': hold.qty,
              ':now': now.toISOString(),
            },
          },
        },
        ...holdReleaseItems(table, hold, now.toISOString()),
      ]);
      released++;
    } catch (error) {
      // The hold was released meanwhile (a concurrent run): nothing left to do for it.
      if (cancellationCodes(error)[0] !== 'ConditionalCheckFailed') throw error;
    }
  }
  return released;
}

export interface TransitionInput {
  readonly orderId: string;
  readonly status: OrderStatus;
  readonly step: string;
  readonly actor: string;
  readonly reason?: string;
  readonly now: Date;
}

/**
 * Moves an order to a status the order state machine allows, with its timeline entry, idempotently: an order
 * already in the target status is left alone. Rejection and cancellation release the holds first, so a crash
 * in between is repaired by running the step again.
 */
export async function transitionOrder(
  table: TableRef,
  input: TransitionInput,
): Promise<{ orderId: string; status: OrderStatus }> {
  const { orderId, status } = await transitionOrderReleasing(table, input);
  return { orderId, status };
}

/** `transitionOrder`, also saying how many holds it released on the way (cancellation reports them). */
export async function transitionOrderReleasing(
  table: TableRef,
  input: TransitionInput,
): Promise<{ orderId: string; status: OrderStatus; releasedHolds: number }> {
  let releasedHolds = 0;
  for (let attempt = 1; attempt <= reserveAttempts; attempt++) {
    const order = await loadOrder(table, input.orderId);
    if (!order) throw new WorkflowTaskError(orderNotFoundErrorName, `order ${input.orderId} does not exist`);
    const decision = decideTransition(order.status, input.status);
    if (decision.kind === 'already-applied')
      return { orderId: order.orderId, status: order.status, releasedHolds };
    if (decision.kind === 'rejected')
      throw new WorkflowTaskError(invalidStatusTransitionErrorName, decision.reason);
    const releasing = input.status === 'REJECTED' || input.status === 'CANCELLED';
    if (releasing) releasedHolds += await releaseHolds(table, input.orderId, input.now);
    const at = input.now.toISOString();
    // A released order holds nothing and waits for nothing: its view must not list allocations or a
    // shortfall as if they still stood. What it held goes on the timeline entry instead.
    const released = releasing ? releaseNote(order.allocations) : undefined;
    const reason = [input.reason, released].filter(Boolean).join('; ');
    try {
      await transactWrite(
        table,
        'transitionOrder',
        versionedOrderChange(
          table,
          order,
          releasing ? { status: input.status, allocations: [], shortfall: [] } : { status: input.status },
          {
            at,
            status: input.status,
            actor: input.actor,
            step: input.step,
            ...(reason ? { reason } : {}),
          },
        ),
      );
      return { orderId: order.orderId, status: input.status, releasedHolds };
    } catch (error) {
      if (!isReservationRace(error)) throw error;
      await pause(attempt);
    }
  }
  throw new TransientError(`order ${input.orderId} kept changing while moving it to ${input.status}`);
}

/** "released 120 × SKU-A at WH-1, 2 × SKU-B at ST-2", or nothing when the order held nothing. */
function releaseNote(allocations: readonly Allocation[]): string | undefined {
  if (allocations.length === 0) return undefined;
  return `released ${allocations.map((line) => `${line.qty} × ${line.sku} at ${line.locationId}`).join(', ')}`;
}
