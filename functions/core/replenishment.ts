/**
 * Replenishment decisions (issue 4, early warning), pure: when a location's stock of a SKU is low enough to
 * buy more, and how much.
 */

export interface ReorderPolicy {
  /** Buy when available falls below this; absent or 0 means the SKU is never replenished here. */
  readonly reorderPoint?: number;
  /** Fixed lot size; absent means "order up to twice the reorder point". */
  readonly reorderQuantity?: number;
}

/**
 * A SKU's own settings at a location win, field by field, over the location's defaults: a retailer sets one
 * reorder point per store and overrides it for the few SKUs that sell differently.
 */
export function effectiveReorderPolicy(own: ReorderPolicy, locationDefaults: ReorderPolicy): ReorderPolicy {
  const reorderPoint = own.reorderPoint ?? locationDefaults.reorderPoint;
  const reorderQuantity = own.reorderQuantity ?? locationDefaults.reorderQuantity;
  return {
    ...(reorderPoint === undefined ? {} : { reorderPoint }),
    ...(reorderQuantity === undefined ? {} : { reorderQuantity }),
  };
}

export interface ReplenishmentInput extends ReorderPolicy {
  /** Available to promise at the location (never negative). */
  readonly available: number;
  /** Units already on order for this location's stock (confirmed replenishment, not yet received). */
  readonly inbound: number;
}

/**
 * Units to order now, or 0. Triggers when available is below the reorder point and what is already on the
 * way does not lift the position (available + inbound) back to it. With a lot size, orders the fewest whole
 * lots that reach the reorder point (an (s, Q) policy); without, orders up to twice the reorder point (an
 * (s, S) policy with S = 2s), which leaves a buffer of one reorder point above the trigger.
 */
export function replenishmentNeed(input: ReplenishmentInput): number {
  const { reorderPoint, reorderQuantity } = input;
  if (reorderPoint === undefined || reorderPoint <= 0) return 0;
  const available = Math.max(0, input.available);
  if (available >= reorderPoint) return 0;
  const position = available + Math.max(0, input.inbound);
  if (position >= reorderPoint) return 0;
  if (reorderQuantity !== undefined && reorderQuantity > 0)
    return Math.ceil((reorderPoint - position) / reorderQuantity) * reorderQuantity;
  return 2 * reorderPoint - position;
}
