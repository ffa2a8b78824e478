import { GetCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { keys } from '../../contracts/keys';
import {
  allocationSchema,
  type CreateOrderBody,
  fulfilmentSchema,
  type OrderResponse,
  orderStatusSchema,
  pricedLineSchema,
  shortfallSchema,
  type TimelineEntry,
  timelineEntrySchema,
} from '../../contracts/schemas';
import { callAws } from '../errors';
import type { TableRef } from './client';
import { assignmentsOf, cancellationCodes, compact, type TransactItem, transactWrite } from './items';
import { queryAll } from './query';
import { type ShipmentRecord, shipmentRecordSchema, shipmentView } from './shipments';

/** The order item (`ORDER#<id>` / `ORDER`); `version` makes every change an optimistic, conditional write. */
export const orderRecordSchema = z.object({
  orderId: z.string(),
  customerId: z.string(),
  status: orderStatusSchema,
  fulfilment: fulfilmentSchema,
  lines: z.array(pricedLineSchema),
  currency: z.string().optional(),
  allocations: z.array(allocationSchema),
  shortfall: z.array(shortfallSchema),
  /** Written by reservation runs; orders from before it existed have none. */
  pickupAlternatives: z.array(z.string()).default([]),
  /** Re-routes so far (docs/dispatch.md): each started fulfilment round n = this count. */
  reroutes: z.number().int().nonnegative().default(0),
  /** Locations that failed this order (refused, short, timed out): re-sourcing never picks them again. */
  excludedLocations: z.array(z.string()).default([]),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type OrderRecord = z.infer<typeof orderRecordSchema>;

export const holdRecordSchema = z.object({
  orderId: z.string(),
  sku: z.string(),
  locationId: z.string(),
  qty: z.number().int().positive(),
  /** Units taken per stock shard (functions/core/stock-shards.ts); the rest of `qty` is on the head. */
  shards: z.record(z.string(), z.number().int().nonnegative()).optional(),
  /**
   * HELD on the shelf for the order, COMMITTED once picked, RELEASED back to sale; RETURNED: units a transfer
   * brought to a pickup store that failed the order went back on that store's shelf, so they serve it no more.
   */
  status: z.enum(['HELD', 'COMMITTED', 'RELEASED', 'RETURNED']),
  expiresAt: z.string(),
  /** The sourcing round that placed it (0 first, n for a re-route's round): part of its key. */
  round: z.number().int().nonnegative().default(0),
  /** The shipment that carries its units, once one does (CreateShipments marks it). */
  shipmentId: z.string().optional(),
  /** Units staff did not find when settling it (a short pick, out of stock): written off the shelf. */
  writtenOff: z.number().int().nonnegative().optional(),
});
export type HoldRecord = z.infer<typeof holdRecordSchema>;

/** The stored answer to a POST /orders, replayed for the same (principal, Idempotency-Key) and body. */
export interface IdempotencyRecord {
  readonly requestHash: string;
  readonly orderId: string;
  readonly response: { readonly status: number; readonly body: { orderId: string; status: string } };
}

/** Idempotency records outlive client retries by far, then TTL garbage-collects them. */
export const idempotencyRetentionSeconds = 7 * 24 * 3600;

export type AcceptOrderResult =
  | { readonly kind: 'accepted' | 'replayed'; readonly record: IdempotencyRecord }
  | { readonly kind: 'key-reused' }
  | { readonly kind: 'order-exists'; readonly orderId: string };

export interface AcceptOrderInput {
  readonly principalId: string;
  readonly idempotencyKey: string;
  readonly requestHash: string;
  readonly body: CreateOrderBody;
  /** The system-wide id (`<channelId>.<channelOrderId>`, contracts/order-ids.ts): keys the order. */
  readonly orderId: string;
  /** The channel's own name for it, which its answers carry. */
  readonly channelOrderId: string;
  readonly now: Date;
}

/**
 * Accepts an order exactly once per (principal, Idempotency-Key): the order, its first timeline entry and the
 * idempotency record are written in one transaction, so a crash can never leave one without the others.
 * The transaction goes first, without reading the key: a new key (nearly every request) costs no read, and
 * a repeated one fails the record's condition and is answered from the record then.
 */
export async function acceptOrder(table: TableRef, input: AcceptOrderInput): Promise<AcceptOrderResult> {
  const idempotencyKey = keys.idempotency(input.principalId, input.idempotencyKey);
  const readRecord = async (): Promise<IdempotencyRecord | undefined> => {
    const { Item } = await callAws('getIdempotencyRecord', () =>
      table.document.send(
        new GetCommand({ TableName: table.tableName, Key: idempotencyKey, ConsistentRead: true }),
      ),
    );
    return Item as IdempotencyRecord | undefined;
  };
  const answerFrom = (record: IdempotencyRecord): AcceptOrderResult =>
    record.requestHash === input.requestHash ? { kind: 'replayed', record } : { kind: 'key-reused' };

  const { orderId } = input;
  const at = input.now.toISOString();
  const record: IdempotencyRecord = {
    requestHash: input.requestHash,
    orderId,
    response: { status: 202, body: { orderId: input.channelOrderId, status: 'ACCEPTED' } },
  };
  const order: OrderRecord = {
    orderId,
    customerId: input.body.customerId,
    status: 'ACCEPTED',
    fulfilment: input.body.fulfilment,
    lines: input.body.lines,
    ...(input.body.currency ? { currency: input.body.currency } : {}),
    allocations: [],
    shortfall: [],
    pickupAlternatives: [],
    reroutes: 0,
    excludedLocations: [],
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
  try {
    await transactWrite(table, 'acceptOrder', acceptanceWrites(table, input, record, order));
    return { kind: 'accepted', record };
  } catch (error) {
    const [keyTaken, orderTaken] = cancellationCodes(error);
    // The key was used before (a retry, or a concurrent request that won): answer as it did, or 409 if its
    // body differed.
    if (keyTaken === 'ConditionalCheckFailed') {
      const winner = await readRecord();
      if (winner) return answerFrom(winner);
    }
    // The same key at the same moment: DynamoDB may cancel one of two concurrent transactions on an item with
    // TransactionConflict (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html);
    // the other commits within milliseconds, so answer from its record rather than fail the client. DynamoDB
    // Local serialises transactions instead, so only AWS takes this path.
    if (keyTaken === 'TransactionConflict') {
      for (let wait = 1; wait <= 5; wait++) {
        await new Promise((resolve) => setTimeout(resolve, 20 * wait));
        const winner = await readRecord();
        if (winner) return answerFrom(winner);
      }
    }
    if (orderTaken === 'ConditionalCheckFailed') return { kind: 'order-exists', orderId };
    throw error;
  }
}

/** The idempotency record, the order and its first timeline entry: one transaction, all or nothing. */
function acceptanceWrites(
  table: TableRef,
  input: AcceptOrderInput,
  record: IdempotencyRecord,
  order: OrderRecord,
): TransactItem[] {
  const { orderId, createdAt: at } = order;
  return [
    {
      Put: {
        TableName: table.tableName,
        Item: {
          ...keys.idempotency(input.principalId, input.idempotencyKey),
          entity: 'idempotency',
          principalId: input.principalId,
          ...record,
          createdAt: at,
          expiresAtEpoch: Math.floor(input.now.getTime() / 1000) + idempotencyRetentionSeconds,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Put: {
        TableName: table.tableName,
        Item: compact({
          ...keys.order(orderId),
          ...keys.ordersOfCustomer(order.customerId, at, orderId),
          ...keys.ordersOfDay(at, orderId),
          entity: 'order',
          createdBy: input.principalId,
          ...order,
        }),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Put: {
        TableName: table.tableName,
        Item: timelineItem(orderId, {
          at,
          status: 'ACCEPTED',
          actor: input.principalId,
          step: 'CreateOrder',
        }),
      },
    },
  ];
}

/**
 * An order change as transaction writes: the update of `changes`, conditioned on the version that was read
 * (a concurrent writer makes the whole transaction fail, and the caller re-reads), and its timeline entry.
 */
export function versionedOrderChange(
  table: TableRef,
  order: Pick<OrderRecord, 'orderId' | 'version'>,
  changes: Readonly<Record<string, unknown>>,
  entry: TimelineEntry,
): TransactItem[] {
  const { assignments, names, values } = assignmentsOf(changes);
  return [
    {
      Update: {
        TableName: table.tableName,
        Key: keys.order(order.orderId),
        UpdateExpression: `SET ${[...assignments, 'version = :next', 'updatedAt = :now'].join(', ')}`,
        ConditionExpression: 'version = :version',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: {
          ...values,
          ':version': order.version,
          ':next': order.version + 1,
          ':now': entry.at,
        },
      },
    },
    { Put: { TableName: table.tableName, Item: timelineItem(order.orderId, entry) } },
  ];
}

/**
 * The order's version moved on and nothing else: a change decided from the order as read (a return ending,
 * which may or may not move its status) is conditioned on it, so two such changes at once never both commit
 * from the same read.
 */
export function orderVersionBump(
  table: TableRef,
  order: Pick<OrderRecord, 'orderId' | 'version'>,
  at: string,
): TransactItem {
  return {
    Update: {
      TableName: table.tableName,
      Key: keys.order(order.orderId),
      UpdateExpression: 'SET version = :next, updatedAt = :now',
      ConditionExpression: 'version = :version',
      ExpressionAttributeValues: { ':version': order.version, ':next': order.version + 1, ':now': at },
    },
  };
}

export function timelineItem(orderId: string, entry: TimelineEntry): Record<string, unknown> {
  return compact({ ...keys.timelineEntry(orderId, entry.at, entry.step), entity: 'timeline', ...entry });
}

/** Who created an order (the principal of its POST /orders, or the workflow that made it), if it exists. */
export async function orderCreatedBy(table: TableRef, orderId: string): Promise<string | undefined> {
  const { Item } = await callAws('orderCreatedBy', () =>
    table.document.send(
      new GetCommand({
        TableName: table.tableName,
        Key: keys.order(orderId),
        ProjectionExpression: 'createdBy',
        ConsistentRead: true,
      }),
    ),
  );
  return Item?.createdBy === undefined ? undefined : String(Item.createdBy);
}

export async function loadOrder(table: TableRef, orderId: string): Promise<OrderRecord | undefined> {
  const { Item } = await callAws('loadOrder', () =>
    table.document.send(
      new GetCommand({ TableName: table.tableName, Key: keys.order(orderId), ConsistentRead: true }),
    ),
  );
  return Item ? orderRecordSchema.parse(Item) : undefined;
}

/** The order partition in one Query: the order, its holds and its timeline. */
export async function loadOrderPartition(
  table: TableRef,
  orderId: string,
): Promise<{
  order?: OrderRecord;
  holds: HoldRecord[];
  timeline: TimelineEntry[];
  shipments: ShipmentRecord[];
  returns: Record<string, unknown>[];
}> {
  let order: OrderRecord | undefined;
  const holds: HoldRecord[] = [];
  const timeline: TimelineEntry[] = [];
  const shipments: ShipmentRecord[] = [];
  // Parsed by the returns adapter (returns.ts), which builds on this module.
  const returns: Record<string, unknown>[] = [];
  const items = await queryAll(table, 'loadOrderPartition', {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.orderPartition(orderId) },
    ConsistentRead: true,
  });
  for (const item of items) {
    const sortKey = String(item.sk);
    if (sortKey === 'ORDER') order = orderRecordSchema.parse(item);
    else if (sortKey.startsWith(keys.holdPrefix)) holds.push(holdRecordSchema.parse(item));
    else if (sortKey.startsWith(keys.timelinePrefix)) timeline.push(timelineEntrySchema.parse(item));
    else if (sortKey.startsWith(keys.shipmentPrefix)) shipments.push(shipmentRecordSchema.parse(item));
    else if (sortKey.startsWith(keys.orderReturnPrefix)) returns.push(item);
  }
  return { order, holds, timeline, shipments, returns };
}

/**
 * docs/api.md order view (the handler adds how the caller names it and its channel), with its shipments in
 * plan order; returns belong to a later workflow and are empty until it exists.
 */
export async function getOrderView(
  table: TableRef,
  orderId: string,
): Promise<Omit<OrderResponse, 'channelId'> | undefined> {
  const { order, timeline, shipments, returns } = await loadOrderPartition(table, orderId);
  if (!order) return undefined;
  return {
    orderId: order.orderId,
    customerId: order.customerId,
    status: order.status,
    fulfilment: order.fulfilment,
    ...(order.currency ? { currency: order.currency } : {}),
    lines: order.lines,
    allocations: order.allocations,
    ...(order.shortfall.length > 0 ? { shortfall: order.shortfall } : {}),
    ...(order.pickupAlternatives.length > 0 ? { pickupAlternatives: order.pickupAlternatives } : {}),
    shipments: shipments.map(shipmentView),
    returns: returns.map(returnSummaryOf),
    timeline: timeline.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)),
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
  };
}

/** A return as the order view lists it (contracts/returns.ts returnSummarySchema). */
const returnSummaryOf = (item: Record<string, unknown>) => ({
  returnId: String(item.returnId),
  status: String(item.status),
  method: String(item.method),
  lines: item.lines as { sku: string; qty: number; reason: string }[],
  rmaCode: String(item.rmaCode),
  dropOffBy: String(item.dropOffBy),
});
