import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateFifo, checkLinesWithin, chooseSupplier } from '../../functions/core/procurement';

describe('chooseSupplier', () => {
  const offer = (
    supplierId: string,
    sku: string,
    available: number,
    leadTimeDays: number,
    unitCost?: number,
  ) => ({
    supplierId,
    sku,
    available,
    leadTimeDays,
    ...(unitCost === undefined ? {} : { unitCost }),
  });

  it('prefers the supplier covering the most units, then the shortest lead time, then the lowest cost', () => {
    const needs = [{ sku: 'A', qty: 5 }];
    expect(chooseSupplier(needs, [offer('s1', 'A', 3, 1, 1), offer('s2', 'A', 9, 5, 9)], [])).toMatchObject({
      supplierId: 's2',
      lines: [{ sku: 'A', qty: 5 }],
    });
    expect(
      chooseSupplier(needs, [offer('s1', 'A', 9, 3, 1), offer('s2', 'A', 9, 2, 9)], [])?.supplierId,
    ).toBe('s2');
    expect(
      chooseSupplier(needs, [offer('s1', 'A', 9, 2, 4), offer('s2', 'A', 9, 2, 3)], [])?.supplierId,
    ).toBe('s2');
    expect(chooseSupplier(needs, [offer('s1', 'A', 9, 2), offer('s2', 'A', 9, 2, 3)], [])?.supplierId).toBe(
      's2',
    );
    expect(chooseSupplier(needs, [offer('s2', 'A', 9, 2), offer('s1', 'A', 9, 2)], [])?.supplierId).toBe(
      's1',
    );
  });

  it('caps lines at availability, skips tried suppliers and SKUs a supplier lacks; none left → undefined', () => {
    const needs = [
      { sku: 'A', qty: 5 },
      { sku: 'B', qty: 2 },
    ];
    const offers = [offer('s1', 'A', 3, 1, 1), offer('s1', 'B', 0, 1, 1), offer('s2', 'B', 2, 4, 1)];
    expect(chooseSupplier(needs, offers, [])).toEqual({
      supplierId: 's1',
      lines: [{ sku: 'A', qty: 3 }],
      leadTimeDays: 1,
      cost: 3,
    });
    expect(chooseSupplier(needs, offers, ['s1'])?.lines).toEqual([{ sku: 'B', qty: 2 }]);
    expect(chooseSupplier(needs, offers, ['s1', 's2'])).toBeUndefined();
    expect(chooseSupplier(needs, [], [])).toBeUndefined();
  });
});

describe('allocateFifo', () => {
  it('serves the oldest backorders first and returns the rest', () => {
    const waiting = [
      { orderId: 'b', sku: 'A', outstanding: 2, createdAt: '2026-01-02T00:00:00.000Z' },
      { orderId: 'a', sku: 'A', outstanding: 3, createdAt: '2026-01-01T00:00:00.000Z' },
      { orderId: 'c', sku: 'A', outstanding: 4, createdAt: '2026-01-02T00:00:00.000Z' },
      { orderId: 'z', sku: 'A', outstanding: 0, createdAt: '2025-01-01T00:00:00.000Z' },
    ];
    expect(allocateFifo(4, waiting)).toEqual({
      allocations: [
        { orderId: 'a', qty: 3 },
        { orderId: 'b', qty: 1 },
      ],
      rest: 0,
    });
    expect(allocateFifo(12, waiting)).toEqual({
      allocations: [
        { orderId: 'a', qty: 3 },
        { orderId: 'b', qty: 2 },
        { orderId: 'c', qty: 4 },
      ],
      rest: 3,
    });
    expect(allocateFifo(3, [])).toEqual({ allocations: [], rest: 3 });
  });
});

describe('checkLinesWithin', () => {
  it('allows part of each line, never more, nor unknown or repeated SKUs', () => {
    const limit = { A: 5, B: 2 };
    expect(checkLinesWithin([{ sku: 'A', qty: 5 }], limit)).toEqual({ ok: true });
    expect(checkLinesWithin([{ sku: 'A', qty: 6 }], limit).ok).toBe(false);
    expect(checkLinesWithin([{ sku: 'C', qty: 1 }], limit).ok).toBe(false);
    expect(
      checkLinesWithin(
        [
          { sku: 'B', qty: 1 },
          { sku: 'B', qty: 1 },
        ],
        limit,
      ).ok,
    ).toBe(false);
  });
});

/** Rearranges `items` by random sort keys: the same elements in another order. */
const permuted = <T>(items: readonly T[], keys: readonly number[]) =>
  items
    .map((item, index) => ({ item, key: keys[index] ?? 0 }))
    .sort((a, b) => a.key - b.key)
    .map(({ item }) => item);

describe('determinism (a retried or redriven task decides the same, whatever order a Query returned)', () => {
  it('chooseSupplier does not depend on the order of the offers', () => {
    const offers = fc.uniqueArray(
      fc.record({
        supplierId: fc.constantFrom('s1', 's2', 's3', 's4'),
        sku: fc.constantFrom('A', 'B'),
        available: fc.integer({ min: 0, max: 6 }),
        leadTimeDays: fc.integer({ min: 1, max: 3 }),
        unitCost: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
      }),
      { selector: (offer) => `${offer.supplierId}/${offer.sku}`, maxLength: 8 },
    );
    fc.assert(
      fc.property(
        offers,
        fc.array(fc.double({ noNaN: true }), { minLength: 8, maxLength: 8 }),
        (list, keys) => {
          const clean = list.map(({ unitCost, ...rest }) =>
            unitCost === undefined ? rest : { ...rest, unitCost },
          );
          const needs = [
            { sku: 'A', qty: 4 },
            { sku: 'B', qty: 2 },
          ];
          expect(chooseSupplier(needs, permuted(clean, keys), [])).toEqual(chooseSupplier(needs, clean, []));
        },
      ),
    );
  });

  it('allocateFifo does not depend on the order the backorders were read in', () => {
    const waiting = fc.uniqueArray(
      fc.record({
        orderId: fc.constantFrom('o1', 'o2', 'o3', 'o4', 'o5'),
        sku: fc.constant('A'),
        outstanding: fc.integer({ min: 0, max: 4 }),
        createdAt: fc.constantFrom('2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'),
      }),
      { selector: (backorder) => backorder.orderId, maxLength: 5 },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 12 }),
        waiting,
        fc.array(fc.double({ noNaN: true }), { minLength: 5, maxLength: 5 }),
        (qty, list, keys) => {
          expect(allocateFifo(qty, permuted(list, keys))).toEqual(allocateFifo(qty, list));
        },
      ),
    );
  });
});
