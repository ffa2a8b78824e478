import type { TableRef } from '../adapters/dynamodb/client';
import { holdCommitWrites } from '../adapters/dynamodb/holds';
import { isTransactionRace, transactWrite } from '../adapters/dynamodb/items';
import { type HoldRecord, loadOrderPartition } from '../adapters/dynamodb/orders';
import { type ShipmentRecord, shipmentMove } from '../adapters/dynamodb/shipments';
import { TransientError } from '../contracts/errors';
import { orderIdOfShipment, type PickBody } from '../contracts/shipments';

export const pickStep = 'Picked';

export type PickResult =
  | { readonly kind: 'picked'; readonly shipment: ShipmentRecord }
  | { readonly kind: 'not-found' }
  /** Staff of another location: they may not touch this shipment. */
  | { readonly kind: 'forbidden'; readonly shipment: ShipmentRecord }
  /** The lines are not the shipment's lines (a short pick is re-sourced: not built yet, docs/dispatch.md). */
  | { readonly kind: 'mismatch'; readonly reason: string }
  | { readonly kind: 'conflict'; readonly reason: string };

const attempts = 5;

/**
 * Staff picked a shipment: its held units leave the shelf (the holds are committed, so `onHand` and
 * `reserved` both drop at that location) and it moves to PACKING, all in one transaction conditioned on the
 * shipment's version and each hold still HELD. So a pick and a cancellation never interleave: either the
 * units left with the pick (and a cancellation returns them) or they were released (and the pick is refused).
 * A repeat after the pick answers what the shipment is now.
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
  const orderId = orderIdOfShipment(input.shipmentId);
  if (!orderId) return { kind: 'not-found' };
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const { shipments, holds } = await loadOrderPartition(table, orderId);
    const shipment = shipments.find((candidate) => candidate.shipmentId === input.shipmentId);
    if (!shipment) return { kind: 'not-found' };
    if (input.scope !== '*' && input.scope !== shipment.locationId) return { kind: 'forbidden', shipment };
    const mismatch = differenceOf(shipment.lines, input.body.lines);
    if (mismatch) return { kind: 'mismatch', reason: mismatch };
    if (shipment.status === 'PACKING') return { kind: 'picked', shipment };
    if (shipment.status !== 'PICKING')
      return { kind: 'conflict', reason: `shipment ${shipment.shipmentId} is ${shipment.status}` };
    const held = shipment.lines.map((line) =>
      holds.find(
        (hold) => hold.sku === line.sku && hold.locationId === shipment.locationId && hold.status === 'HELD',
      ),
    );
    if (held.some((hold) => !hold))
      return { kind: 'conflict', reason: `the units of shipment ${shipment.shipmentId} are no longer held` };
    const at = input.now.toISOString();
    const move = shipmentMove(table, shipment, 'PACKING', { at, actor: input.actor, step: pickStep });
    try {
      await transactWrite(table, 'recordPick', [
        move.item,
        ...(held as HoldRecord[]).flatMap((hold) => holdCommitWrites(table, hold, at)),
      ]);
      return { kind: 'picked', shipment: move.next };
    } catch (error) {
      // The shipment or a hold changed meanwhile (another pick, a cancellation): read again and answer.
      if (!isTransactionRace(error)) throw error;
    }
  }
  throw new TransientError(`picking ${input.shipmentId} kept racing`);
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
