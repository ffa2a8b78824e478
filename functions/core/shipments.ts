import type { Allocation, FulfilmentType } from '../contracts/schemas';
import { type DispatchSettings, type ShipmentType, shipmentIdFor } from '../contracts/shipments';
import { dispatchPromise } from './dispatch-promise';

export interface ShipmentLine {
  readonly sku: string;
  readonly qty: number;
}

/** A shipment as one sourcing round plans it: what goes from where, and by when. */
export interface PlannedShipment {
  readonly shipmentId: string;
  readonly type: ShipmentType;
  /** Where it is picked: the source location (for pickup, the pickup store). */
  readonly locationId: string;
  /** transfer: the pickup store the goods travel to. */
  readonly destinationLocationId?: string;
  /** What this location picks from its own held stock. */
  readonly lines: readonly ShipmentLine[];
  /** pickup: the transfers whose goods it also hands over, and waits for. */
  readonly awaits: readonly string[];
  readonly dueBy: string;
  readonly promisedBy: string;
}

export interface ShipmentPlanInput {
  readonly orderId: string;
  readonly fulfilment: { readonly type: FulfilmentType; readonly storeId?: string };
  /** 0 for the first sourcing, then one per re-route: part of every shipment id. */
  readonly route: number;
  /** This round's allocations (held units per SKU and location). */
  readonly allocations: readonly Allocation[];
  /** Every source location's (and the pickup store's) dispatch settings. */
  readonly settings: Readonly<Record<string, DispatchSettings>>;
  readonly now: Date;
  /** A re-route of a pickup order: the pickup shipment already waiting at the store takes the new transfers. */
  readonly existingPickup?: string;
}

/** Plan order: transfers first, so a pickup shipment can name the ones it waits for. */
const typeRank: Record<ShipmentType, number> = { transfer: 0, delivery: 1, same_day: 1, pickup: 2 };

/**
 * One shipment per source location and kind. Delivery and same-day orders ship from each location that holds
 * units. A pickup order is handed over at its store: units held there are picked there, units held anywhere
 * else travel to it as a transfer (ship-to-store), and the pickup shipment waits for those. Ids follow the
 * plan's order (by kind, then location), so the same round over the same holds names the same shipments.
 */
export function planShipments(input: ShipmentPlanInput): PlannedShipment[] {
  const { orderId, fulfilment, route, now } = input;
  const storeId = fulfilment.type === 'pickup' ? fulfilment.storeId : undefined;
  if (fulfilment.type === 'pickup' && !storeId) throw new RangeError('a pickup order names its store');
  const byLocation = new Map<string, ShipmentLine[]>();
  for (const { sku, qty, locationId } of input.allocations) {
    if (qty <= 0) continue;
    const lines = byLocation.get(locationId) ?? [];
    const line = lines.find((existing) => existing.sku === sku);
    byLocation.set(
      locationId,
      line ? lines.map((l) => (l === line ? { sku, qty: l.qty + qty } : l)) : [...lines, { sku, qty }],
    );
  }
  const drafts: Omit<PlannedShipment, 'shipmentId' | 'awaits' | 'dueBy' | 'promisedBy'>[] = [];
  for (const [locationId, lines] of byLocation) {
    const sorted = [...lines].sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
    if (!storeId) drafts.push({ type: fulfilment.type as ShipmentType, locationId, lines: sorted });
    else if (locationId === storeId) drafts.push({ type: 'pickup', locationId, lines: sorted });
    else drafts.push({ type: 'transfer', locationId, destinationLocationId: storeId, lines: sorted });
  }
  // A pickup served entirely by transfers still has its counter shipment, with nothing to pick there.
  if (
    storeId &&
    !input.existingPickup &&
    drafts.length > 0 &&
    !drafts.some((draft) => draft.type === 'pickup')
  )
    drafts.push({ type: 'pickup', locationId: storeId, lines: [] });
  drafts.sort(
    (a, b) =>
      typeRank[a.type] - typeRank[b.type] ||
      (a.locationId < b.locationId ? -1 : a.locationId > b.locationId ? 1 : 0),
  );
  const planned: PlannedShipment[] = [];
  drafts.forEach((draft, index) => {
    const settings = input.settings[draft.locationId] ?? {};
    const transfers =
      draft.type === 'pickup' ? planned.filter((shipment) => shipment.type === 'transfer') : [];
    // A pickup waiting for transfers starts its pick promise when the last of them is due to arrive.
    const start = new Date(Math.max(now.getTime(), ...transfers.map((t) => Date.parse(t.promisedBy))));
    const promise = dispatchPromise(draft.type, settings, start);
    planned.push({
      ...draft,
      shipmentId: shipmentIdFor(orderId, route, index),
      awaits: transfers.map((transfer) => transfer.shipmentId),
      dueBy: dispatchPromise(draft.type, settings, now).dueBy.toISOString(),
      promisedBy: promise.promisedBy.toISOString(),
    });
  });
  return planned;
}
