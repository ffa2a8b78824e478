import { getCarrier } from '../adapters/dynamodb/carriers';
import type { TableRef } from '../adapters/dynamodb/client';
import type { TransactItem } from '../adapters/dynamodb/items';
import { getLocations } from '../adapters/dynamodb/locations';
import { type HoldRecord, timelineItem } from '../adapters/dynamodb/orders';
import type { ShipmentRecord } from '../adapters/dynamodb/shipments';
import { problemCodes } from '../contracts/errors';
import {
  afterPickStatuses,
  dispatchDefaults,
  type HandoverBody,
  type PackBody,
  type PickBody,
  type RejectReason,
} from '../contracts/shipments';
import { mergeLines } from './counter-steps';
import { shipmentHoldWrites } from './hold-settlements';
import { packStepName, pickupCodeFor, pickupCodeHash } from './pickup-codes';
import type { ShipmentStepDefinition, StepDecision } from './shipment-step';

const atSource = (shipment: ShipmentRecord) => shipment.locationId;

/**
 * Staff picked the shipment (docs/dispatch.md). Each line's held units settle: the picked ones leave the
 * shelf with the order, and on a short pick the rest were not there, so they are written off (a cycle-count
 * correction on the timeline). A short shipment goes on to packing with what was found and its shortfall is
 * re-routed; one with nothing found is REJECTED and re-routed whole, and so is a short pickup (the found
 * units go back on the shelf: the customer collects everything at one counter).
 */
export const pickStep = (table: TableRef, body: PickBody): ShipmentStepDefinition => ({
  name: 'Picked',
  from: 'PICKING',
  actsAt: atSource,
  done: (shipment) =>
    afterPickStatuses.includes(shipment.status) ||
    (shipment.status === 'REJECTED' && rejectedBy(shipment, 'short_pick')),
  decide: ({ shipment, partition, at }) => {
    const mismatch = differenceOf(shipment.lines, body.lines);
    if (mismatch)
      return {
        kind: 'refuse',
        status: 422,
        code: problemCodes.pickMismatch,
        reason: mismatch,
        field: 'lines',
      };
    const picked = shipment.lines.map((line) => ({
      sku: line.sku,
      qty: body.lines.find((candidate) => candidate.sku === line.sku)?.qty ?? 0,
    }));
    const pickedOf = (sku: string) => picked.find((line) => line.sku === sku)?.qty ?? 0;
    const shortfall = shipment.lines
      .map((line) => ({ sku: line.sku, qty: line.qty - pickedOf(line.sku) }))
      .filter((line) => line.qty > 0);
    // A click-and-collect customer gets one counter: a pickup short anywhere moves whole to another store,
    // so what was found goes back on this shelf (with what its transfers brought), and only the missing units
    // are written off.
    const whole = shipment.type === 'pickup' && shortfall.length > 0;
    const writes = shipmentHoldWrites(table, {
      shipment,
      holds: partition.holds,
      outcome: (line) => ({ picked: whole ? 0 : pickedOf(line.sku), missing: line.qty - pickedOf(line.sku) }),
      returnReceived: whole,
      at,
    });
    if (!writes)
      return { kind: 'conflict', reason: `the units of ${shipment.shipmentId} are no longer held` };
    if (shortfall.length === 0) return { kind: 'move', to: 'PACKING', writes };
    const found = picked.filter((line) => line.qty > 0);
    return {
      kind: 'move',
      to: found.length > 0 && !whole ? 'PACKING' : 'REJECTED',
      reason: `picked short: ${shortfall.map((line) => `${line.qty} × ${line.sku}`).join(', ')} not found`,
      fields: {
        lines: whole ? shipment.lines : found,
        rejection: { reason: 'short_pick', shortfall: whole ? everything(shipment) : shortfall },
      },
      writes: [...writes, ...corrections(table, shipment, shortfall, at, 'short_pick')],
    };
  },
});

/**
 * Staff refuse the shipment: none of it is picked. Its held units are released at the location, except that
 * `out_of_stock` writes them off (they were not there: a cycle-count correction on the timeline). REJECTED,
 * its lines re-routed.
 */
export const rejectStep = (table: TableRef, reason: RejectReason): ShipmentStepDefinition => ({
  name: 'Rejected',
  from: 'PICKING',
  actsAt: atSource,
  done: (shipment) => shipment.status === 'REJECTED' && rejectedBy(shipment, reason),
  decide: ({ shipment, partition, at }) => rejection(table, shipment, partition.holds, reason, at),
});

/** A pick not done by dueBy: REJECTED as `timeout`, its units released (SettleStep, not staff). */
export function rejection(
  table: TableRef,
  shipment: ShipmentRecord,
  holds: readonly HoldRecord[],
  reason: RejectReason | 'timeout',
  at: string,
): StepDecision {
  const missing = reason === 'out_of_stock';
  const writes = shipmentHoldWrites(table, {
    shipment,
    holds,
    outcome: (line) => ({ picked: 0, missing: missing ? line.qty : 0 }),
    returnReceived: true,
    at,
  });
  if (!writes) return { kind: 'conflict', reason: `the units of ${shipment.shipmentId} are no longer held` };
  return {
    kind: 'move',
    to: 'REJECTED',
    reason,
    fields: { rejection: { reason, shortfall: everything(shipment) } },
    writes: [...writes, ...(missing ? corrections(table, shipment, shipment.lines, at, reason) : [])],
  };
}

/**
 * Staff packed the parcels. A delivery or same-day shipment waits for its carrier (PACKED); a transfer
 * leaves for its pickup store (IN_TRANSFER); a pickup parcel goes to the counter (READY_FOR_PICKUP) with a
 * pickup code and a deadline: the store's pickupHoldHours from now.
 */
export const packStep = (table: TableRef, body: PackBody): ShipmentStepDefinition => ({
  name: packStepName,
  from: 'PACKING',
  actsAt: atSource,
  done: (shipment) => afterPickStatuses.includes(shipment.status) && shipment.status !== 'PACKING',
  decide: async ({ shipment, at, now }) => {
    const parcels = body.parcels.map((parcel) => ({ weightGrams: parcel.weightGrams }));
    if (shipment.type === 'transfer') return { kind: 'move', to: 'IN_TRANSFER', fields: { parcels } };
    if (shipment.type !== 'pickup') return { kind: 'move', to: 'PACKED', fields: { parcels } };
    const [store] = await getLocations(table, [shipment.locationId]);
    const holdHours = store?.pickupHoldHours ?? dispatchDefaults.pickupHoldHours;
    const code = await pickupCodeFor(table, shipment.shipmentId, at);
    return {
      kind: 'move',
      to: 'READY_FOR_PICKUP',
      fields: {
        parcels,
        pickupBy: new Date(now.getTime() + holdHours * 3_600_000).toISOString(),
        pickupCodeHash: pickupCodeHash(shipment.shipmentId, code),
        wrongPickupCodes: 0,
      },
    };
  },
});

/**
 * The parcels left with a carrier (part 1: staff record it; part 2: the carrier's pick-up event). Handed to a
 * registered carrier (its id as `carrier`), the shipment is booked with it: only that carrier's signed
 * tracking webhooks may report on it (docs/carriers.md).
 */
export const handoverStep = (table: TableRef, body: HandoverBody): ShipmentStepDefinition => ({
  name: 'HandedOver',
  from: 'PACKED',
  actsAt: (shipment) =>
    shipment.type === 'delivery' || shipment.type === 'same_day' ? shipment.locationId : undefined,
  done: (shipment) => ['HANDED_OVER', 'RETURNING', 'RETURNED', 'DELIVERED'].includes(shipment.status),
  decide: async () => {
    const registered = await getCarrier(table, body.carrier);
    return {
      kind: 'move',
      to: 'HANDED_OVER',
      fields: {
        handover: {
          carrier: body.carrier,
          ...(body.trackingNumber ? { trackingNumber: body.trackingNumber } : {}),
        },
        ...(registered ? { booking: { carrierId: registered.carrierId } } : {}),
      },
    };
  },
});

/**
 * All a rejected shipment was to hand over: its own lines and, for a pickup, what its transfers brought (those
 * units go back on the failed store's shelf, and the pickup is sourced again whole, elsewhere).
 */
const everything = (shipment: ShipmentRecord) => mergeLines(shipment.lines, shipment.received ?? []);

const rejectedBy = (shipment: ShipmentRecord, reason: string) => shipment.rejection?.reason === reason;

/** The cycle-count corrections a short pick or an out-of-stock refusal makes, one timeline entry per SKU. */
function corrections(
  table: TableRef,
  shipment: ShipmentRecord,
  missing: readonly { sku: string; qty: number }[],
  at: string,
  reason: string,
): TransactItem[] {
  return missing.map((line) => ({
    Put: {
      TableName: table.tableName,
      Item: timelineItem(shipment.orderId, {
        at,
        event: 'STOCK_CORRECTED',
        actor: `location:${shipment.locationId}`,
        step: `StockCorrected#${shipment.shipmentId}#${line.sku}`,
        reason: `${reason}: ${line.qty} × ${line.sku} not on the shelf at ${shipment.locationId}; written off`,
      }),
    },
  }));
}

/** Why the picked lines cannot be this shipment's (an unknown SKU, more than asked, a line left out). */
function differenceOf(
  expected: readonly { sku: string; qty: number }[],
  picked: readonly { sku: string; qty: number }[],
): string | undefined {
  const wanted = new Map(expected.map((line) => [line.sku, line.qty]));
  for (const line of picked) {
    const qty = wanted.get(line.sku);
    if (qty === undefined) return `${line.sku} is not on this shipment`;
    if (line.qty > qty) return `${line.sku}: ${line.qty} picked, the shipment has ${qty}`;
  }
  const missing = expected.filter((line) => !picked.some((p) => p.sku === line.sku));
  return missing.length > 0
    ? `missing ${missing.map((line) => line.sku).join(', ')}: name every line, with qty 0 for none found`
    : undefined;
}
