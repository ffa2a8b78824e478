import type { OrderStatus } from '../contracts/schemas';

/**
 * The order life cycle (docs/api.md): which status may follow which. CANCELLED, REJECTED, RETURNED,
 * NOT_COLLECTED and DELIVERY_FAILED end it.
 */
/** The stages an order takes from its shipments (core/shipment-stage.ts), open or ended. */
const shipmentStages: readonly OrderStatus[] = [
  'PICKING',
  'PACKED',
  'READY_FOR_PICKUP',
  'IN_TRANSIT',
  'DELIVERED',
  'COLLECTED',
];

const allowedTransitions: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  ACCEPTED: ['RESERVED', 'BACKORDERED', 'CANCELLED', 'REJECTED'],
  // A backorder may stay short after a partial allocation, so BACKORDERED → BACKORDERED is a real step.
  BACKORDERED: [
    'RESERVED',
    'BACKORDERED',
    'CANCELLED',
    'REJECTED',
    // A re-route's shortfall nobody can serve is given up: the order takes its other shipments' stage.
    ...shipmentStages,
  ],
  // An expired hold (released by the sweeper) turns a reserved order back into a backorder.
  // A re-route's round may join shipments further along: the order takes their least advanced stage.
  RESERVED: [...shipmentStages, 'BACKORDERED', 'CANCELLED'],
  // From here the order follows its shipments (core/shipments.ts orderStageOf). A re-routed shortfall takes
  // it back to BACKORDERED while it is sourced again; nothing left to serve it, REJECTED.
  PICKING: ['PACKED', 'READY_FOR_PICKUP', 'IN_TRANSIT', 'BACKORDERED', 'REJECTED', 'CANCELLED'],
  PACKED: ['PICKING', 'IN_TRANSIT', 'READY_FOR_PICKUP', 'BACKORDERED', 'REJECTED', 'CANCELLED'],
  // A shipment picked short may leave with a carrier before its shortfall's re-route runs: sourcing again.
  IN_TRANSIT: ['DELIVERED', 'DELIVERY_FAILED', 'BACKORDERED'],
  DELIVERY_FAILED: [],
  READY_FOR_PICKUP: ['COLLECTED', 'NOT_COLLECTED', 'PICKING', 'BACKORDERED', 'CANCELLED'],
  DELIVERED: ['RETURN_REQUESTED'],
  COLLECTED: ['RETURN_REQUESTED'],
  // A return that ends (closed, expired) takes the order to what its returns add up to (core/returns.ts).
  RETURN_REQUESTED: ['PARTIALLY_RETURNED', 'RETURNED', 'DELIVERED', 'COLLECTED'],
  PARTIALLY_RETURNED: ['RETURN_REQUESTED', 'RETURNED'],
  RETURNED: [],
  NOT_COLLECTED: [],
  CANCELLED: [],
  REJECTED: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return allowedTransitions[from].includes(to);
}

export function isTerminal(status: OrderStatus): boolean {
  return allowedTransitions[status].length === 0;
}

/** Statuses in which the order follows its shipments' stage (before that, sourcing decides it). */
export function isDispatching(status: OrderStatus): boolean {
  return (
    status === 'PICKING' || status === 'PACKED' || status === 'IN_TRANSIT' || status === 'READY_FOR_PICKUP'
  );
}

/** Statuses a reservation may start from. */
export function isAwaitingReservation(status: OrderStatus): boolean {
  return status === 'ACCEPTED' || status === 'BACKORDERED';
}

export type TransitionDecision =
  | { readonly kind: 'apply' }
  /** Already there: a retried or redriven step must have the effect of running once. */
  | { readonly kind: 'already-applied' }
  | { readonly kind: 'rejected'; readonly reason: string };

export function decideTransition(current: OrderStatus, target: OrderStatus): TransitionDecision {
  if (current === target) return { kind: 'already-applied' };
  if (canTransition(current, target)) return { kind: 'apply' };
  return { kind: 'rejected', reason: `an order in status ${current} cannot become ${target}` };
}

export type CancellationDecision =
  | { readonly kind: 'cancel' }
  /** Cancelled before: the compensation runs again (it is idempotent) to finish what a crash may have cut off. */
  | { readonly kind: 'already-cancelled' }
  | { readonly kind: 'too-late'; readonly reason: string };

/**
 * Whether a customer or operator may still cancel (docs/api.md: until the goods are shipped or collected).
 * The point of no return is the order life cycle itself: any status from which CANCELLED may follow.
 */
export function decideCancellation(current: OrderStatus): CancellationDecision {
  if (current === 'CANCELLED') return { kind: 'already-cancelled' };
  if (canTransition(current, 'CANCELLED')) return { kind: 'cancel' };
  return { kind: 'too-late', reason: `an order in status ${current} can no longer be cancelled` };
}
