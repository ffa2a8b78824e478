import type { ShipmentType } from '../contracts/shipments';

/**
 * Which carriers a packed shipment is offered to, and in what order (issue 12, docs/carriers.md): those that
 * run its service and reach its drop-off, by priority (lower first), then by the fee each quotes. Quotes are
 * only asked where they decide something: among carriers sharing a priority.
 */

export type CarrierService = 'parcel' | 'same_day';

export interface CarrierOption {
  readonly carrierId: string;
  readonly services: readonly string[];
  readonly maxDistanceKm?: number | undefined;
  readonly origins?: readonly string[] | undefined;
  readonly priority: number;
}

/** What a carrier quoted: a fee, or nothing (it declined, or did not answer in time). */
export type Quote = { readonly fee: number } | undefined;

/** The carrier service a shipment needs: same-day couriers for same_day, parcel carriers for delivery. */
export const serviceFor = (type: ShipmentType): CarrierService =>
  type === 'same_day' ? 'same_day' : 'parcel';

/**
 * The carriers that run the service, collect at the origin and reach `distanceKm`, by priority then id (a
 * stable order).
 */
export function eligibleCarriers<C extends CarrierOption>(
  carriers: readonly C[],
  need: { readonly service: CarrierService; readonly origin: string; readonly distanceKm: number },
): C[] {
  return carriers
    .filter((carrier) => carrier.services.includes(need.service))
    .filter((carrier) => carrier.origins === undefined || carrier.origins.includes(need.origin))
    .filter((carrier) => carrier.maxDistanceKm === undefined || need.distanceKm <= carrier.maxDistanceKm)
    .sort((a, b) => a.priority - b.priority || (a.carrierId < b.carrierId ? -1 : 1));
}

/** The carriers whose quote decides their place: those sharing a priority with another. */
export function carriersToQuote(eligible: readonly CarrierOption[]): string[] {
  return eligible
    .filter((carrier) => eligible.some((other) => other !== carrier && other.priority === carrier.priority))
    .map((carrier) => carrier.carrierId);
}

/**
 * The booking order: by priority; within a priority by quoted fee, cheapest first. A carrier asked for a
 * quote that gave none declined the job and is left out.
 */
export function rankCarriers<C extends CarrierOption>(
  eligible: readonly C[],
  quotes: ReadonlyMap<string, Quote>,
): C[] {
  const feeOf = (carrier: C) => quotes.get(carrier.carrierId)?.fee ?? 0;
  return eligible
    .filter((carrier) => !quotes.has(carrier.carrierId) || quotes.get(carrier.carrierId) !== undefined)
    .map((carrier, index) => ({ carrier, index }))
    .sort(
      (a, b) =>
        a.carrier.priority - b.carrier.priority || feeOf(a.carrier) - feeOf(b.carrier) || a.index - b.index,
    )
    .map(({ carrier }) => carrier);
}
