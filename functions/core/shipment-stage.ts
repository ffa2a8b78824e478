import type { OrderStatus } from '../contracts/schemas';
import type { CarrierStep, DispatchStepAnswer, ShipmentStatus, ShipmentType } from '../contracts/shipments';
import { canTransition, isDispatching } from './order-status';

/** The order stage a shipment status stands for, and how far along it is (higher: further). */
const stages: Partial<Record<ShipmentStatus, { readonly status: OrderStatus; readonly rank: number }>> = {
  AWAITING_TRANSFER: { status: 'PICKING', rank: 1 },
  PICKING: { status: 'PICKING', rank: 1 },
  PACKING: { status: 'PICKING', rank: 1 },
  PACKED: { status: 'PACKED', rank: 2 },
  READY_FOR_PICKUP: { status: 'READY_FOR_PICKUP', rank: 3 },
  HANDED_OVER: { status: 'IN_TRANSIT', rank: 3 },
  RETURNING: { status: 'IN_TRANSIT', rank: 3 },
};
const finals: Partial<Record<ShipmentStatus, OrderStatus>> = {
  DELIVERED: 'DELIVERED',
  COLLECTED: 'COLLECTED',
  NOT_COLLECTED: 'NOT_COLLECTED',
  RETURNED: 'DELIVERY_FAILED',
};

/**
 * The order's status as its shipments stand: the least advanced open customer shipment's stage; once none
 * is open, DELIVERED or COLLECTED (NOT_COLLECTED only if nothing was collected). Transfers are the pickup
 * shipment's business, and rejected or cancelled shipments count for nothing (their units are re-routed or
 * released). Undefined when no shipment says anything yet (all rejected: re-routing is under way).
 */
export function orderStageOf(
  shipments: readonly { readonly type: ShipmentType; readonly status: ShipmentStatus }[],
): OrderStatus | undefined {
  const customer = shipments.filter((shipment) => shipment.type !== 'transfer');
  const open = customer.flatMap((shipment) => stages[shipment.status] ?? []);
  if (open.length > 0) return open.reduce((least, stage) => (stage.rank < least.rank ? stage : least)).status;
  const ended = customer.flatMap((shipment) => finals[shipment.status] ?? []);
  if (ended.length === 0) return undefined;
  // Anything handed to the customer makes the order a success; a failed delivery outranks a pickup missed.
  return (
    ended.find((status) => status === 'DELIVERED' || status === 'COLLECTED') ??
    ended.find((status) => status === 'DELIVERY_FAILED') ??
    'NOT_COLLECTED'
  );
}

/**
 * How long a wait without a deadline (packing, hand-over, a transfer's arrival) lasts before SettleStep reads
 * the shipment and parks it again: a day, so an answer lost after its write is picked up by then at worst.
 */
const noDeadline = 24 * 3600;

/**
 * What the shipment's dispatch workflow is told after a step (contracts/shipments.ts dispatchStepAnswerSchema):
 * its status, the seconds its next wait may last (a pick until dueBy, a collection until pickupBy, at least
 * one: a deadline already passed times the wait out at once; a day where there is no deadline), and whether
 * units it was to ship still have to be re-routed.
 */
export function dispatchAnswer(shipment: AnsweredShipment, now: Date): DispatchStepAnswer {
  const deadline =
    shipment.status === 'PICKING'
      ? shipment.dueBy
      : shipment.status === 'READY_FOR_PICKUP'
        ? shipment.pickupBy
        : undefined;
  const waitSeconds = deadline
    ? Math.max(1, Math.ceil((Date.parse(deadline) - now.getTime()) / 1000))
    : noDeadline;
  const reroute = shipment.rejection !== undefined && shipment.rejection.reroutedAs === undefined;
  return { status: shipment.status, waitSeconds, reroute, carrier: carrierStepOf(shipment) };
}

/** What dispatchAnswer reads of a shipment. */
export interface AnsweredShipment {
  readonly type: ShipmentType;
  readonly status: ShipmentStatus;
  readonly dueBy: string;
  readonly pickupBy?: string | undefined;
  readonly rejection?: { readonly reroutedAs?: number | undefined } | undefined;
  readonly booking?:
    | {
        readonly deliveryId?: string | undefined;
        readonly cancelledAt?: string | undefined;
        readonly cancelRefused?: string | undefined;
      }
    | undefined;
  readonly attention?: object | undefined;
}

/**
 * What the shipment's carrier booking needs next (contracts/shipments.ts carrierSteps): a packed delivery is
 * booked, waits for ops when no carrier took it, or waits for the booked carrier's pick-up; a cancelled
 * shipment booked through a carrier's API has the booking cancelled once.
 */
export function carrierStepOf(shipment: AnsweredShipment): CarrierStep {
  const carried = shipment.type === 'delivery' || shipment.type === 'same_day';
  if (carried && shipment.status === 'PACKED')
    return shipment.booking ? 'booked' : shipment.attention ? 'attention' : 'book';
  const booking = shipment.booking;
  if (
    shipment.status === 'CANCELLED' &&
    booking?.deliveryId &&
    !booking.cancelledAt &&
    !booking.cancelRefused
  )
    return 'cancel';
  return 'none';
}

/**
 * The wait a shipment is in, as a parked token records it (contracts/shipments.ts tokenWaitSchema): its
 * status, or NEEDS_CARRIER for a packed shipment no carrier took. A token parked in another wait is answered.
 */
export const waitOf = (shipment: AnsweredShipment): string =>
  carrierStepOf(shipment) === 'attention' ? 'NEEDS_CARRIER' : shipment.status;

/**
 * The status an order in dispatch moves to as its shipments stand, or undefined to leave it: not dispatching
 * (a re-route is sourcing again, or it ended), already there, or a move its life cycle does not allow.
 */
export function followShipments(
  current: OrderStatus,
  shipments: readonly { readonly type: ShipmentType; readonly status: ShipmentStatus }[],
): OrderStatus | undefined {
  if (!isDispatching(current)) return undefined;
  const stage = orderStageOf(shipments);
  return stage && stage !== current && canTransition(current, stage) ? stage : undefined;
}
