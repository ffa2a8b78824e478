import type { SFNClient } from '@aws-sdk/client-sfn';
import type { TableRef } from '../adapters/dynamodb/client';
import { loadOrderPartition } from '../adapters/dynamodb/orders';
import {
  backorderWaiter,
  clearBackorderToken,
  closeBackorders,
} from '../adapters/dynamodb/procurement/backorders';
import { cancelOpenPurchaseOrders } from '../adapters/dynamodb/procurement/cancel-purchase-orders';
import { releaseHolds, transitionOrderReleasing } from '../adapters/dynamodb/reservations';
import { sendTaskFailure, sendTaskSuccess } from '../adapters/sfn/callbacks';
import {
  invalidStatusTransitionErrorName,
  orderCancelledErrorName,
  WorkflowTaskError,
} from '../contracts/errors';
import { stoppableShipmentStatuses } from '../contracts/shipments';
import { decideCancellation } from '../core/order-status';
import { cancelShipments, type StoppedWait } from './cancel-shipments';

export type CancelOrderResult =
  | {
      readonly kind: 'cancelled';
      /** The order was already CANCELLED: this call only repaired what an interrupted one left. */
      readonly replay: boolean;
      readonly releasedHolds: number;
      readonly withdrawnBackorders: number;
      readonly cancelledPurchaseOrders: string[];
      /** Procurement executions waiting on a now cancelled purchase order: wake them with `CANCELLED`. */
      readonly supplierTokens: string[];
      /** The fulfilment execution waiting on the backorder, if any: fail its wait with Order.Cancelled. */
      readonly fulfilmentToken?: string;
      /** Dispatch executions waiting on a now cancelled shipment: wake them to end Cancelled. */
      readonly shipmentTokens: StoppedWait[];
    }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'too-late'; readonly reason: string };

export const cancelStep = 'CancelOrder';

/** What a cancellation may find a shipment in: not yet gone, or already ended without leaving. */
const stoppableAfterCancel: readonly string[] = [
  ...stoppableShipmentStatuses,
  'RECEIVED',
  'CANCELLED',
  'REJECTED',
  'NOT_COLLECTED',
];

/**
 * Cancels an order (docs/operations.md: compensation is itself idempotent). The order becomes CANCELLED first, with its
 * holds released (a version-conditioned write: a reservation racing with this either lands before, and is
 * released on the re-read, or sees CANCELLED and stops). From then on nothing new can be written for it:
 * reservations, backorders and purchase orders are all conditioned on the order. Then its backorders are
 * withdrawn, holds a goods receipt gave them meanwhile released, and the purchase orders nobody confirmed
 * yet cancelled.
 * Calling it again on a cancelled order repeats every step, which finds nothing left to undo, so a crash
 * anywhere in between is repaired by the client's retry.
 */
export async function cancelOrder(
  table: TableRef,
  input: { orderId: string; actor: string; reason?: string; now: Date },
): Promise<CancelOrderResult> {
  const { order, shipments } = await loadOrderPartition(table, input.orderId);
  if (!order) return { kind: 'not-found' };
  const decision = decideCancellation(order.status);
  if (decision.kind === 'too-late') return decision;
  // A shipment already with a carrier or the customer cannot be stopped, whatever the others do.
  const gone = shipments.find((shipment) => !stoppableAfterCancel.includes(shipment.status));
  if (gone && decision.kind === 'cancel')
    return { kind: 'too-late', reason: `shipment ${gone.shipmentId} is ${gone.status}` };
  const reason = input.reason ?? `cancelled by ${input.actor}`;

  // The order first: once it is CANCELLED no reservation, backorder or purchase order can be written for it
  // (each is conditioned on the order), so what the next steps undo cannot grow behind them.
  let releasedHolds: number;
  try {
    ({ releasedHolds } = await transitionOrderReleasing(table, {
      orderId: input.orderId,
      status: 'CANCELLED',
      step: cancelStep,
      actor: input.actor,
      reason,
      now: input.now,
    }));
  } catch (error) {
    // Dispatch moved the order past the point of no return in the meantime.
    if (error instanceof WorkflowTaskError && error.name === invalidStatusTransitionErrorName)
      return { kind: 'too-late', reason: error.message };
    throw error;
  }
  const withdrawnBackorders = await closeBackorders(table, {
    orderId: input.orderId,
    token: undefined,
    status: 'WITHDRAWN',
    actor: input.actor,
    step: cancelStep,
    now: input.now,
  });
  // A goods receipt may have held units for a backorder until it was withdrawn just now.
  releasedHolds += await releaseHolds(table, input.orderId, input.now);
  // Dispatch stops: shipments not yet gone are cancelled, and picked units go back on the shelf.
  const stopped = await cancelShipments(table, {
    orderId: input.orderId,
    actor: input.actor,
    step: cancelStep,
    reason,
    now: input.now,
  });
  const purchaseOrders = await cancelOpenPurchaseOrders(table, {
    orderId: input.orderId,
    actor: input.actor,
    step: cancelStep,
    reason,
    now: input.now,
  });
  // Read after the order is CANCELLED: a wait parked later fails its condition and ends by itself.
  const waiter = await backorderWaiter(table, input.orderId);
  return {
    kind: 'cancelled',
    replay: decision.kind === 'already-cancelled',
    releasedHolds,
    withdrawnBackorders,
    cancelledPurchaseOrders: purchaseOrders.cancelled,
    supplierTokens: purchaseOrders.waitingTokens,
    ...(waiter.token ? { fulfilmentToken: waiter.token } : {}),
    shipmentTokens: stopped.tokens,
  };
}

/**
 * The cancellation use case: undoes the order's effects in the table (`cancelOrder`), then ends the workflows
 * still waiting for it. Procurement learns its purchase order was cancelled (it then finds the order no
 * longer needs buying); fulfilment's backorder wait fails with Order.Cancelled (a modelled ending). A stale
 * token means that workflow already moved on.
 */
export async function cancelOrderAndEndItsWorkflows(
  deps: { readonly table: TableRef; readonly sfn: SFNClient },
  input: { orderId: string; actor: string; reason?: string; now: Date },
): Promise<CancelOrderResult> {
  const result = await cancelOrder(deps.table, input);
  if (result.kind !== 'cancelled') return result;
  for (const token of result.supplierTokens)
    await sendTaskSuccess(deps.sfn, token, { decision: 'CANCELLED' });
  for (const { token, answer } of result.shipmentTokens) await sendTaskSuccess(deps.sfn, token, answer);
  if (result.fulfilmentToken) {
    await sendTaskFailure(
      deps.sfn,
      result.fulfilmentToken,
      orderCancelledErrorName,
      `${cancelStep}: order cancelled`,
    );
    await clearBackorderToken(deps.table, input.orderId, result.fulfilmentToken);
  }
  return result;
}
