import { GetCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { keys } from '../../contracts/keys';
import {
  type ReturnAccepted,
  returnMethods,
  returnReasonSchema,
  returnStatusSchema,
} from '../../contracts/returns';
import type { TimelineEntry } from '../../contracts/schemas';
import { callAws } from '../errors';
import type { TableRef } from './client';
import { cancellationCodes, compact, type TransactItem, transactWrite } from './items';
import { idempotencyRetentionSeconds, type OrderRecord, versionedOrderChange } from './orders';

export const returnRecordSchema = z.object({
  returnId: z.string(),
  orderId: z.string(),
  number: z.number().int().positive(),
  status: returnStatusSchema,
  method: z.enum(returnMethods),
  storeId: z.string().optional(),
  pickupAddress: z.record(z.string(), z.unknown()).optional(),
  lines: z.array(z.object({ sku: z.string(), qty: z.number().int(), reason: returnReasonSchema })),
  exchange: z.array(z.object({ sku: z.string(), qty: z.number().int() })).optional(),
  rmaCode: z.string(),
  dropOffBy: z.string(),
  requestedBy: z.string(),
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
