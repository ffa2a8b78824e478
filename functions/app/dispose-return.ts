import type { SFNClient } from '@aws-sdk/client-sfn';
import type { TableRef } from '../adapters/dynamodb/client';
import { isTransactionRace, transactWrite } from '../adapters/dynamodb/items';
import { loadOrder, type OrderRecord } from '../adapters/dynamodb/orders';
import {
  allocationRun,
  ordersFullyAllocated,
  shareOutUnits,
} from '../adapters/dynamodb/procurement/allocate-receipt';
import { changeReturn, type ReturnRecord, returnFieldsItem } from '../adapters/dynamodb/returns';
import { shelfReturnItem } from '../adapters/dynamodb/shelf-returns';
import { orderNotFoundErrorName, TransientError, WorkflowTaskError } from '../contracts/errors';
import type { ReturnStepAnswer } from '../contracts/returns';
import { refundFor, returnStepAnswer } from '../core/returns';
import { createReplacementOrder, replacementPrices } from './replacement-orders';
import { resumeBackorders } from './resume-backorders';
import { changeReturnAndOrder, requireReturn, returnsActor } from './return-steps';

const step = 'Dispose';

export interface DisposeDeps {
  readonly table: TableRef;
  readonly sfn: SFNClient;
  readonly fulfilmentStateMachineArn: string;
  readonly holdMinutes: number;
}

/**
 * Puts a received return's units where they belong, then settles its money (docs/returns.md). Each part is
 * conditioned on the return's version and leaves its mark on it, so a retry or a redrive after any of them
 * repeats none:
 * 1. resellable units onto the receiving location's shelf, earmarked, and damaged ones to its damaged figure
 *    (`disposedAt`);
 * 2. the resellable units shared out: waiting backorders first, oldest first, the rest on sale (`processed`),
 *    and the orders now fully allocated resumed;
 * 3. the exchange's replacement order, when every unit asked back came back (`replacementOrderId`);
 * 4. the refund the policy gives, asked of the channel (REFUND_PENDING, refund.requested), or CLOSED when
 *    nothing is due.
 */
export async function disposeReturn(
  deps: DisposeDeps,
  input: { readonly orderId: string; readonly number: number; readonly now: Date },
): Promise<ReturnStepAnswer> {
  const { table, now } = { table: deps.table, now: input.now };
  let record = await requireReturn(table, input.orderId, input.number);
  if (record.status !== 'RECEIVED') return returnStepAnswer(record, now);
  const order = await loadOrder(table, record.orderId);
  if (!order) throw new WorkflowTaskError(orderNotFoundErrorName, `order ${record.orderId} is gone`);
  if (!record.disposedAt) record = await putUnitsAway(table, record, now);
  record = await shareOutResellable(deps, record, now);
  // The exchange is for the units asked back: only when every one of them came back (none missing) is the
  // replacement sent; otherwise the return is refunded as any other, and the channel arranges the rest.
  const allBack = (record.inspected ?? []).every((line) => line.missing === 0);
  if (record.exchange && allBack && !record.replacementOrderId)
    record = await linkReplacement(deps, record, order, now);
  return settleMoney(table, record, order, now);
}

/** Resellable units earmarked on the receiving location's shelf, damaged ones to its damaged figure: once. */
async function putUnitsAway(table: TableRef, record: ReturnRecord, now: Date): Promise<ReturnRecord> {
  const at = now.toISOString();
  const locationId = record.receivedLocationId as string;
  const shelved = (record.inspected ?? [])
    .filter((line) => line.resellable + line.damaged > 0)
    .map((line) =>
      shelfReturnItem(table, {
        sku: line.sku,
        locationId,
        qty: line.resellable,
        earmarked: true,
        damaged: line.damaged,
        at,
      }),
    );
  await writeOrRetry(record, () =>
    transactWrite(table, 'disposeReturn', [
      // No empty `processed` map here: DynamoDB Local's stream cannot carry one (its records fail to read).
      returnFieldsItem(table, record, { disposedAt: at }, at),
      ...shelved,
    ]),
  );
  return { ...record, disposedAt: at, version: record.version + 1 };
}

/** Each SKU's resellable units shared out once (backorders first), then the orders they complete resumed. */
async function shareOutResellable(deps: DisposeDeps, record: ReturnRecord, now: Date): Promise<ReturnRecord> {
  const run = allocationRun(deps.table, { step, actor: returnsActor, now, holdMinutes: deps.holdMinutes });
  let current = record;
  const skus: string[] = [];
  for (const line of current.inspected ?? []) {
    if (line.resellable === 0) continue;
    skus.push(line.sku);
    const done = current.processed?.[line.sku] ?? 0;
    if (done >= line.resellable) continue;
    const processed = { ...current.processed, [line.sku]: line.resellable };
    await shareOutUnits(run, {
      sku: line.sku,
      locationId: current.receivedLocationId as string,
      pending: line.resellable - done,
      source: current.returnId,
      markProcessed: returnFieldsItem(deps.table, current, { processed }, run.at),
    });
    current = { ...current, processed, version: current.version + 1 };
  }
  // Also on a retry after the allocation: an order whose resume failed is resumed now.
  const toResume = await ordersFullyAllocated(deps.table, skus);
  await resumeBackorders(deps, toResume, { actor: returnsActor, step, source: current.returnId, now });
  return current;
}

/** The exchange's replacement order, created and started once, and linked from the return. */
async function linkReplacement(
  deps: DisposeDeps,
  record: ReturnRecord,
  order: OrderRecord,
  now: Date,
): Promise<ReturnRecord> {
  const replacementOrderId = await createReplacementOrder(deps, { record, order, now });
  const at = now.toISOString();
  await writeOrRetry(record, () =>
    transactWrite(deps.table, 'linkReplacement', [
      returnFieldsItem(deps.table, record, { replacementOrderId }, at),
    ]),
  );
  return { ...record, replacementOrderId, version: record.version + 1 };
}

/**
 * The refund the policy gives (core/returns.ts refundFor): refundable units at the price paid, less the
 * replacement's price. Due: REFUND_PENDING, and the stream tells the channel (refund.requested). Nothing due
 * (no refundable unit, or an exchange that costs as much): the return is CLOSED.
 */
async function settleMoney(
  table: TableRef,
  record: ReturnRecord,
  order: OrderRecord,
  now: Date,
): Promise<ReturnStepAnswer> {
  const at = now.toISOString();
  const prices = new Map(
    order.lines.flatMap((line) => (line.unitPrice === undefined ? [] : [[line.sku, line.unitPrice]])),
  );
  const replacementTotal = record.replacementOrderId
    ? [...replacementPrices(record, order).entries()].reduce(
        (sum, [sku, price]) => sum + price * (record.exchange?.find((line) => line.sku === sku)?.qty ?? 0),
        0,
      )
    : 0;
  const refund = refundFor(record.inspected ?? [], prices, replacementTotal);
  // Without prices nothing can be netted: a replacement sent settles the return, or the refundable lines are due.
  const due = order.currency
    ? refund.amount > 0
    : !record.replacementOrderId && refund.lines.some((line) => line.qty > 0);
  if (!due) {
    const closed = await changeReturnAndOrder(table, record, {
      set: {},
      status: 'CLOSED',
      step,
      actor: returnsActor,
      at,
      reason: `${record.returnId}: nothing to refund`,
    });
    if (!closed) throw new TransientError(`return ${record.returnId} changed while it closed`);
    return returnStepAnswer({ ...record, status: 'CLOSED' }, now);
  }
  const requested = await changeReturn(table, record, {
    set: {
      refund: {
        ...(order.currency ? { amount: refund.amount, currency: order.currency } : {}),
        lines: refund.lines.filter((line) => line.qty > 0),
      },
      refundState: 'requested',
      refundAttempt: 1,
    },
    status: 'REFUND_PENDING',
    step,
    actor: returnsActor,
    at,
    reason: `${record.returnId}: refund of ${order.currency ? `${refund.amount} ${order.currency}` : 'unpriced lines'} asked`,
  });
  if (!requested) throw new TransientError(`return ${record.returnId} changed while its refund was asked`);
  return returnStepAnswer({ ...record, status: 'REFUND_PENDING', refundState: 'requested' }, now);
}

/** A write conditioned on the return's version that lost a race: the ASL retries the whole (idempotent) task. */
async function writeOrRetry(record: ReturnRecord, write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (isTransactionRace(error))
      throw new TransientError(`return ${record.returnId} changed while it was disposed of`, {
        cause: error,
      });
    throw error;
  }
}
