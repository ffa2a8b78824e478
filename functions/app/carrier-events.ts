import type { SFNClient } from '@aws-sdk/client-sfn';
import { carrierCountersAdd } from '../adapters/dynamodb/carrier-performance';
import type { TableRef } from '../adapters/dynamodb/client';
import { compact, type TransactItem } from '../adapters/dynamodb/items';
import { getShipment, type ShipmentRecord } from '../adapters/dynamodb/shipments';
import type { TrackingEventBody } from '../contracts/carriers';
import { TransientError } from '../contracts/errors';
import { deliveryPunctuality } from '../core/carrier-sla';
import { applyTrackingEvent, handedOver, type TrackingState } from '../core/tracking';
import { runShipmentStep, type ShipmentStepDefinition } from './shipment-step';

export type CarrierEventResult =
  | { readonly kind: 'applied' | 'replay'; readonly shipmentId: string; readonly status: string }
  /** No shipment of that id was handed to this carrier (or none exists: the carrier learns nothing). */
  | { readonly kind: 'not-booked' }
  | { readonly kind: 'conflict'; readonly reason: string };

/**
 * A verified tracking webhook from a carrier (docs/carriers.md): the event joins the shipment's tracking by
 * the order-free rule of core/tracking.ts, in one write conditioned on the shipment's version (a replayed
 * webhook-id finds itself recorded and changes nothing). `delivered` completes the shipment with its proof,
 * and the order follows its shipments (DELIVERED once every one is).
 */
export async function recordCarrierEvent(
  deps: { readonly table: TableRef; readonly sfn: SFNClient },
  input: {
    readonly carrierId: string;
    readonly webhookId: string;
    readonly event: TrackingEventBody;
    readonly now: Date;
  },
): Promise<CarrierEventResult> {
  const { event } = input;
  // An event that raced another to the same shipment (delivered meanwhile) is read again and applied there.
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const shipment = await getShipment(deps.table, event.shipmentId);
    if (!shipment || shipment.booking?.carrierId !== input.carrierId) return { kind: 'not-booked' };
    if (shipment.tracking?.events.some((seen) => seen.id === input.webhookId))
      return { kind: 'replay', shipmentId: shipment.shipmentId, status: shipment.status };
    const result = await runShipmentStep(deps, trackingStep(deps.table, shipment.status, input), {
      shipmentId: shipment.shipmentId,
      actor: `carrier:${input.carrierId}`,
      scope: '*',
      now: input.now,
    });
    if (result.kind === 'done') {
      const replay = shipment.version === result.shipment.version;
      return {
        kind: replay ? 'replay' : 'applied',
        shipmentId: shipment.shipmentId,
        status: result.shipment.status,
      };
    }
    const now = await getShipment(deps.table, event.shipmentId);
    if (now?.status === shipment.status)
      return { kind: 'conflict', reason: result.kind === 'conflict' ? result.reason : result.kind };
  }
  throw new TransientError(`tracking event ${input.webhookId} kept racing`);
}

const attempts = 5;

/** The event applied to a shipment in `status` (the runner re-reads it and conditions on its version). */
function trackingStep(
  table: TableRef,
  status: ShipmentRecord['status'],
  input: { readonly carrierId: string; readonly webhookId: string; readonly event: TrackingEventBody },
): ShipmentStepDefinition {
  const { event } = input;
  return {
    name: `Carrier#${event.type}`,
    from: status,
    actsAt: (current) => current.locationId,
    done: (current) => current.tracking?.events.some((seen) => seen.id === input.webhookId) ?? false,
    decide: ({ shipment: current }) => {
      const tracking = applyTrackingEvent(current.tracking ?? handedOver, {
        id: input.webhookId,
        type: event.type,
        at: event.at,
      });
      // Booked and waiting for the courier: any event means the parcel left (picked_up is the hand-over, and
      // a later event that overtook it says so too). The order is then IN_TRANSIT and can no longer be cancelled.
      const pickedUp = current.status === 'PACKED';
      const carried = pickedUp ? 'HANDED_OVER' : current.status;
      const delivered = tracking.status === 'DELIVERED' && current.status !== 'DELIVERED';
      // On its way back: staff at the origin receive it (POST /shipments/{id}/returned).
      const returning = tracking.status === 'RETURNING' && carried === 'HANDED_OVER';
      return {
        kind: 'move',
        to: delivered ? 'DELIVERED' : returning ? 'RETURNING' : carried,
        ...(event.reason ? { reason: event.reason } : {}),
        writes: countersOf(table, input.carrierId, current, tracking, event),
        fields: {
          tracking: { ...tracking, events: [...tracking.events] },
          ...(delivered && event.proof ? { proof: compact(event.proof) } : {}),
          ...(pickedUp ? { handover: handoverBy(current) } : {}),
        },
      };
    },
  };
}

/** The hand-over a booked carrier's pick-up records: the carrier and its tracking number. */
const handoverBy = (shipment: ShipmentRecord): NonNullable<ShipmentRecord['handover']> =>
  compact({ carrier: shipment.booking?.carrierId ?? '', trackingNumber: shipment.booking?.trackingNumber });

/**
 * What the event adds to its carrier's performance, on the day it happened: a delivery (on time or late
 * against what the carrier was held to), a new failed attempt, a parcel returned. Nothing for a late event
 * that changed no count.
 */
function countersOf(
  table: TableRef,
  carrierId: string,
  before: ShipmentRecord,
  after: TrackingState,
  event: TrackingEventBody,
): TransactItem[] {
  const newlyDelivered = after.status === 'DELIVERED' && before.tracking?.status !== 'DELIVERED';
  const punctuality = newlyDelivered ? deliveryPunctuality(before, event.at) : undefined;
  const add = {
    delivered: punctuality ? 1 : 0,
    onTime: punctuality?.onTime ? 1 : 0,
    minutesLate: punctuality?.minutesLate ?? 0,
    failedAttempts: after.attempts - (before.tracking?.attempts ?? 0),
    returned: after.status === 'RETURNING' && before.tracking?.status !== 'RETURNING' ? 1 : 0,
  };
  return [
    ...carrierCountersAdd(
      table,
      carrierId,
      { day: event.at.slice(0, 10), shipmentId: before.shipmentId },
      add,
    ),
  ];
}
