import { promisePending, type ShipmentStatus, type ShipmentType } from '../contracts/shipments';

/**
 * Carrier SLA (issue 12, docs/carriers.md). What a carrier is held to: a same-day delivery the customer's
 * promise (`promisedBy`, delivered by then); a parcel delivery the arrival the carrier committed to when it
 * booked (`etaAt`), since a parcel's `promisedBy` is when it must leave, not arrive.
 */

export interface PromisedShipment {
  readonly type: ShipmentType;
  readonly status: ShipmentStatus;
  readonly promisedBy: string;
  readonly booking?: { readonly etaAt?: string | undefined } | undefined;
}

/** When the carrier must have delivered it. */
export const deliverBy = (shipment: PromisedShipment): string =>
  shipment.type === 'delivery' ? (shipment.booking?.etaAt ?? shipment.promisedBy) : shipment.promisedBy;

/**
 * The deadline a shipment is late against, while it has one: its promise while pending (contracts/shipments.ts
 * promisePending), and a parcel handed to a booked carrier its delivery by the carrier's ETA. The late list
 * and the LateShipments metric read it, so carriers late on a delivery are listed beside late stores.
 */
export function lateAgainst(shipment: PromisedShipment): string | undefined {
  if (promisePending(shipment.type, shipment.status)) return shipment.promisedBy;
  if (shipment.type === 'delivery' && shipment.status === 'HANDED_OVER' && shipment.booking?.etaAt)
    return shipment.booking.etaAt;
  return undefined;
}

/** A delivery as the carrier's performance counts it: on time or not, and by how many whole minutes late. */
export function deliveryPunctuality(
  shipment: PromisedShipment,
  deliveredAt: string,
): { readonly onTime: boolean; readonly minutesLate: number } {
  const lateMs = Date.parse(deliveredAt) - Date.parse(deliverBy(shipment));
  return lateMs <= 0
    ? { onTime: true, minutesLate: 0 }
    : { onTime: false, minutesLate: Math.ceil(lateMs / 60_000) };
}

/** The counters a carrier's performance keeps, and what `GET /ops/carriers/{id}/performance` reports. */
export interface CarrierCounters {
  readonly delivered: number;
  readonly onTime: number;
  readonly minutesLate: number;
  readonly failedAttempts: number;
  readonly returned: number;
}

export function carrierPerformance(counters: CarrierCounters) {
  const late = counters.delivered - counters.onTime;
  return {
    delivered: counters.delivered,
    deliveredOnTime: counters.onTime,
    onTimeRate: counters.delivered === 0 ? null : counters.onTime / counters.delivered,
    meanMinutesLate: late === 0 ? 0 : Math.round(counters.minutesLate / late),
    failedAttempts: counters.failedAttempts,
    returnedToSender: counters.returned,
  };
}
