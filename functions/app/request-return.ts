import { randomBytes } from 'node:crypto';
import type { TableRef } from '../adapters/dynamodb/client';
import { getLocation } from '../adapters/dynamodb/locations';
import { loadOrderPartition, type OrderRecord } from '../adapters/dynamodb/orders';
import {
  getReturnIdempotencyRecord,
  type ReturnIdempotencyRecord,
  type ReturnRecord,
  recordReturn,
  returnRecordSchema,
} from '../adapters/dynamodb/returns';
import { getSkuPolicies } from '../adapters/dynamodb/sku-policies';
import { TransientError } from '../contracts/errors';
import { splitOrderId } from '../contracts/order-ids';
import { type CreateReturnBody, lapsedReturnStatuses, type ReturnAccepted } from '../contracts/returns';
import { canTransition } from '../core/order-status';
import { deliveredUnits, type ReturnRefusal, refuseReturn, unitsAskedBack } from '../core/returns';

export type RequestReturnResult =
  | { readonly kind: 'accepted' | 'replayed'; readonly answer: ReturnAccepted }
  | { readonly kind: 'not-found' }
  /** The Idempotency-Key was used for another body. */
  | { readonly kind: 'key-reused' }
  | { readonly kind: 'refused'; readonly refusal: ReturnRefusal };

const attempts = 5;
const maxReturnsPerOrder = 99;

/**
 * A customer asks to return units of an order (docs/returns.md). What reached them, less what other returns
 * already ask back, within each SKU's window and policy, may come back (core/returns.ts). The return, the
 * order's status (RETURN_REQUESTED) and its timeline, and the caller's idempotency record are written in one
 * transaction conditioned on the order's version: of two requests at once for the same units, one is
 * recorded and the other reads again and is refused. The same key and body again answers the same.
 */
export async function requestReturn(
  table: TableRef,
  input: {
    readonly orderId: string;
    readonly principalId: string;
    readonly idempotencyKey: string;
    readonly requestHash: string;
    readonly body: CreateReturnBody;
    /** How long the customer has to bring the goods back (or hand them to the courier). */
    readonly dropOffSeconds: number;
    readonly now: Date;
  },
): Promise<RequestReturnResult> {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const partition = await loadOrderPartition(table, input.orderId);
    const { order } = partition;
    if (!order) return { kind: 'not-found' };
    const returns = partition.returns.map((item) => returnRecordSchema.parse(item));
    const number = Math.max(0, ...returns.map((existing) => existing.number)) + 1;
    // A return's id carries its number in two digits (contracts/return-status.ts).
    const refusal: ReturnRefusal | undefined =
      number > maxReturnsPerOrder
        ? {
            status: 422,
            code: 'TOO_MANY_RETURNS',
            field: 'lines',
            reason: `an order takes at most ${maxReturnsPerOrder} returns`,
          }
        : await refusalOf(table, input, { ...partition, order, returns });
    const record = newReturn(input, order.orderId, number);
    const answer: ReturnAccepted = {
      returnId: shownReturnId(record),
      status: record.status,
      rmaCode: record.rmaCode,
      dropOffBy: record.dropOffBy,
    };
    const idempotency: ReturnIdempotencyRecord = {
      requestHash: input.requestHash,
      response: { status: 202, body: answer },
    };
    // A refusal writes nothing, but a repeat of a request that was accepted is answered as it was first.
    if (refusal) {
      const replay = await replayOf(table, input);
      return replay ?? { kind: 'refused', refusal };
    }
    const status = canTransition(order.status, 'RETURN_REQUESTED') ? 'RETURN_REQUESTED' : undefined;
    const result = await recordReturn(table, {
      order,
      record,
      // The count always changes, so the write is conditioned on the order even when its status stays.
      orderChanges: { returnCount: record.number, ...(status ? { status } : {}) },
      entry: {
        at: record.createdAt,
        ...(status ? { status } : {}),
        event: 'RETURN_REQUESTED',
        actor: input.principalId,
        step: 'RequestReturn',
        reason: record.returnId,
      },
      idempotency: { principalId: input.principalId, key: input.idempotencyKey, record: idempotency },
      now: input.now,
    });
    if (result.kind === 'recorded') return { kind: 'accepted', answer };
    if (result.kind === 'key-used')
      return result.record?.requestHash === input.requestHash
        ? { kind: 'replayed', answer: result.record.response.body }
        : { kind: 'key-reused' };
  }
  throw new TransientError(`order ${input.orderId} kept changing while a return was requested`);
}

function newReturn(
  input: {
    readonly principalId: string;
    readonly body: CreateReturnBody;
    readonly dropOffSeconds: number;
    readonly now: Date;
  },
  orderId: string,
  number: number,
): ReturnRecord {
  const at = input.now.toISOString();
  const { body } = input;
  return {
    returnId: `${orderId}-r${number}`,
    orderId,
    number,
    status: 'REQUESTED',
    method: body.method,
    ...(body.storeId ? { storeId: body.storeId } : {}),
    ...(body.pickupAddress ? { pickupAddress: body.pickupAddress } : {}),
    lines: body.lines,
    ...(body.exchange ? { exchange: body.exchange } : {}),
    // A reference to write on the parcel or show at the counter, not a secret: 40 random bits, base32.
    rmaCode: `RMA-${randomBytes(5).readUIntBE(0, 5).toString(32).toUpperCase().padStart(8, '0')}`,
    dropOffBy: new Date(input.now.getTime() + input.dropOffSeconds * 1000).toISOString(),
    requestedBy: input.principalId,
    events: [{ at, status: 'REQUESTED', actor: input.principalId, step: 'RequestReturn' }],
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
}

/** How the order's channel names the return: its own order id, then the return's number. */
const shownReturnId = (record: ReturnRecord) =>
  `${splitOrderId(record.orderId)?.channelOrderId ?? record.orderId}-r${record.number}`;

/** The answer to an earlier accepted request with this key, if this is one. */
async function replayOf(
  table: TableRef,
  input: { readonly principalId: string; readonly idempotencyKey: string; readonly requestHash: string },
): Promise<RequestReturnResult | undefined> {
  const record = await getReturnIdempotencyRecord(table, input.principalId, input.idempotencyKey);
  if (!record) return undefined;
  return record.requestHash === input.requestHash
    ? { kind: 'replayed', answer: record.response.body }
    : { kind: 'key-reused' };
}

/** Why the request cannot be accepted against the order as read (core/returns.ts refuseReturn), if it cannot. */
async function refusalOf(
  table: TableRef,
  input: { readonly body: CreateReturnBody; readonly now: Date },
  read: {
    readonly order: OrderRecord;
    readonly shipments: Parameters<typeof deliveredUnits>[0];
    readonly returns: readonly ReturnRecord[];
  },
): Promise<ReturnRefusal | undefined> {
  const { body } = input;
  const { order } = read;
  return refuseReturn({
    lines: body.lines,
    delivered: deliveredUnits(read.shipments),
    requestedBefore: unitsAskedBack(read.returns, lapsedReturnStatuses),
    policies: await getSkuPolicies(
      table,
      body.lines.map((line) => line.sku),
    ),
    now: input.now,
    exchange: body.exchange,
    ...(order.currency
      ? {
          pricedSkus: new Set(
            order.lines.flatMap((line) => (line.unitPrice === undefined ? [] : [line.sku])),
          ),
        }
      : {}),
    ...(body.storeId ? { dropOffStore: (await getLocation(table, body.storeId)) ?? null } : {}),
  });
}
