import type { Allocation, FulfilmentType, LocationType, OrderLine, Shortfall } from '../contracts/schemas';
import { type Coordinates, distanceKm } from './geo';

/** A location as sourcing sees it. */
export interface SourcingLocation extends Coordinates {
  readonly locationId: string;
  readonly type: LocationType;
  readonly fulfils: readonly FulfilmentType[];
  readonly sameDayRadiusKm?: number;
}

/** Units of a SKU a location can promise online (already net of reserved and safety stock). */
export interface AvailableStock {
  readonly sku: string;
  readonly locationId: string;
  readonly available: number;
}

export type SourcingRequest =
  | {
      readonly type: 'pickup';
      readonly storeId: string;
      /**
       * Set when the store accepts transfers (ship-to-store): where it is. What it cannot serve from its own
       * shelf may then come from any location that ships parcels, nearest to the store first.
       */
      readonly transfersTo?: Coordinates;
    }
  | { readonly type: 'same_day'; readonly customer: Coordinates }
  | { readonly type: 'delivery'; readonly customer: Coordinates };

export interface SourcingPlan {
  readonly allocation: readonly Allocation[];
  readonly shortfall: readonly Shortfall[];
  /** Pickup only, when the chosen store is short: other pickup stores that could serve the whole order, nearest first. */
  readonly alternativeStores: readonly string[];
}

/** Above this many candidate locations the exhaustive search gives way to a greedy cover (same rules, not proven minimal). */
export const exhaustiveSearchLimit = 12;

interface Candidate {
  readonly location: SourcingLocation;
  /** 0 = preferred (warehouses for delivery), 1 = fallback. */
  readonly tier: number;
  readonly distanceKm: number;
  readonly available: ReadonlyMap<string, number>;
}

/**
 * Chooses locations for an order (docs/inventory.md): only eligible locations for the fulfilment type; the most units
 * that can be served; then the fewest shipments (locations); then preferred tiers (warehouses first for
 * delivery); then the shortest total distance; then location id, so equal inputs give equal plans.
 */
export function planSourcing(
  request: SourcingRequest,
  lines: readonly OrderLine[],
  locations: readonly SourcingLocation[],
  stock: readonly AvailableStock[],
): SourcingPlan {
  const availableByLocation = indexAvailable(lines, stock);
  const candidates = locations
    .filter((location) => isEligible(request, location))
    .map((location) => toCandidate(request, location, availableByLocation.get(location.locationId)))
    .filter((candidate) => candidate.available.size > 0)
    .sort(compareCandidates);

  const chosen =
    candidates.length <= exhaustiveSearchLimit
      ? bestSubset(lines, candidates)
      : greedyCover(lines, candidates);
  const { allocation, shortfall } = fill(lines, chosen);
  const alternativeStores =
    request.type === 'pickup' && shortfall.length > 0
      ? pickupAlternatives(request.storeId, lines, locations, availableByLocation)
      : [];
  return { allocation, shortfall, alternativeStores };
}

function indexAvailable(
  lines: readonly OrderLine[],
  stock: readonly AvailableStock[],
): Map<string, Map<string, number>> {
  const wanted = new Set(lines.map((line) => line.sku));
  const byLocation = new Map<string, Map<string, number>>();
  for (const entry of stock) {
    const units = Math.floor(entry.available);
    if (!wanted.has(entry.sku) || units <= 0) continue;
    const perSku = byLocation.get(entry.locationId) ?? new Map<string, number>();
    perSku.set(entry.sku, (perSku.get(entry.sku) ?? 0) + units);
    byLocation.set(entry.locationId, perSku);
  }
  return byLocation;
}

export function isEligible(request: SourcingRequest, location: SourcingLocation): boolean {
  switch (request.type) {
    case 'pickup':
      if (location.locationId === request.storeId) return location.fulfils.includes('pickup');
      return request.transfersTo !== undefined && location.fulfils.includes('delivery');
    case 'same_day':
      return (
        location.type !== 'warehouse' &&
        location.fulfils.includes('same_day') &&
        location.sameDayRadiusKm !== undefined &&
        distanceKm(request.customer, location) <= location.sameDayRadiusKm
      );
    case 'delivery':
      return location.fulfils.includes('delivery');
  }
}

function toCandidate(
  request: SourcingRequest,
  location: SourcingLocation,
  available: ReadonlyMap<string, number> | undefined,
): Candidate {
  return {
    location,
    tier: fallbackTier(request, location) ? 1 : 0,
    distanceKm: distanceFor(request, location),
    available: available ?? new Map(),
  };
}

/** Delivery prefers warehouses; ship-to-store prefers the store's own shelf to any transfer. */
const fallbackTier = (request: SourcingRequest, location: SourcingLocation): boolean =>
  request.type === 'delivery'
    ? location.type !== 'warehouse'
    : request.type === 'pickup' && location.locationId !== request.storeId;

function distanceFor(request: SourcingRequest, location: SourcingLocation): number {
  if (request.type !== 'pickup') return distanceKm(request.customer, location);
  return request.transfersTo && location.locationId !== request.storeId
    ? distanceKm(request.transfersTo, location)
    : 0;
}

function compareCandidates(a: Candidate, b: Candidate): number {
  return (
    a.tier - b.tier || a.distanceKm - b.distanceKm || compareIds(a.location.locationId, b.location.locationId)
  );
}

const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function servedUnits(lines: readonly OrderLine[], subset: readonly Candidate[]): number {
  return lines.reduce((total, line) => {
    const inSubset = subset.reduce((sum, candidate) => sum + (candidate.available.get(line.sku) ?? 0), 0);
    return total + Math.min(line.qty, inSubset);
  }, 0);
}

/** Cost of a subset after coverage and size: fallback-tier locations, then total distance, then ids. */
function compareSubsets(a: readonly Candidate[], b: readonly Candidate[]): number {
  const tiers = (subset: readonly Candidate[]) => subset.reduce((sum, candidate) => sum + candidate.tier, 0);
  const distance = (subset: readonly Candidate[]) =>
    subset.reduce((sum, candidate) => sum + candidate.distanceKm, 0);
  const ids = (subset: readonly Candidate[]) =>
    subset.map((candidate) => candidate.location.locationId).join('\u0000');
  return tiers(a) - tiers(b) || distance(a) - distance(b) || compareIds(ids(a), ids(b));
}

/** Exhaustive search by increasing size: the first size that serves the most units is the fewest shipments. */
function bestSubset(lines: readonly OrderLine[], candidates: readonly Candidate[]): readonly Candidate[] {
  const target = servedUnits(lines, candidates);
  if (target === 0) return [];
  // Terminates by the full set at the latest: it serves the target by definition.
  for (let size = 1; ; size++) {
    let best: readonly Candidate[] | undefined;
    for (const subset of combinations(candidates, size)) {
      if (servedUnits(lines, subset) === target && (!best || compareSubsets(subset, best) < 0)) best = subset;
    }
    if (best) return best;
  }
}

function* combinations<T>(items: readonly T[], size: number, start = 0): Generator<T[]> {
  if (size === 0) {
    yield [];
    return;
  }
  for (let index = start; index <= items.length - size; index++) {
    for (const rest of combinations(items, size - 1, index + 1)) yield [items[index] as T, ...rest];
  }
}

/** Greedy cover for large candidate sets: repeatedly take the location that serves the most remaining units. */
function greedyCover(lines: readonly OrderLine[], candidates: readonly Candidate[]): readonly Candidate[] {
  const chosen: Candidate[] = [];
  let served = 0;
  for (;;) {
    let best: { candidate: Candidate; served: number } | undefined;
    for (const candidate of candidates) {
      if (chosen.includes(candidate)) continue;
      const withCandidate = servedUnits(lines, [...chosen, candidate]);
      if (withCandidate > served && (!best || withCandidate > best.served))
        best = { candidate, served: withCandidate };
    }
    if (!best) return chosen;
    chosen.push(best.candidate);
    served = best.served;
  }
}

/** Splits each line over the chosen locations in preference order; what none can serve is the shortfall. */
function fill(
  lines: readonly OrderLine[],
  chosen: readonly Candidate[],
): Pick<SourcingPlan, 'allocation' | 'shortfall'> {
  const ordered = [...chosen].sort(compareCandidates);
  const allocation: Allocation[] = [];
  const shortfall: Shortfall[] = [];
  for (const line of lines) {
    let remaining = line.qty;
    for (const candidate of ordered) {
      const take = Math.min(remaining, candidate.available.get(line.sku) ?? 0);
      if (take > 0) allocation.push({ sku: line.sku, qty: take, locationId: candidate.location.locationId });
      remaining -= take;
    }
    if (remaining > 0) shortfall.push({ sku: line.sku, qty: remaining });
  }
  return { allocation, shortfall };
}

function pickupAlternatives(
  storeId: string,
  lines: readonly OrderLine[],
  locations: readonly SourcingLocation[],
  availableByLocation: ReadonlyMap<string, ReadonlyMap<string, number>>,
): readonly string[] {
  const chosenStore = locations.find((location) => location.locationId === storeId);
  return locations
    .filter((location) => location.locationId !== storeId && location.fulfils.includes('pickup'))
    .filter((location) => {
      const available = availableByLocation.get(location.locationId);
      return lines.every((line) => (available?.get(line.sku) ?? 0) >= line.qty);
    })
    .map((location) => ({ id: location.locationId, km: chosenStore ? distanceKm(chosenStore, location) : 0 }))
    .sort((a, b) => a.km - b.km || compareIds(a.id, b.id))
    .map((entry) => entry.id);
}
