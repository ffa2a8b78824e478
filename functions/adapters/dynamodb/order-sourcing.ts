import type { Location, OrderLine } from '../../contracts/schemas';
import {
  type AvailableStock,
  planSourcing,
  type SourcingPlan,
  type SourcingRequest,
} from '../../core/sourcing';
import type { TableRef } from './client';
import { getLocations } from './locations';
import type { OrderRecord } from './orders';

/** A plan for an order's missing lines, and the pickup store it is for when a re-route moved the pickup. */
export interface OrderSourcing {
  readonly plan: SourcingPlan;
  /** Set when the order's pickup store failed it and another store that has everything takes the pickup. */
  readonly movedToStore?: string;
}

/**
 * Sources an order's missing lines (docs/inventory.md), leaving out every location that failed the order
 * (docs/dispatch.md: a re-route never goes back to a store that refused, came up short or timed out). A pickup store that failed the order hands the pickup to the nearest other pickup
 * store that can serve every missing line; with none, the lines stay short at the original store.
 */
export async function planOrderSourcing(
  table: TableRef,
  input: {
    readonly order: OrderRecord;
    readonly lines: readonly OrderLine[];
    readonly locations: readonly Location[];
    readonly stock: readonly AvailableStock[];
    readonly locationCache: Map<string, Location>;
  },
): Promise<OrderSourcing> {
  const { order, lines, stock } = input;
  const excluded = new Set(order.excludedLocations);
  const locations = input.locations.filter((location) => !excluded.has(location.locationId));
  const storeId = order.fulfilment.type === 'pickup' ? order.fulfilment.storeId : undefined;
  if (!storeId || !excluded.has(storeId)) {
    const store = storeId ? await locationOf(table, storeId, input.locationCache) : undefined;
    return { plan: planSourcing(requestOf(order, store), lines, locations, stock) };
  }
  // The pickup store failed: ask as if for it, to learn which other stores could take the whole pickup.
  const original = planSourcing({ type: 'pickup', storeId }, lines, locations, stock);
  const alternative = original.alternativeStores[0];
  if (!alternative) return { plan: original };
  const store = await locationOf(table, alternative, input.locationCache);
  return {
    plan: planSourcing(pickupAt(alternative, store), lines, locations, stock),
    movedToStore: alternative,
  };
}

async function locationOf(table: TableRef, locationId: string, cache: Map<string, Location>) {
  if (!cache.has(locationId))
    for (const location of await getLocations(table, [locationId])) cache.set(locationId, location);
  return cache.get(locationId);
}

/** A pickup at a store; one that accepts transfers may be sent what its shelf lacks (ship-to-store). */
const pickupAt = (storeId: string, store: Location | undefined): SourcingRequest => ({
  type: 'pickup',
  storeId,
  ...(store?.acceptsTransfers ? { transfersTo: { lat: store.lat, lng: store.lng } } : {}),
});

function requestOf(order: OrderRecord, store: Location | undefined): SourcingRequest {
  const { fulfilment } = order;
  if (fulfilment.type === 'pickup') return pickupAt(fulfilment.storeId, store);
  return { type: fulfilment.type, customer: { lat: fulfilment.address.lat, lng: fulfilment.address.lng } };
}
