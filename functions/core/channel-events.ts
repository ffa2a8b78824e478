import type { ChannelEventData, ChannelEventType } from '../contracts/channel-events';
import { splitOrderId } from '../contracts/order-ids';

/**
 * Which channel events a committed change says happened (docs/channel-events.md): the order item's or a
 * shipment item's image before and after one write, as the table's stream carries it. An event is the
 * change of a status into one a channel cares about, so a write that changes no status, a replay or a
 * repeat says nothing: nothing is invented, and every change is seen once.
 */

export interface ChangedItem {
  readonly entity?: unknown;
  readonly status?: unknown;
  readonly version?: unknown;
  readonly updatedAt?: unknown;
  readonly [name: string]: unknown;
}

export interface DerivedEvent {
  readonly type: ChannelEventType;
  /** The order's system-wide id. */
  readonly orderId: string;
  readonly occurredAt: string;
  /** Stable across retries of the same change: the subject (order or shipment), its version and the type. */
  readonly id: string;
  readonly data: ChannelEventData;
}

const orderEvents: Partial<Record<string, ChannelEventType>> = {
  RESERVED: 'order.reserved',
  BACKORDERED: 'order.backordered',
  REJECTED: 'order.rejected',
  CANCELLED: 'order.cancelled',
  DELIVERY_FAILED: 'order.delivery_failed',
  NOT_COLLECTED: 'order.not_collected',
};

const shipmentEvents: Partial<Record<string, ChannelEventType>> = {
  READY_FOR_PICKUP: 'shipment.ready_for_pickup',
  HANDED_OVER: 'shipment.in_transit',
  DELIVERED: 'shipment.delivered',
};

export function channelEventsOf(
  before: ChangedItem | undefined,
  after: ChangedItem | undefined,
): DerivedEvent[] {
  if (after?.entity === 'return') return refundRequests(before, after);
  if (!after || after.status === before?.status || typeof after.status !== 'string') return [];
  const orderId = String(after.orderId ?? '');
  const occurredAt = String(after.updatedAt ?? '');
  if (after.entity === 'order') {
    const type = orderEvents[after.status];
    if (!type) return [];
    return [
      {
        type,
        orderId,
        occurredAt,
        id: eventId(orderId, after.version, type),
        data: { status: after.status },
      },
    ];
  }
  if (after.entity !== 'shipment' || after.type === 'transfer') return [];
  const type = shipmentEvents[after.status];
  if (!type) return [];
  const shipmentId = String(after.shipmentId ?? '');
  return [
    {
      type,
      orderId,
      occurredAt,
      id: eventId(shipmentId, after.version, type),
      data: shipmentData(type, after),
    },
  ];
}

const eventId = (subject: string, version: unknown, type: string) => `${subject}.v${String(version)}.${type}`;

function shipmentData(type: ChannelEventType, shipment: ChangedItem): ChannelEventData {
  const shipmentId = String(shipment.shipmentId);
  const locationId = String(shipment.locationId);
  const booking = shipment.booking as
    | { carrierId?: string; trackingNumber?: string; etaAt?: string }
    | undefined;
  const handover = shipment.handover as { carrier?: string; trackingNumber?: string } | undefined;
  if (type === 'shipment.ready_for_pickup')
    return {
      shipmentId,
      locationId,
      ...(typeof shipment.pickupBy === 'string' ? { pickupBy: shipment.pickupBy } : {}),
    };
  if (type === 'shipment.delivered')
    return {
      shipmentId,
      ...(shipment.proof ? { proof: shipment.proof as NonNullable<ChannelEventData['proof']> } : {}),
    };
  const carrierId = booking?.carrierId ?? handover?.carrier;
  const trackingNumber = booking?.trackingNumber ?? handover?.trackingNumber;
  return {
    shipmentId,
    locationId,
    ...(carrierId ? { carrierId } : {}),
    ...(trackingNumber ? { trackingNumber } : {}),
    ...(booking?.etaAt ? { etaAt: booking.etaAt } : {}),
  };
}

/**
 * A return's refund asked of the channel (docs/returns.md): each request (the first, and each ops retry after
 * a failure) is a new attempt, and each attempt is one event. The return id is the channel's own.
 */
function refundRequests(before: ChangedItem | undefined, after: ChangedItem): DerivedEvent[] {
  if (after.refundState !== 'requested') return [];
  if (before?.refundState === 'requested' && before.refundAttempt === after.refundAttempt) return [];
  const orderId = String(after.orderId ?? '');
  const refund = (after.refund ?? {}) as {
    amount?: number;
    currency?: string;
    lines?: { sku: string; qty: number; amount: number }[];
  };
  const channelOrderId = splitOrderId(orderId)?.channelOrderId ?? orderId;
  const attempt = Number(after.refundAttempt ?? 1);
  return [
    {
      type: 'refund.requested',
      orderId,
      occurredAt: String(after.updatedAt ?? ''),
      id: `${String(after.returnId)}.a${attempt}.refund.requested`,
      data: {
        returnId: `${channelOrderId}-r${String(after.number)}`,
        ...(refund.amount === undefined ? {} : { amount: refund.amount }),
        ...(refund.currency ? { currency: refund.currency } : {}),
        lines: refund.lines ?? [],
        attempt,
      },
    },
  ];
}
