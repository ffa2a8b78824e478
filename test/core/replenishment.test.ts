import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { effectiveReorderPolicy, replenishmentNeed } from '../../functions/core/replenishment';

const situation = fc.record({
  available: fc.integer({ min: -20, max: 500 }),
  inbound: fc.nat(500),
  reorderPoint: fc.option(fc.nat(300), { nil: undefined }),
  reorderQuantity: fc.option(fc.integer({ min: 1, max: 200 }), { nil: undefined }),
});

describe('replenishmentNeed', () => {
  it('orders up to twice the reorder point, or whole lots that reach it', () => {
    expect(replenishmentNeed({ available: 4, inbound: 0, reorderPoint: 5 })).toBe(6);
    expect(replenishmentNeed({ available: 5, inbound: 0, reorderPoint: 5 })).toBe(0);
    expect(replenishmentNeed({ available: 4, inbound: 0, reorderPoint: 5, reorderQuantity: 12 })).toBe(12);
    expect(replenishmentNeed({ available: 0, inbound: 0, reorderPoint: 25, reorderQuantity: 10 })).toBe(30);
    expect(replenishmentNeed({ available: 2, inbound: 3, reorderPoint: 5 })).toBe(0);
    expect(replenishmentNeed({ available: 1, inbound: 2, reorderPoint: 5 })).toBe(7);
    expect(replenishmentNeed({ available: -3, inbound: 0, reorderPoint: 2 })).toBe(4);
    expect(replenishmentNeed({ available: 0, inbound: 0 })).toBe(0);
    expect(replenishmentNeed({ available: 0, inbound: 0, reorderPoint: 0, reorderQuantity: 5 })).toBe(0);
  });

  it('is positive exactly when available and the position (with inbound) are both below the reorder point', () => {
    fc.assert(
      fc.property(situation, (input) => {
        const available = Math.max(0, input.available);
        const point = input.reorderPoint ?? 0;
        const due = available < point && available + input.inbound < point;
        expect(replenishmentNeed(input) > 0).toBe(due);
      }),
    );
  });

  it('lifts the position back to the reorder point: exactly 2× without a lot size, with the fewest lots otherwise', () => {
    fc.assert(
      fc.property(situation, (input) => {
        const need = replenishmentNeed(input);
        fc.pre(need > 0 && input.reorderPoint !== undefined);
        const point = input.reorderPoint as number;
        const position = Math.max(0, input.available) + input.inbound;
        expect(position + need).toBeGreaterThanOrEqual(point);
        if (input.reorderQuantity === undefined) {
          expect(position + need).toBe(2 * point);
        } else {
          expect(need % input.reorderQuantity).toBe(0);
          expect(position + need - input.reorderQuantity).toBeLessThan(point);
        }
      }),
    );
  });

  it('never orders more when more is already on the way', () => {
    fc.assert(
      fc.property(situation, fc.nat(100), (input, extra) => {
        expect(replenishmentNeed({ ...input, inbound: input.inbound + extra })).toBeLessThanOrEqual(
          replenishmentNeed(input),
        );
      }),
    );
  });
});

describe('effectiveReorderPolicy', () => {
  it("takes the SKU's own settings field by field, the location's otherwise", () => {
    expect(effectiveReorderPolicy({}, { reorderPoint: 20, reorderQuantity: 50 })).toEqual({
      reorderPoint: 20,
      reorderQuantity: 50,
    });
    expect(effectiveReorderPolicy({ reorderPoint: 5 }, { reorderPoint: 20, reorderQuantity: 50 })).toEqual({
      reorderPoint: 5,
      reorderQuantity: 50,
    });
    expect(effectiveReorderPolicy({ reorderQuantity: 3 }, {})).toEqual({ reorderQuantity: 3 });
    expect(effectiveReorderPolicy({}, {})).toEqual({});
  });
});
