import type { TableRef } from '../adapters/dynamodb/client';
import { isTransactionRace, transactWrite } from '../adapters/dynamodb/items';
import { loadOrderPartition } from '../adapters/dynamodb/orders';
import { type ShipmentRecord, shipmentMove } from '../adapters/dynamodb/shipments';
import { TransientError } from '../contracts/errors';
import {
  type DispatchStepAnswer,
  pickedShipmentStatuses,
  stoppableShipmentStatuses,
} from '../contracts/shipments';
import { dispatchAnswer } from '../core/shipment-stage';
import { backOnShelf } from './back-on-shelf';

/** A cancellation stops what has not left; units already picked go back on the shelf (contracts/shipments.ts). */
const stoppable = stoppableShipmentStatuses;
const picked = pickedShipmentStatuses;

const attempts = 6;

/** A stopped shipment's parked task token, and what to answer its workflow. */
export interface StoppedWait {
  readonly token: string;
  readonly answer: DispatchStepAnswer;
}

/**
 * Cancels a cancelled order's shipments that have not left (docs/dispatch.md): each moves to CANCELLED, and
 * the units of one already picked go back on the shelf where they were picked (onHand and available rise),
 * in one transaction per shipment, conditioned on the version read, so units return once however often
 * this runs. Units still held were released with the order's holds.
 */
export async function cancelShipments(
  table: TableRef,
  input: {
    readonly orderId: string;
    readonly actor: string;
    readonly step: string;
    readonly reason: string;
    readonly now: Date;
  },
): Promise<{ readonly cancelled: number; readonly unitsReturned: number; readonly tokens: StoppedWait[] }> {
  const totals = { cancelled: 0, unitsReturned: 0, tokens: [] as StoppedWait[] };
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const { shipments } = await loadOrderPartition(table, input.orderId);
    // Every stopped shipment's parked token, also on a repeat: a crash may have cut off the wake-up.
    totals.tokens = shipments.flatMap((shipment) =>
      shipment.status === 'CANCELLED' && shipment.taskToken
        ? [{ token: shipment.taskToken, answer: dispatchAnswer(shipment, input.now) }]
        : [],
    );
    const open = shipments.filter((shipment) => stoppable.includes(shipment.status));
    if (open.length === 0) return totals;
    let raced = false;
    for (const shipment of open) {
      try {
        const { writes, next } = cancellationWrites(table, shipment, input);
        await transactWrite(table, 'cancelShipment', writes);
        totals.cancelled++;
        // The answer names what is left to do: a booking with a carrier is cancelled next (CancelBooking).
        if (shipment.taskToken)
          totals.tokens.push({ token: shipment.taskToken, answer: dispatchAnswer(next, input.now) });
        totals.unitsReturned += unitsOnShelf(shipment).reduce((sum, line) => sum + line.qty, 0);
      } catch (error) {
        // Staff moved it meanwhile: read again and cancel it from where it is now.
        if (!isTransactionRace(error)) throw error;
        raced = true;
      }
    }
    if (!raced) return totals;
  }
  throw new TransientError(`the shipments of ${input.orderId} kept moving while being cancelled`);
}

function cancellationWrites(
  table: TableRef,
  shipment: ShipmentRecord,
  input: { readonly actor: string; readonly step: string; readonly reason: string; readonly now: Date },
) {
  const at = input.now.toISOString();
  const move = shipmentMove(table, shipment, 'CANCELLED', {
    at,
    actor: input.actor,
    step: input.step,
    reason: input.reason,
  });
  return {
    next: move.next,
    writes: [
      move.item,
      ...backOnShelf(table, { ...shipment, lines: unitsOnShelf(shipment), received: [] }, at),
    ],
  };
}

/**
 * The units a cancelled shipment puts back on its location's shelf: what was picked there (from PACKING on)
 * and what its transfers brought (a pickup waiting at the store). Units still held are the holds' business.
 */
const unitsOnShelf = (shipment: ShipmentRecord) => [
  ...(picked.includes(shipment.status) ? shipment.lines : []),
  ...(shipment.received ?? []),
];
