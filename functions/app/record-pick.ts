import type { TableRef } from '../adapters/dynamodb/client';
import { commitHold } from '../adapters/dynamodb/holds';
import { loadOrderPartition } from '../adapters/dynamodb/orders';
import { getShipment, moveShipment, type ShipmentRecord } from '../adapters/dynamodb/shipments';
import type { PickBody } from '../contracts/shipments';

export const pickStep = 'Picked';

export type PickResult =
  | { readonly kind: 'picked'; readonly shipment: ShipmentRecord }
  | { readonly kind: 'not-found' }
  /** Staff of another location: they may not touch this shipment. */
  | { readonly kind: 'forbidden'; readonly shipment: ShipmentRecord }
  /** The lines are not the shipment's lines (a short pick is re-sourced: not built yet, docs/dispatch.md). */
  | { readonly kind: 'mismatch'; readonly reason: string }
  | { readonly kind: 'conflict'; readonly reason: string };

/**
 * Staff picked a shipment: its held units leave the shelf (the holds are committed, so `onHand` and
 * `reserved` both drop at that location) and it moves to PACKING. Both steps are idempotent and run in that
 * order every time, so a crash between them is repaired by the repeat, and a repeat after the pick answers
 * what the shipment is now. A hold that was released meanwhile (the order was cancelled) refuses the pick.
 */
export async function recordPick(
  table: TableRef,
  input: {
    readonly shipmentId: string;
    readonly body: PickBody;
    readonly actor: string;
    /** The location the caller acts for (`*` for any). */
    readonly scope: string;
    readonly now: Date;
  },
): Promise<PickResult> {
  const shipment = await getShipment(table, input.shipmentId);
  if (!shipment) return { kind: 'not-found' };
  if (input.scope !== '*' && input.scope !== shipment.locationId) return { kind: 'forbidden', shipment };
  const mismatch = differenceOf(shipment.lines, input.body.lines);
  if (mismatch) return { kind: 'mismatch', reason: mismatch };
  if (shipment.events.some((event) => event.status === 'PACKING') && shipment.status !== 'PICKING')
    return { kind: 'picked', shipment };
  if (shipment.status !== 'PICKING')
    return { kind: 'conflict', reason: `shipment ${shipment.shipmentId} is ${shipment.status}` };
  for (const line of shipment.lines) {
    const hold = { orderId: shipment.orderId, sku: line.sku, locationId: shipment.locationId };
    if ((await commitHold(table, hold, input.now)) === 'not-held' && !(await wasCommitted(table, shipment))) {
      return { kind: 'conflict', reason: `the units of ${line.sku} are no longer held for this order` };
    }
  }
  const moved = await moveShipment(table, shipment.shipmentId, {
    from: ['PICKING'],
    to: 'PACKING',
    event: { at: input.now.toISOString(), actor: input.actor, step: pickStep },
  });
  if (moved.outcome === 'not-found') return { kind: 'not-found' };
  if (moved.outcome === 'conflict')
    return { kind: 'conflict', reason: `shipment ${shipment.shipmentId} is ${moved.shipment.status}` };
  return { kind: 'picked', shipment: moved.shipment };
}

/** Why the picked lines are not the shipment's (missing, extra or other quantities), or undefined. */
function differenceOf(
  expected: readonly { sku: string; qty: number }[],
  picked: readonly { sku: string; qty: number }[],
): string | undefined {
  const wanted = new Map(expected.map((line) => [line.sku, line.qty]));
  for (const line of picked) {
    const qty = wanted.get(line.sku);
    if (qty === undefined) return `${line.sku} is not on this shipment`;
    if (line.qty < qty) return `${line.sku}: ${line.qty} of ${qty} picked; short picks are not accepted yet`;
    if (line.qty > qty) return `${line.sku}: ${line.qty} picked, the shipment has ${qty}`;
  }
  const missing = expected.filter((line) => !picked.some((p) => p.sku === line.sku));
  return missing.length > 0 ? `missing ${missing.map((line) => line.sku).join(', ')}` : undefined;
}

/** Whether this shipment's holds are already committed (an earlier run of this pick got that far). */
async function wasCommitted(table: TableRef, shipment: ShipmentRecord): Promise<boolean> {
  const { holds } = await loadOrderPartition(table, shipment.orderId);
  return shipment.lines.every((line) =>
    holds.some(
      (hold) =>
        hold.sku === line.sku && hold.locationId === shipment.locationId && hold.status === 'COMMITTED',
    ),
  );
}
