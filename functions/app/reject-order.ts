import type { SFNClient } from '@aws-sdk/client-sfn';
import type { TableRef } from '../adapters/dynamodb/client';
import { holdSettleWrites } from '../adapters/dynamodb/holds';
import { isTransactionRace, transactWrite } from '../adapters/dynamodb/items';
import { loadOrderPartition, versionedOrderChange } from '../adapters/dynamodb/orders';
import { transitionOrder } from '../adapters/dynamodb/reservations';
import type { ShipmentRecord } from '../adapters/dynamodb/shipments';
import { sendTaskSuccess } from '../adapters/sfn/callbacks';
import { orderNotFoundErrorName, TransientError, WorkflowTaskError } from '../contracts/errors';
import type { OrderStatus } from '../contracts/schemas';
import { orderStageOf } from '../core/shipment-stage';
import { cancelShipments } from './cancel-shipments';
import { releasedPickup } from './counter-steps';
import { wakeWorkflow } from './shipment-step';

const attempts = 5;
const ended = ['REJECTED', 'CANCELLED', 'NOT_COLLECTED'];

/**
 * Nothing can serve what an order still lacks (no stock, no supplier). Fulfilment's first round rejects the
 * order. A re-route's round (docs/dispatch.md) gives up only the missing units when other shipments still
 * carry goods to the customer: the order takes their stage, what it held for the lost units is released,
 * and the timeline says SHORTFALL_UNSERVED for the channel to refund; a pickup waiting for its transfers
 * goes on once those still travelling are in. With nothing left to hand over, the order is REJECTED and its
 * dispatch stops as a cancellation would (picked units back on the shelf, waiting executions woken).
 * Idempotent: a repeat finds the order already moved.
 */
export async function rejectOrder(
  deps: { readonly table: TableRef; readonly sfn: SFNClient },
  input: {
    readonly orderId: string;
    readonly step: string;
    readonly actor: string;
    readonly reason?: string;
    readonly now: Date;
  },
): Promise<{ orderId: string; status: OrderStatus }> {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const { order, shipments, holds, timeline } = await loadOrderPartition(deps.table, input.orderId);
    if (!order) throw new WorkflowTaskError(orderNotFoundErrorName, `order ${input.orderId} does not exist`);
    // This step gave the shortfall up already (a retry, a redrive): the order has moved on from there.
    if (timeline.some((entry) => entry.step === input.step && entry.event === 'SHORTFALL_UNSERVED'))
      return { orderId: order.orderId, status: order.status };
    const stage = carriesGoods(shipments) ? orderStageOf(shipments) : undefined;
    if (order.status !== 'REJECTED' && stage) {
      const at = input.now.toISOString();
      const event = { at, actor: input.actor, step: input.step };
      const pickup = shipments.find(
        (shipment) => shipment.type === 'pickup' && !ended.includes(shipment.status),
      );
      const released = pickup
        ? await releasedPickup(deps.table, pickup, shipments, event, input.now)
        : undefined;
      try {
        await transactWrite(deps.table, 'giveUpShortfall', [
          ...versionedOrderChange(
            deps.table,
            order,
            { status: stage, shortfall: [] },
            {
              ...event,
              status: stage,
              event: 'SHORTFALL_UNSERVED',
              reason: `${input.reason ?? 'nothing can serve it'}; the rest of the order goes on`,
            },
          ),
          // Units held for the lost lines (a partial allocation) and carried by no shipment go back on sale.
          ...holds
            .filter((hold) => hold.status === 'HELD' && !hold.shipmentId)
            .flatMap((hold) => holdSettleWrites(deps.table, hold, { picked: 0, missing: 0, at })),
          ...(released ? [released.item] : []),
        ]);
      } catch (error) {
        if (!isTransactionRace(error)) throw error;
        continue;
      }
      if (released) await wakeWorkflow(deps.sfn, released.next, input.now);
      return { orderId: order.orderId, status: stage };
    }
    const rejected = await transitionOrder(deps.table, { ...input, status: 'REJECTED' });
    const stopped = await cancelShipments(deps.table, { ...input, reason: input.reason ?? 'order rejected' });
    for (const { token, answer } of stopped.tokens) await sendTaskSuccess(deps.sfn, token, answer);
    return rejected;
  }
  throw new TransientError(`order ${input.orderId} kept changing while rejecting it`);
}

/**
 * Whether some customer shipment still brings the customer something: one not ended, with goods of its own,
 * goods received, or a transfer still on its way to it.
 */
function carriesGoods(shipments: readonly ShipmentRecord[]): boolean {
  return shipments.some((shipment) => {
    if (shipment.type === 'transfer' || ended.includes(shipment.status)) return false;
    const travelling = shipments.some(
      (candidate) => shipment.awaits.includes(candidate.shipmentId) && !ended.includes(candidate.status),
    );
    return shipment.lines.length > 0 || (shipment.received?.length ?? 0) > 0 || travelling;
  });
}
