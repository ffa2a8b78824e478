import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { getCarrier, listCarriers } from '../adapters/dynamodb/carriers';
import type { TableRef } from '../adapters/dynamodb/client';
import { isConditionalCheckFailed } from '../adapters/dynamodb/items';
import { getLocation } from '../adapters/dynamodb/locations';
import { loadOrder } from '../adapters/dynamodb/orders';
import {
  getShipment,
  type MovableField,
  type ShipmentRecord,
  shipmentMove,
} from '../adapters/dynamodb/shipments';
import { callAws } from '../adapters/errors';
import type { CarrierApi, CarrierRequest } from '../adapters/http/carrier-api';
import type { Carrier } from '../contracts/carriers';
import { shipmentNotFoundErrorName, TransientError, WorkflowTaskError } from '../contracts/errors';
import type { DispatchStepAnswer } from '../contracts/shipments';
import {
  type CarrierService,
  carriersToQuote,
  eligibleCarriers,
  type Quote,
  rankCarriers,
  serviceFor,
} from '../core/carrier-choice';
import { distanceKm } from '../core/geo';
import { carrierStepOf, dispatchAnswer } from '../core/shipment-stage';

export interface BookingDeps {
  readonly table: TableRef;
  readonly carriers: CarrierApi;
  /** Told when a shipment is left without a carrier (the BookingFailures metric). */
  readonly onNoCarrier?: (shipment: ShipmentRecord) => void;
}

const actor = 'workflow:dispatch';
type Attempt = NonNullable<ShipmentRecord['bookingAttempts']>[number];

/**
 * BookCarrier (docs/carriers.md): a packed delivery or same-day shipment is offered to the eligible carriers
 * in rank order (core/carrier-choice.ts) until one books it; a decline, a timeout or an error moves on to the
 * next. None left: the shipment needs attention (listed for ops, who rebook it). Redrive-safe: before each
 * request the carrier and the request's idempotency key are recorded on the shipment, so a retried task asks
 * that carrier again first, with the same key, and gets the same booking rather than a second one.
 */
export async function bookCarrier(
  deps: BookingDeps,
  input: { readonly shipmentId: string; readonly now: Date },
): Promise<DispatchStepAnswer> {
  let shipment = await requireShipment(deps.table, input.shipmentId);
  if (carrierStepOf(shipment) !== 'book') return dispatchAnswer(shipment, input.now);
  const request = await requestFor(deps.table, shipment);
  const ranked = await rankedCarriers(deps, request, {
    origin: shipment.locationId,
    asking: shipment.pendingBooking?.carrierId,
  });
  const attempts: Attempt[] = [...(shipment.bookingAttempts ?? [])];
  const key = `${shipment.shipmentId}.${shipment.rebooks ?? 0}`;
  for (const carrier of ranked) {
    const idempotencyKey =
      shipment.pendingBooking?.carrierId === carrier.carrierId ? shipment.pendingBooking.idempotencyKey : key;
    const pending = await record(deps.table, shipment, 'BookingRequested', carrier.carrierId, {
      fields: { pendingBooking: { carrierId: carrier.carrierId, idempotencyKey } },
    });
    if (!pending) return answerNow(deps.table, input);
    shipment = pending;
    const answer = await deps.carriers.book(carrier.apiUrl, request, idempotencyKey);
    const at = new Date().toISOString();
    if (answer.kind !== 'ok') {
      attempts.push({ carrierId: carrier.carrierId, outcome: answer.kind, at, reason: answer.reason });
      continue;
    }
    attempts.push({ carrierId: carrier.carrierId, outcome: 'booked', at });
    const booking = { carrierId: carrier.carrierId, ...answer.value, bookedAt: at };
    const booked = await record(
      deps.table,
      shipment,
      'CarrierBooked',
      `${carrier.carrierId} ${answer.value.trackingNumber}`,
      {
        fields: { booking, bookingAttempts: attempts },
        clears: ['pendingBooking'],
      },
    );
    if (booked) return dispatchAnswer(booked, input.now);
    // Cancelled or handed over meanwhile: the booking just made is not wanted.
    await deps.carriers.cancel(carrier.apiUrl, answer.value.deliveryId);
    return answerNow(deps.table, input);
  }
  const reason =
    ranked.length === 0
      ? 'no registered carrier runs this service this far'
      : 'every carrier declined or did not answer';
  const stranded = await record(deps.table, shipment, 'NoCarrier', reason, {
    fields: { attention: { reason, since: input.now.toISOString() }, bookingAttempts: attempts },
    clears: shipment.pendingBooking ? ['pendingBooking'] : [],
  });
  if (!stranded) return answerNow(deps.table, input);
  deps.onNoCarrier?.(stranded);
  return dispatchAnswer(stranded, input.now);
}

/**
 * CancelBooking: a cancelled shipment's booking is cancelled with the carrier, once. A carrier that already
 * has the parcel refuses (recorded for ops to settle with it); no answer is transient: retried, then the step
 * fails for redrive.
 */
export async function cancelBooking(
  deps: BookingDeps,
  input: { readonly shipmentId: string; readonly now: Date },
): Promise<DispatchStepAnswer> {
  const shipment = await requireShipment(deps.table, input.shipmentId);
  const booking = shipment.booking;
  if (carrierStepOf(shipment) !== 'cancel' || !booking?.deliveryId)
    return dispatchAnswer(shipment, input.now);
  const carrier = await getCarrier(deps.table, booking.carrierId);
  const answer = carrier
    ? await deps.carriers.cancel(carrier.apiUrl, booking.deliveryId)
    : ({ kind: 'declined', reason: `carrier ${booking.carrierId} is no longer registered` } as const);
  if (answer.kind === 'timeout' || answer.kind === 'error')
    throw new TransientError(`cancelling ${booking.deliveryId} with ${booking.carrierId}: ${answer.reason}`);
  const at = input.now.toISOString();
  const outcome = answer.kind === 'ok' ? { cancelledAt: at } : { cancelRefused: answer.reason };
  const recorded = await record(
    deps.table,
    shipment,
    'BookingCancelled',
    answer.kind === 'ok' ? booking.carrierId : answer.reason,
    {
      fields: { booking: { ...booking, ...outcome } },
    },
  );
  return recorded ? dispatchAnswer(recorded, input.now) : answerNow(deps.table, input);
}

async function requireShipment(table: TableRef, shipmentId: string): Promise<ShipmentRecord> {
  const shipment = await getShipment(table, shipmentId);
  if (!shipment) throw new WorkflowTaskError(shipmentNotFoundErrorName, `shipment ${shipmentId} is gone`);
  return shipment;
}

const answerNow = async (table: TableRef, input: { readonly shipmentId: string; readonly now: Date }) =>
  dispatchAnswer(await requireShipment(table, input.shipmentId), input.now);

/**
 * Records a booking step on the shipment, in its status, conditioned on the version read: undefined when the
 * shipment changed meanwhile (cancelled, handed over by staff), for the caller to answer what it is now.
 */
async function record(
  table: TableRef,
  shipment: ShipmentRecord,
  step: string,
  reason: string,
  change: { readonly fields: Parameters<typeof shipmentMove>[4]; readonly clears?: readonly MovableField[] },
): Promise<ShipmentRecord | undefined> {
  const event = { at: new Date().toISOString(), actor, step, reason };
  const { item, next } = shipmentMove(table, shipment, shipment.status, event, change.fields, change.clears);
  try {
    await callAws(step, () => table.document.send(new UpdateCommand(item.Update)));
    return next;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return undefined;
    throw error;
  }
}

/** The booking request: from the shipment's location to the order's address. */
async function requestFor(table: TableRef, shipment: ShipmentRecord): Promise<CarrierRequest> {
  const [order, origin] = await Promise.all([
    loadOrder(table, shipment.orderId),
    getLocation(table, shipment.locationId),
  ]);
  const address = order?.fulfilment.address;
  if (!address || !origin)
    throw new WorkflowTaskError(
      shipmentNotFoundErrorName,
      `shipment ${shipment.shipmentId} has no route to book`,
    );
  return {
    reference: shipment.shipmentId,
    service: serviceFor(shipment.type),
    pickup: { lat: origin.lat, lng: origin.lng, locationId: origin.locationId },
    dropoff: {
      lat: address.lat,
      lng: address.lng,
      line1: address.line1,
      city: address.city,
      postalCode: address.postalCode,
      country: address.country,
    },
    parcels: shipment.parcels ?? [],
  };
}

/**
 * The carriers to try for a request, in order (core/carrier-choice.ts): those working for `origin` that run
 * the service this far, by priority, then quoted fee. A carrier a crashed attempt was `asking` goes first, to
 * get its answer.
 */
export async function rankedCarriers(
  deps: Pick<BookingDeps, 'table' | 'carriers'>,
  request: CarrierRequest,
  by: { readonly origin: string; readonly asking?: string | undefined },
): Promise<Carrier[]> {
  const eligible = eligibleCarriers(await listCarriers(deps.table), {
    service: request.service as CarrierService,
    origin: by.origin,
    distanceKm: distanceKm(request.pickup, request.dropoff),
  });
  const quoted = await Promise.all(
    carriersToQuote(eligible).map(async (carrierId): Promise<[string, Quote]> => {
      const carrier = eligible.find((candidate) => candidate.carrierId === carrierId) as Carrier;
      const answer = await deps.carriers.quote(carrier.apiUrl, request);
      return [carrierId, answer.kind === 'ok' ? { fee: answer.value.fee } : undefined];
    }),
  );
  const ranked = rankCarriers(eligible, new Map(quoted));
  const pending = ranked.find((carrier) => carrier.carrierId === by.asking);
  return pending ? [pending, ...ranked.filter((carrier) => carrier !== pending)] : ranked;
}
