import type { TableRef } from '../adapters/dynamodb/client';
import { getLocation, listLocations } from '../adapters/dynamodb/locations';
import { changeReturn, type ReturnRecord } from '../adapters/dynamodb/returns';
import type { CarrierApi, CarrierRequest } from '../adapters/http/carrier-api';
import { TransientError } from '../contracts/errors';
import type { ReturnStepAnswer } from '../contracts/returns';
import { pickupDestination, returnStepAnswer } from '../core/returns';
import { rankedCarriers } from './book-carrier';
import { requireReturn, returnsActor } from './return-steps';

type Pickup = NonNullable<ReturnRecord['pickup']>;
type CustomerAddress = {
  readonly lat: number;
  readonly lng: number;
  readonly city: string;
  readonly postalCode: string;
  readonly country: string;
};

/** The booking request: the carrier collects at the customer's door and brings the parcel to the location. */
function pickupRequest(
  record: ReturnRecord,
  from: CustomerAddress,
  destination: {
    readonly locationId: string;
    readonly name: string;
    readonly lat: number;
    readonly lng: number;
  },
): CarrierRequest {
  return {
    reference: record.returnId,
    service: 'parcel',
    // The location the carrier works for: eligibility (origins) and sandbox scripts go by it.
    pickup: { lat: from.lat, lng: from.lng, locationId: destination.locationId },
    dropoff: {
      lat: destination.lat,
      lng: destination.lng,
      line1: destination.name,
      city: from.city,
      postalCode: from.postalCode,
      country: from.country,
    },
    parcels: [],
  };
}

/**
 * BookPickup (docs/returns.md): a courier return is offered to the carriers working for its destination (the
 * store the customer named, else the nearest location taking returns), from the customer's address, in rank
 * order, until one books it. Redrive-safe like BookCarrier: the carrier being asked and the key it is asked
 * with are recorded first, so a retried task asks that carrier again with the same key and gets the same
 * booking. None books it: the return waits for the goods at a store all the same (`pickup.failed`).
 */
export async function bookReturnPickup(
  deps: { readonly table: TableRef; readonly carriers: CarrierApi },
  input: { readonly orderId: string; readonly number: number; readonly now: Date },
): Promise<ReturnStepAnswer> {
  let record = await requireReturn(deps.table, input.orderId, input.number);
  if (returnStepAnswer(record, input.now).pickup !== 'book') return returnStepAnswer(record, input.now);
  const from = record.pickupAddress as CustomerAddress;
  const destinationLocationId =
    record.pickup?.destinationLocationId ??
    pickupDestination(from, await listLocations(deps.table), record.storeId);
  const destination = destinationLocationId
    ? await getLocation(deps.table, destinationLocationId)
    : undefined;
  if (!destination)
    return note(
      deps.table,
      record,
      { destinationLocationId: '', idempotencyKey: '', failed: 'no location takes returns' },
      input.now,
    );
  const request = pickupRequest(record, from, destination);
  let pickup: Pickup = record.pickup ?? {
    destinationLocationId: destination.locationId,
    idempotencyKey: `${record.returnId}.pickup`,
  };
  const ranked = await rankedCarriers(deps, request, {
    origin: destination.locationId,
    asking: pickup.askingCarrierId,
  });
  for (const carrier of ranked) {
    pickup = { ...pickup, askingCarrierId: carrier.carrierId };
    const asking = await recordPickup(deps.table, record, pickup, input.now, `asking ${carrier.carrierId}`);
    if (!asking)
      return returnStepAnswer(await requireReturn(deps.table, input.orderId, input.number), input.now);
    record = asking;
    const answer = await deps.carriers.book(carrier.apiUrl, request, pickup.idempotencyKey);
    if (answer.kind !== 'ok') continue;
    const { askingCarrierId: _asked, ...rest } = pickup;
    return note(
      deps.table,
      record,
      {
        ...rest,
        carrierId: carrier.carrierId,
        deliveryId: answer.value.deliveryId,
        trackingNumber: answer.value.trackingNumber,
        bookedAt: input.now.toISOString(),
      },
      input.now,
    );
  }
  const { askingCarrierId: _asked, ...rest } = pickup;
  return note(
    deps.table,
    record,
    {
      ...rest,
      failed:
        ranked.length === 0
          ? 'no carrier collects for that location'
          : 'every carrier declined or did not answer',
    },
    input.now,
  );
}

/** Records the pickup on the return (its status unchanged), conditioned on its version; undefined if it moved. */
async function recordPickup(
  table: TableRef,
  record: ReturnRecord,
  pickup: Pickup,
  now: Date,
  reason: string,
) {
  const written = await changeReturn(table, record, {
    set: { pickup },
    status: record.status,
    step: 'BookPickup',
    actor: returnsActor,
    at: now.toISOString(),
    reason: `${record.returnId}: ${reason}`,
  });
  return written ? { ...record, pickup, version: record.version + 1 } : undefined;
}

/** Records the outcome and answers the return's step; a return that moved meanwhile is read again. */
async function note(
  table: TableRef,
  record: ReturnRecord,
  pickup: Pickup,
  now: Date,
): Promise<ReturnStepAnswer> {
  const reason = pickup.deliveryId
    ? `booked with ${pickup.carrierId} (${pickup.trackingNumber})`
    : `no pickup: ${pickup.failed}`;
  const written = await recordPickup(table, record, pickup, now, reason);
  if (!written) throw new TransientError(`return ${record.returnId} changed while its pickup was booked`);
  return returnStepAnswer(written, now);
}
