import { GetCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { keys } from '../../contracts/keys';
import {
  type ReturnStatus,
  refundStates,
  returnMethods,
  returnReasonSchema,
  returnStatusSchema,
} from '../../contracts/return-status';
import type { ReturnAccepted } from '../../contracts/returns';
import type { TimelineEntry } from '../../contracts/schemas';
import { callAws } from '../errors';
import type { TableRef } from './client';
import { assignmentsOf, cancellationCodes, compact, type TransactItem, transactWrite } from './items';
import { idempotencyRetentionSeconds, type OrderRecord, timelineItem, versionedOrderChange } from './orders';

export const returnRecordSchema = z.object({
  returnId: z.string(),
  orderId: z.string(),
  number: z.number().int().positive(),
  status: returnStatusSchema,
  method: z.enum(returnMethods),
  storeId: z.string().optional(),
  pickupAddress: z.record(z.string(), z.unknown()).optional(),
  lines: z.array(z.object({ sku: z.string(), qty: z.number().int(), reason: returnReasonSchema })),
  exchange: z
    .array(z.object({ sku: z.string(), qty: z.number().int(), unitPrice: z.number().int().optional() }))
    .optional(),
  rmaCode: z.string(),
  dropOffBy: z.string(),
  requestedBy: z.string(),
  /** The receipt: where, when, by whom, and each SKU's units by condition. */
  receivedLocationId: z.string().optional(),
  receivedAt: z.string().optional(),
  receivedBy: z.string().optional(),
  inspected: z
    .array(
      z.object({
        sku: z.string(),
        reason: returnReasonSchema,
        resellable: z.number().int(),
        damaged: z.number().int(),
        missing: z.number().int(),
      }),
    )
    .optional(),
  /** Set by the transaction that put the units on the shelf and the damaged figure: disposes once. */
  disposedAt: z.string().optional(),
  /** Resellable units of each SKU already shared out (to backorders, then on sale), like a PO's `processed`. */
  processed: z.record(z.string(), z.number().int()).optional(),
  /** The refund asked of the channel: amount where the order carried prices. */
  refund: z
    .object({
      amount: z.number().int().optional(),
      currency: z.string().optional(),
      lines: z.array(z.object({ sku: z.string(), qty: z.number().int(), amount: z.number().int() })),
      reference: z.string().optional(),
    })
    .optional(),
  /** requested → succeeded, or failed (needs ops) → requested again; each request is a new attempt. */
  refundState: z.enum(refundStates).optional(),
  refundAttempt: z.number().int().optional(),
  replacementOrderId: z.string().optional(),
  /**
   * A courier pickup (docs/returns.md): where it goes, the carrier being asked (and the key it is asked with,
   * so a retry gets the same booking), the booking, its arrival, or why none could be booked.
   */
  pickup: z
    .object({
      destinationLocationId: z.string(),
      idempotencyKey: z.string(),
      askingCarrierId: z.string().optional(),
      carrierId: z.string().optional(),
      deliveryId: z.string().optional(),
      trackingNumber: z.string().optional(),
      bookedAt: z.string().optional(),
      arrivedAt: z.string().optional(),
      failed: z.string().optional(),
    })
    .optional(),
  /** The carrier webhooks applied to it (a replayed webhook-id changes nothing). */
  carrierWebhookIds: z.array(z.string()).optional(),
  taskToken: z.string().optional(),
  /** Every step of the return, with its actor. */
  events: z
    .array(z.object({ at: z.string(), status: returnStatusSchema, actor: z.string(), step: z.string() }))
    .default([]),
  version: z.number().int().positive(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ReturnRecord = z.infer<typeof returnRecordSchema>;

/** The stored answer to a return request, replayed for the same (principal, Idempotency-Key) and body. */
export interface ReturnIdempotencyRecord {
  readonly requestHash: string;
  readonly response: { readonly status: 202; readonly body: ReturnAccepted };
}

export type RecordReturnResult =
  | { readonly kind: 'recorded' }
  /** The key was used before: its answer, for the caller to replay (or refuse, when the body differs). */
  | { readonly kind: 'key-used'; readonly record: ReturnIdempotencyRecord | undefined }
  /** The order changed (another return, a status change) since it was read: read again. */
  | { readonly kind: 'race' };

/**
 * A return request, all or nothing: the return, the order's tally of units asked back (conditioned on the
 * order's version, so two requests at once never ask the same units back twice) with its status and
 * timeline entry, and the idempotency record of the caller's key.
 */
export async function recordReturn(
  table: TableRef,
  input: {
    readonly order: OrderRecord;
    readonly record: ReturnRecord;
    readonly orderChanges: Readonly<Record<string, unknown>>;
    readonly entry: TimelineEntry;
    readonly idempotency: {
      readonly principalId: string;
      readonly key: string;
      readonly record: ReturnIdempotencyRecord;
    };
    readonly now: Date;
  },
): Promise<RecordReturnResult> {
  const idempotencyKey = keys.idempotency(input.idempotency.principalId, input.idempotency.key);
  const writes: TransactItem[] = [
    {
      Put: {
        TableName: table.tableName,
        Item: {
          ...idempotencyKey,
          entity: 'idempotency',
          principalId: input.idempotency.principalId,
          ...input.idempotency.record,
          createdAt: input.record.createdAt,
          expiresAtEpoch: Math.floor(input.now.getTime() / 1000) + idempotencyRetentionSeconds,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Put: {
        TableName: table.tableName,
        Item: compact({
          ...keys.orderReturn(input.order.orderId, input.record.number),
          entity: 'return',
          ...input.record,
          ...returnIndexKeys(input.record, input.record.createdAt),
        }),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    ...versionedOrderChange(table, input.order, input.orderChanges, input.entry),
  ];
  try {
    await transactWrite(table, 'recordReturn', writes);
    return { kind: 'recorded' };
  } catch (error) {
    const [keyTaken] = cancellationCodes(error);
    if (keyTaken === 'ConditionalCheckFailed')
      return {
        kind: 'key-used',
        record: await getReturnIdempotencyRecord(table, input.idempotency.principalId, input.idempotency.key),
      };
    if (
      cancellationCodes(error).some(
        (code) => code === 'ConditionalCheckFailed' || code === 'TransactionConflict',
      )
    )
      return { kind: 'race' };
    throw error;
  }
}

/** The answer stored for a return request with this (principal, Idempotency-Key), if there was one. */
export async function getReturnIdempotencyRecord(
  table: TableRef,
  principalId: string,
  idempotencyKey: string,
): Promise<ReturnIdempotencyRecord | undefined> {
  const { Item } = await callAws('getReturnIdempotencyRecord', () =>
    table.document.send(
      new GetCommand({
        TableName: table.tableName,
        Key: keys.idempotency(principalId, idempotencyKey),
        ConsistentRead: true,
      }),
    ),
  );
  return Item
    ? {
        requestHash: String(Item.requestHash),
        response: Item.response as ReturnIdempotencyRecord['response'],
      }
    : undefined;
}

/** An order's n-th return, or undefined. */
export async function getReturn(
  table: TableRef,
  orderId: string,
  number: number,
): Promise<ReturnRecord | undefined> {
  const { Item } = await callAws('getReturn', () =>
    table.document.send(
      new GetCommand({ TableName: table.tableName, Key: keys.orderReturn(orderId, number) }),
    ),
  );
  return Item ? returnRecordSchema.parse(Item) : undefined;
}

/** Where a return is listed, by status (ops, through gsi2), and an open one at its store (an inspect task). */
export function returnIndexKeys(
  record: Pick<ReturnRecord, 'status' | 'returnId' | 'storeId' | 'dropOffBy' | 'refundState' | 'pickup'>,
  at: string,
): { gsi2pk: string; gsi2sk: string; gsi1pk?: string; gsi1sk?: string } {
  // A courier brought it: the destination inspects it. A drop-off at a named store: that store does.
  const arrived = record.pickup?.arrivedAt ? record.pickup.destinationLocationId : undefined;
  const inspectAt =
    record.status === 'IN_TRANSIT' || record.status === 'REQUESTED'
      ? (arrived ?? (record.status === 'REQUESTED' ? record.storeId : undefined))
      : undefined;
  const task = inspectAt
    ? keys.locationTask(inspectAt, record.dropOffBy, record.returnId)
    : record.status === 'REFUND_PENDING' && record.refundState === 'failed'
      ? keys.returnAttention(at, record.returnId)
      : {};
  return { ...keys.returnsByStatus(record.status, at, record.returnId), ...task };
}

/** A change of a return: the fields it sets, its status and timeline event, and the actor who made it. */
export interface ReturnChange {
  readonly set: Readonly<Record<string, unknown>>;
  readonly remove?: readonly string[];
  readonly status: ReturnStatus;
  readonly step: string;
  readonly actor: string;
  readonly at: string;
  /** Extra words for the order's timeline entry. */
  readonly reason?: string;
  /**
   * The change answers the workflow's parked wait (its caller sends the token): the token is cleared. By
   * default only a change of status does; a note on the return while it waits (a courier's progress) keeps it.
   */
  readonly answersWait?: boolean;
}

/**
 * A return's change as transaction writes, conditioned on the version that was read (a concurrent change
 * fails it, and the caller reads again): the fields, the status with its index keys, the event on the
 * return's timeline, and the same step on the order's timeline. When the change answers the parked wait the
 * task token is cleared (the wait parks again with a new one, or finds the return moved on).
 */
export function returnChangeItems(
  table: TableRef,
  record: ReturnRecord,
  change: ReturnChange,
): TransactItem[] {
  const indexed = returnIndexKeys({ ...record, ...change.set, status: change.status }, change.at);
  const { assignments, names, values } = assignmentsOf({
    ...change.set,
    ...indexed,
    status: change.status,
    updatedAt: change.at,
  });
  const answersWait = change.answersWait ?? change.status !== record.status;
  const removed = [
    ...(answersWait ? ['taskToken'] : []),
    ...(indexed.gsi1pk ? [] : ['gsi1pk', 'gsi1sk']),
    ...(change.remove ?? []),
  ];
  removed.forEach((field, index) => {
    names[`#r${index}`] = field;
  });
  const event = { at: change.at, status: change.status, actor: change.actor, step: change.step };
  return [
    {
      Update: {
        TableName: table.tableName,
        Key: keys.orderReturn(record.orderId, record.number),
        UpdateExpression:
          `SET ${[...assignments, 'version = :next', 'events = list_append(events, :event)'].join(', ')} ` +
          (removed.length > 0 ? `REMOVE ${removed.map((_, index) => `#r${index}`).join(', ')}` : ''),
        ConditionExpression: 'version = :version',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: {
          ...values,
          ':version': record.version,
          ':next': record.version + 1,
          ':event': [event],
        },
      },
    },
    {
      Put: {
        TableName: table.tableName,
        Item: timelineItem(record.orderId, {
          at: change.at,
          event: `RETURN_${change.status}`,
          actor: change.actor,
          step: `${change.step}#${record.number}`,
          reason: change.reason ?? record.returnId,
        }),
      },
    },
  ];
}

/** Applies a return change; false when the return changed since it was read (read again and decide again). */
export async function changeReturn(
  table: TableRef,
  record: ReturnRecord,
  change: ReturnChange,
  alongside: readonly TransactItem[] = [],
): Promise<boolean> {
  try {
    await transactWrite(table, 'changeReturn', [...returnChangeItems(table, record, change), ...alongside]);
    return true;
  } catch (error) {
    if (
      cancellationCodes(error).some(
        (code) => code === 'ConditionalCheckFailed' || code === 'TransactionConflict',
      )
    )
      return false;
    throw error;
  }
}

/** A plain change of a return's fields (no status change, no event), conditioned on the version that was read. */
export function returnFieldsItem(
  table: TableRef,
  record: ReturnRecord,
  fields: Readonly<Record<string, unknown>>,
  at: string,
): TransactItem {
  const { assignments, names, values } = assignmentsOf({ ...fields, updatedAt: at });
  return {
    Update: {
      TableName: table.tableName,
      Key: keys.orderReturn(record.orderId, record.number),
      UpdateExpression: `SET ${[...assignments, 'version = :next'].join(', ')}`,
      ConditionExpression: 'version = :version',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: {
        ...values,
        ':version': record.version,
        ':next': record.version + 1,
      },
    },
  };
}
