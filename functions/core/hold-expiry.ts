import type { Allocation, OrderStatus, Shortfall } from '../contracts/schemas';

/** What an order looks like to the expiry decision: only the fields it changes. */
export interface ExpiringOrder {
  readonly status: OrderStatus;
  readonly allocations: readonly Allocation[];
  readonly shortfall: readonly Shortfall[];
}

export type HoldExpiryDecision =
  | {
      readonly kind: 'release';
      readonly status: OrderStatus;
      readonly allocations: Allocation[];
      readonly shortfall: Shortfall[];
    }
  /** Picking has started (or later): the goods are physically moving, so the hold is not the sweeper's to drop. */
  | { readonly kind: 'keep'; readonly reason: string };

/** Orders whose held stock is still only a promise: an expired hold returns to the shelf. */
const releasableStatuses: readonly OrderStatus[] = [
  'ACCEPTED',
  'RESERVED',
  'BACKORDERED',
  'CANCELLED',
  'REJECTED',
];

/**
 * What releasing one expired hold does to its order. A live order (RESERVED or BACKORDERED) loses the units
 * from its allocation and gains them as shortfall, so it becomes BACKORDERED: the same state a short
 * reservation ends in, from which a later reservation run (or procurement) can complete it. A terminal order
 * keeps its status; it only had a leftover hold (a crash between releasing and moving on).
 */
export function decideHoldExpiry(
  order: ExpiringOrder,
  hold: { readonly sku: string; readonly locationId: string; readonly qty: number },
): HoldExpiryDecision {
  if (!releasableStatuses.includes(order.status))
    return { kind: 'keep', reason: `order is ${order.status}: picking has started` };
  const allocations = order.allocations.flatMap((allocation) => {
    if (allocation.sku !== hold.sku || allocation.locationId !== hold.locationId) return [allocation];
    const qty = allocation.qty - hold.qty;
    return qty > 0 ? [{ ...allocation, qty }] : [];
  });
  const terminal = order.status === 'CANCELLED' || order.status === 'REJECTED';
  if (terminal)
    return { kind: 'release', status: order.status, allocations, shortfall: [...order.shortfall] };
  const existing = order.shortfall.find((line) => line.sku === hold.sku);
  const shortfall = existing
    ? order.shortfall.map((line) =>
        line.sku === hold.sku ? { sku: line.sku, qty: line.qty + hold.qty } : line,
      )
    : [...order.shortfall, { sku: hold.sku, qty: hold.qty }];
  return { kind: 'release', status: 'BACKORDERED', allocations, shortfall };
}
