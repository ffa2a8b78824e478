import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyCycleCount,
  availableToPromise,
  satisfiesStockInvariant,
  storedAvailable,
  totalStock,
} from '../../functions/core/stock';

const figures = fc.record({
  onHand: fc.nat(1000),
  reserved: fc.nat(1000),
  safetyStock: fc.nat(100),
  inbound: fc.nat(1000),
});

describe('stock arithmetic', () => {
  it('available is onHand − reserved − safetyStock, never negative to promise', () => {
    expect(storedAvailable({ onHand: 10, reserved: 3, safetyStock: 2 })).toBe(5);
    expect(storedAvailable({ onHand: 4, reserved: 3, safetyStock: 2 })).toBe(-1);
    expect(availableToPromise({ onHand: 4, reserved: 3, safetyStock: 2 })).toBe(0);
    fc.assert(
      fc.property(figures, (stock) => {
        expect(availableToPromise(stock)).toBeGreaterThanOrEqual(0);
        expect(availableToPromise(stock)).toBeLessThanOrEqual(Math.max(0, stock.onHand - stock.safetyStock));
      }),
    );
  });

  it('checks the invariant 0 ≤ reserved ≤ onHand with whole figures', () => {
    expect(satisfiesStockInvariant({ onHand: 5, reserved: 5, safetyStock: 0, inbound: 0 })).toBe(true);
    expect(satisfiesStockInvariant({ onHand: 5, reserved: 6, safetyStock: 0, inbound: 0 })).toBe(false);
    expect(satisfiesStockInvariant({ onHand: 5, reserved: -1, safetyStock: 0, inbound: 0 })).toBe(false);
    expect(satisfiesStockInvariant({ onHand: 5.5, reserved: 0, safetyStock: 0, inbound: 0 })).toBe(false);
  });

  it('accepts a cycle count only at or above what is reserved, keeping reserved and inbound', () => {
    expect(applyCycleCount(undefined, { onHand: 7, safetyStock: 1 })).toEqual({
      accepted: true,
      stock: { onHand: 7, safetyStock: 1, reserved: 0, inbound: 0 },
    });
    const current = { onHand: 10, reserved: 4, safetyStock: 0, inbound: 6 };
    expect(applyCycleCount(current, { onHand: 3, safetyStock: 0 })).toEqual({
      accepted: false,
      reason: 'ON_HAND_BELOW_RESERVED',
      reserved: 4,
    });
    fc.assert(
      fc.property(figures, fc.nat(1000), fc.nat(100), (stock, onHand, safetyStock) => {
        const valid = { ...stock, reserved: Math.min(stock.reserved, stock.onHand) };
        const decision = applyCycleCount(valid, { onHand, safetyStock });
        if (decision.accepted) expect(satisfiesStockInvariant(decision.stock)).toBe(true);
        else expect(onHand).toBeLessThan(valid.reserved);
      }),
    );
  });

  it('totals figures across locations', () => {
    expect(totalStock([])).toEqual({ onHand: 0, reserved: 0, available: 0, inbound: 0 });
    expect(
      totalStock([
        { onHand: 10, reserved: 2, safetyStock: 1, inbound: 5 },
        { onHand: 1, reserved: 0, safetyStock: 3, inbound: 0 },
      ]),
    ).toEqual({ onHand: 11, reserved: 2, available: 7, inbound: 5 });
  });
});
