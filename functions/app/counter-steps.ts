import type { TableRef } from '../adapters/dynamodb/client';
import { getLocations } from '../adapters/dynamodb/locations';
import { type ShipmentRecord, shipmentMove } from '../adapters/dynamodb/shipments';
import { problemCodes } from '../contracts/errors';
import { type CollectBody, dispatchDefaults, maxWrongPickupCodes } from '../contracts/shipments';
import { isDispatching } from '../core/order-status';
import { carrierStepOf } from '../core/shipment-stage';
import { backOnShelf } from './back-on-shelf';
import { isPickupCode } from './pickup-codes';
import type { ShipmentStepDefinition, StepDecision } from './shipment-step';

/**
 * The customer shows the pickup code at the counter (docs/dispatch.md). The right code hands the goods over:
 * COLLECTED (they left the shelf when picked). A wrong one is refused and counted; at the fifth in a row the
 * shipment is locked until ops unlock it, so a code cannot be guessed (a million codes, five tries).
 */
export const collectStep = (body: CollectBody): ShipmentStepDefinition => ({
  name: 'Collected',
  from: 'READY_FOR_PICKUP',
  actsAt: (shipment) => (shipment.type === 'pickup' ? shipment.locationId : undefined),
  done: (shipment) => shipment.status === 'COLLECTED',
  decide: ({ shipment }): StepDecision => {
    const wrong = shipment.wrongPickupCodes ?? 0;
    if (wrong >= maxWrongPickupCodes)
      return {
        kind: 'refuse',
        status: 409,
        code: problemCodes.pickupLocked,
        reason: `${wrong} wrong pickup codes: locked until ops unlock shipment ${shipment.shipmentId}`,
        field: 'pickupCode',
      };
    if (
      shipment.pickupCodeHash &&
      isPickupCode(shipment.shipmentId, body.pickupCode, shipment.pickupCodeHash)
    )
      return { kind: 'move', to: 'COLLECTED', fields: { wrongPickupCodes: 0 } };
    const count = wrong + 1;
    return {
      kind: 'refuse',
      status: 422,
      code: problemCodes.wrongPickupCode,
      reason:
        count >= maxWrongPickupCodes
          ? `wrong pickup code; ${count} in a row, so the shipment is locked until ops unlock it`
          : `wrong pickup code (${count} of ${maxWrongPickupCodes} before the shipment locks)`,
      field: 'pickupCode',
      record: {
        fields: { wrongPickupCodes: count },
        reason: `wrong pickup code ${count} of ${maxWrongPickupCodes}`,
      },
    };
  },
});

/** Ops lift the lock five wrong codes put on a pickup shipment; the counter may try again. */
export const unlockStep: ShipmentStepDefinition = {
  name: 'PickupUnlocked',
  from: 'READY_FOR_PICKUP',
  actsAt: (shipment) => (shipment.type === 'pickup' ? shipment.locationId : undefined),
  done: (shipment) =>
    shipment.status === 'READY_FOR_PICKUP' && (shipment.wrongPickupCodes ?? 0) < maxWrongPickupCodes,
  decide: () => ({
    kind: 'move',
    to: 'READY_FOR_PICKUP',
    fields: { wrongPickupCodes: 0 },
    reason: 'unlocked by ops',
  }),
};

/**
 * Ops ask for a new booking round for a packed shipment no carrier took (POST /ops/shipments/{id}/rebook):
 * the attention is lifted and the waiting workflow books again (BookCarrier). Asked again before it ran, it
 * changes nothing and answers the same.
 */
export const rebookStep: ShipmentStepDefinition = {
  name: 'Rebook',
  from: 'PACKED',
  actsAt: (shipment) =>
    shipment.type === 'delivery' || shipment.type === 'same_day' ? shipment.locationId : undefined,
  done: (shipment) => carrierStepOf(shipment) === 'book',
  decide: ({ shipment }) =>
    carrierStepOf(shipment) === 'attention'
      ? {
          kind: 'move',
          to: 'PACKED',
          fields: { rebooks: (shipment.rebooks ?? 0) + 1 },
          clears: ['attention'],
          reason: 'rebooked by ops',
        }
      : {
          kind: 'conflict',
          reason: `shipment ${shipment.shipmentId} is booked with ${shipment.booking?.carrierId}`,
        },
};

/**
 * Staff of the pickup store confirm a transfer arrived: RECEIVED, and its units join the pickup shipment
 * they travelled for (handed over with its own). Once every transfer it waits for is in (or was re-routed
 * into another that is in), and no re-route is still sourcing, the pickup shipment's own pick opens, due a
 * pick promise from now; with nothing of its own to pick it goes straight to packing.
 */
export const receiveStep = (table: TableRef): ShipmentStepDefinition => ({
  name: 'TransferReceived',
  from: 'IN_TRANSFER',
  actsAt: (shipment) => (shipment.type === 'transfer' ? shipment.destinationLocationId : undefined),
  done: (shipment) => shipment.status === 'RECEIVED',
  decide: async ({ shipment, order, partition, at, now }): Promise<StepDecision> => {
    const pickup = partition.shipments.find((candidate) => candidate.awaits.includes(shipment.shipmentId));
    if (!pickup) return { kind: 'move', to: 'RECEIVED' };
    const event = { at, actor: `workflow:dispatch`, step: `TransferReceived#${shipment.shipmentId}` };
    const received = mergeLines(pickup.received ?? [], shipment.lines);
    const arrived = partition.shipments.map((candidate) =>
      candidate.shipmentId === shipment.shipmentId
        ? { ...candidate, status: 'RECEIVED' as const }
        : candidate,
    );
    const released = isDispatching(order.status)
      ? await releasedPickup(table, { ...pickup, received }, arrived, event, now)
      : undefined;
    if (!released) {
      const { item } = shipmentMove(table, pickup, pickup.status, event, { received });
      return { kind: 'move', to: 'RECEIVED', writes: [item] };
    }
    return {
      kind: 'move',
      to: 'RECEIVED',
      writes: [released.item],
      alsoWake: [released.next],
    };
  },
});

/**
 * The move that opens a pickup shipment's own steps once nothing it waits for is on its way any more (each
 * transfer received, or ended without goods), due one pick promise from now; with nothing of its own to
 * pick, it goes straight to packing. Undefined while a transfer is still travelling, or if it is not waiting.
 * The caller checks that no re-route is still sourcing for the order.
 */
export async function releasedPickup(
  table: TableRef,
  pickup: ShipmentRecord,
  shipments: readonly ShipmentRecord[],
  event: { readonly at: string; readonly actor: string; readonly step: string },
  now: Date,
  /** Fields the same write also sets (lines and awaits a re-route's round adds). */
  fields: Partial<Pick<ShipmentRecord, 'lines' | 'awaits'>> = {},
) {
  const awaited = shipments.filter((candidate) => pickup.awaits.includes(candidate.shipmentId));
  // A refused transfer whose re-route has not run yet still counts: its replacement is on the way.
  const travelling = awaited.some(
    (candidate) =>
      !['RECEIVED', 'REJECTED', 'CANCELLED'].includes(candidate.status) ||
      (candidate.status === 'REJECTED' && candidate.rejection?.reroutedAs === undefined),
  );
  if (pickup.status !== 'AWAITING_TRANSFER' || travelling) return undefined;
  const [store] = await getLocations(table, [pickup.locationId]);
  const minutes = store?.pickWithinMinutes ?? dispatchDefaults.pickWithinMinutes;
  const dueBy = new Date(now.getTime() + minutes * 60_000).toISOString();
  return shipmentMove(table, pickup, pickup.lines.length > 0 ? 'PICKING' : 'PACKING', event, {
    ...fields,
    ...(pickup.received ? { received: pickup.received } : {}),
    dueBy,
  });
}

export function mergeLines(
  into: readonly { sku: string; qty: number }[],
  lines: readonly { sku: string; qty: number }[],
): { sku: string; qty: number }[] {
  const merged = new Map(into.map((line) => [line.sku, line.qty]));
  for (const line of lines) merged.set(line.sku, (merged.get(line.sku) ?? 0) + line.qty);
  return [...merged].map(([sku, qty]) => ({ sku, qty }));
}

/**
 * Staff at the origin confirm a parcel the carrier could not deliver is back (docs/carriers.md): RETURNED,
 * its units back on the shelf there, and the order DELIVERY_FAILED once nothing else is on its way, for the
 * channel to refund.
 */
export const returnedStep = (table: TableRef): ShipmentStepDefinition => ({
  name: 'ReturnedToSender',
  from: 'RETURNING',
  actsAt: (shipment) => shipment.locationId,
  done: (shipment) => shipment.status === 'RETURNED',
  decide: ({ shipment, at }) => ({
    kind: 'move',
    to: 'RETURNED',
    reason: `back at ${shipment.locationId} after ${shipment.tracking?.attempts ?? 0} failed attempts`,
    writes: backOnShelf(table, { ...shipment, received: [] }, at),
  }),
});
