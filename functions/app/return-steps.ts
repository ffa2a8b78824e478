import type { TableRef } from '../adapters/dynamodb/client';
import type { TransactItem } from '../adapters/dynamodb/items';
import { loadOrderPartition, orderVersionBump, versionedOrderChange } from '../adapters/dynamodb/orders';
import {
  changeReturn,
  getReturn,
  type ReturnChange,
  type ReturnRecord,
  returnRecordSchema,
} from '../adapters/dynamodb/returns';
import { returnNotFoundErrorName, TransientError, WorkflowTaskError } from '../contracts/errors';
import type { ReturnStepAnswer } from '../contracts/returns';
import { canTransition } from '../core/order-status';
import { deliveredUnits, orderStatusAfterReturns, returnStepAnswer } from '../core/returns';

export const returnsActor = 'workflow:returns';

/** How often a step reads again when the return (or its order) changed under it before it gives up. */
const attempts = 5;

/** A return the workflow works on; gone is a bug (a workflow is only started for a recorded return). */
export async function requireReturn(table: TableRef, orderId: string, number: number): Promise<ReturnRecord> {
  const record = await getReturn(table, orderId, number);
  if (!record) throw new WorkflowTaskError(returnNotFoundErrorName, `return ${orderId}-r${number} is gone`);
  return record;
}

/**
 * A return change that may end it (closed, expired), with the order's status it leads to in the same
 * transaction: RETURN_REQUESTED while another return is open, else what the closed returns add up to
 * (core/returns.ts orderStatusAfterReturns). False when the return or the order changed since they were read.
 */
export async function changeReturnAndOrder(
  table: TableRef,
  record: ReturnRecord,
  change: ReturnChange,
): Promise<boolean> {
  const partition = await loadOrderPartition(table, record.orderId);
  const { order } = partition;
  const returns = partition.returns
    .map((item) => returnRecordSchema.parse(item))
    .map((other) => (other.number === record.number ? { ...other, status: change.status } : other));
  const delivered = [...deliveredUnits(partition.shipments).values()].reduce(
    (sum, units) => sum + units.qty,
    0,
  );
  const status = orderStatusAfterReturns({
    returns,
    deliveredQty: delivered,
    reached: partition.shipments.some((shipment) => shipment.status === 'DELIVERED')
      ? 'DELIVERED'
      : 'COLLECTED',
  });
  // Only a move the order's life allows (an order still in transit elsewhere is dispatch's to move on), and
  // always conditioned on the order: two returns ending at once must not both decide from a stale read.
  const moves = order !== undefined && order.status !== status && canTransition(order.status, status);
  const orderItems: TransactItem[] = !order
    ? []
    : moves
      ? versionedOrderChange(
          table,
          order,
          { status },
          {
            at: change.at,
            status,
            actor: change.actor,
            // Apart from the return's own entry (one item per step and time).
            step: `${change.step}#${record.number}#order`,
            reason: record.returnId,
          },
        )
      : [orderVersionBump(table, order, change.at)];
  return changeReturn(table, record, change, orderItems);
}

/**
 * A wait ended without an answer (docs/returns.md): it timed out, or could not park because the return moved
 * on. A return still REQUESTED past dropOffBy is EXPIRED here (its units may be asked back again, and the
 * order goes back to what its other returns add up to); anything else is answered as it is, and the workflow
 * parks again. Idempotent: the expiry is conditioned on the return's version, and a repeat finds it expired.
 */
export async function settleReturnWait(
  table: TableRef,
  input: { readonly orderId: string; readonly number: number; readonly now: Date },
): Promise<ReturnStepAnswer> {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const record = await requireReturn(table, input.orderId, input.number);
    if (record.status !== 'REQUESTED' || Date.parse(record.dropOffBy) > input.now.getTime())
      return returnStepAnswer(record, input.now);
    const expired = await changeReturnAndOrder(table, record, {
      set: {},
      status: 'EXPIRED',
      step: 'Expire',
      actor: returnsActor,
      at: input.now.toISOString(),
      reason: `${record.returnId}: not brought back by ${record.dropOffBy}`,
    });
    if (expired) return returnStepAnswer({ ...record, status: 'EXPIRED' }, input.now);
  }
  throw new TransientError(`return ${input.orderId}-r${input.number} kept changing while it expired`);
}

/** The refund succeeded: the return is CLOSED, the order PARTIALLY_RETURNED or RETURNED. Idempotent. */
export async function closeReturn(
  table: TableRef,
  input: { readonly orderId: string; readonly number: number; readonly now: Date },
): Promise<ReturnStepAnswer> {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const record = await requireReturn(table, input.orderId, input.number);
    if (record.status !== 'REFUNDED') return returnStepAnswer(record, input.now);
    const closed = await changeReturnAndOrder(table, record, {
      set: {},
      status: 'CLOSED',
      step: 'CloseReturn',
      actor: returnsActor,
      at: input.now.toISOString(),
    });
    if (closed) return returnStepAnswer({ ...record, status: 'CLOSED' }, input.now);
  }
  throw new TransientError(`return ${input.orderId}-r${input.number} kept changing while it closed`);
}
