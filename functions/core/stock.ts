/** Stock of one SKU at one location (docs/inventory.md). */
export interface StockFigures {
  readonly onHand: number;
  readonly reserved: number;
  readonly safetyStock: number;
  readonly inbound: number;
}

/**
 * What online orders may still take: on hand minus what is promised minus the shelf buffer kept for walk-in
 * customers. Stored alongside the figures because a DynamoDB condition cannot do arithmetic; it can be
 * negative when a cycle count lowers stock below reserved + safety stock, which simply blocks sales.
 */
export function storedAvailable(stock: Pick<StockFigures, 'onHand' | 'reserved' | 'safetyStock'>): number {
  return stock.onHand - stock.reserved - stock.safetyStock;
}

/** Available to promise: never negative, never dips into safety stock. */
export function availableToPromise(stock: Pick<StockFigures, 'onHand' | 'reserved' | 'safetyStock'>): number {
  return Math.max(0, storedAvailable(stock));
}

/** The invariant every write must keep: `0 ≤ reserved ≤ onHand`, all figures whole and non-negative. */
export function satisfiesStockInvariant(stock: StockFigures): boolean {
  const whole = [stock.onHand, stock.reserved, stock.safetyStock, stock.inbound].every(
    (value) => Number.isInteger(value) && value >= 0,
  );
  return whole && stock.reserved <= stock.onHand;
}

export type CycleCountDecision =
  | { readonly accepted: true; readonly stock: StockFigures }
  | { readonly accepted: false; readonly reason: 'ON_HAND_BELOW_RESERVED'; readonly reserved: number };

/** A cycle count sets the counted on-hand and safety stock; it may not drop below units already promised. */
export function applyCycleCount(
  current: StockFigures | undefined,
  count: { readonly onHand: number; readonly safetyStock: number },
): CycleCountDecision {
  const reserved = current?.reserved ?? 0;
  if (count.onHand < reserved) return { accepted: false, reason: 'ON_HAND_BELOW_RESERVED', reserved };
  return {
    accepted: true,
    stock: { onHand: count.onHand, safetyStock: count.safetyStock, reserved, inbound: current?.inbound ?? 0 },
  };
}

export interface StockTotals {
  readonly onHand: number;
  readonly reserved: number;
  readonly available: number;
  readonly inbound: number;
}

export function totalStock(stocks: readonly StockFigures[]): StockTotals {
  return stocks.reduce<StockTotals>(
    (totals, stock) => ({
      onHand: totals.onHand + stock.onHand,
      reserved: totals.reserved + stock.reserved,
      available: totals.available + availableToPromise(stock),
      inbound: totals.inbound + stock.inbound,
    }),
    { onHand: 0, reserved: 0, available: 0, inbound: 0 },
  );
}
