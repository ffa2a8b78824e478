import type { TableRef } from '../adapters/dynamodb/client';
import type { TransactItem } from '../adapters/dynamodb/items';
import { type ShipmentRecord, shipmentMove } from '../adapters/dynamodb/shipments';
import { invalidStatusTransitionErrorName, WorkflowTaskError } from '../contracts/errors';
import type { PlannedShipment } from '../core/shipments';
import { mergeLines, releasedPickup } from './counter-steps';

/**
 * A re-route's round for a pickup order whose pickup shipment still waits at the store (docs/dispatch.md):
 * the store units the round found join that shipment's own lines (no second pickup shipment), and its new
 * transfers join what it waits for. If nothing it waits for is travelling any more, its own steps open now
 * (it is released, and its workflow must be woken after the write). Only a pickup not yet picked can take
 * more; a later one is a bug the round fails on, for ops to see.
 */
export async function joinPickup(
  table: TableRef,
  input: {
    readonly pickup: ShipmentRecord;
    readonly plan: readonly PlannedShipment[];
    readonly shipments: readonly ShipmentRecord[];
    readonly context: { readonly at: string; readonly actor: string; readonly step: string };
    readonly now: Date;
  },
): Promise<{
  /** The round's shipments still to create (the store's share is the existing pickup's now). */
  readonly planned: PlannedShipment[];
  /** The existing pickup as the carrier of the store units' holds. */
  readonly carriers: Pick<PlannedShipment, 'shipmentId' | 'locationId' | 'lines'>[];
  readonly items: TransactItem[];
  readonly released?: ShipmentRecord;
}> {
  const { pickup, plan, context } = input;
  const storeShare = plan.find((shipment) => shipment.type === 'pickup');
  const planned = plan.filter((shipment) => shipment !== storeShare);
  const transfers = planned.filter((shipment) => shipment.type === 'transfer').map((t) => t.shipmentId);
  if (!storeShare && transfers.length === 0) return { planned, carriers: [], items: [] };
  if (pickup.status !== 'AWAITING_TRANSFER' && pickup.status !== 'PICKING')
    throw new WorkflowTaskError(
      invalidStatusTransitionErrorName,
      `pickup shipment ${pickup.shipmentId} is ${pickup.status}: it can take no more goods`,
    );
  const fields = {
    lines: mergeLines(pickup.lines, storeShare?.lines ?? []),
    awaits: [...pickup.awaits, ...transfers],
  };
  const carriers = storeShare ? [{ ...storeShare, shipmentId: pickup.shipmentId }] : [];
  // Nothing new travels to it: it may go on now, with the store units it just took.
  const released =
    transfers.length === 0
      ? await releasedPickup(table, { ...pickup, ...fields }, input.shipments, context, input.now, fields)
      : undefined;
  if (released) return { planned, carriers, items: [released.item], released: released.next };
  const { item } = shipmentMove(table, pickup, pickup.status, context, fields);
  return { planned, carriers, items: [item] };
}
