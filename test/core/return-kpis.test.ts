import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kpiCountsOf, returnKpis } from '../../functions/core/return-kpis';

describe('returnKpis', () => {
  it('adds up returns by reason and SKU, with each SKU’s rate against what was delivered', () => {
    const kpis = returnKpis({
      returns: 3,
      'delivered|SKU-A': 10,
      'delivered|SKU-B': 4,
      'returned|SKU-A|damaged': 1,
      'returned|SKU-A|no_longer_needed': 2,
      'returned|SKU-C|other': 1,
    });
    expect(kpis).toEqual({
      returns: 3,
      unitsDelivered: 14,
      unitsReturned: 4,
      returnRate: 0.2857,
      byReason: { damaged: 1, no_longer_needed: 2, other: 1 },
      bySku: [
        {
          sku: 'SKU-A',
          delivered: 10,
          returned: 3,
          returnRate: 0.3,
          byReason: { damaged: 1, no_longer_needed: 2 },
        },
        // Returned in the period, delivered before it: no rate.
        { sku: 'SKU-C', delivered: 0, returned: 1, returnRate: null, byReason: { other: 1 } },
        { sku: 'SKU-B', delivered: 4, returned: 0, returnRate: 0, byReason: {} },
      ],
    });
    expect(returnKpis({})).toEqual({
      returns: 0,
      unitsDelivered: 0,
      unitsReturned: 0,
      returnRate: null,
      byReason: {},
      bySku: [],
    });
  });

  it('the reasons add up to the units returned, per SKU and overall', () => {
    const sku = fc.constantFrom('A', 'B', 'C');
    const reason = fc.constantFrom('damaged', 'wrong_item', 'other');
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.oneof(
            sku.map((s) => `delivered|${s}`),
            fc.tuple(sku, reason).map(([s, r]) => `returned|${s}|${r}`),
          ),
          fc.nat({ max: 50 }),
        ),
        (counters) => {
          const kpis = returnKpis(counters);
          const sum = (values: Record<string, number>) => Object.values(values).reduce((a, b) => a + b, 0);
          expect(sum(kpis.byReason)).toBe(kpis.unitsReturned);
          for (const entry of kpis.bySku) expect(sum(entry.byReason)).toBe(entry.returned);
        },
      ),
    );
  });
});

describe('kpiCountsOf', () => {
  const shipment = {
    entity: 'shipment',
    type: 'pickup',
    shipmentId: 'web.A-1-0-0',
    status: 'READY_FOR_PICKUP',
    lines: [{ sku: 'SKU-A', qty: 2 }],
    received: [{ sku: 'SKU-A', qty: 1 }],
    updatedAt: '2026-12-01T10:00:00.000Z',
  };
  it('counts a customer shipment delivered or collected once, with what its transfers brought', () => {
    const collected = { ...shipment, status: 'COLLECTED' };
    expect(kpiCountsOf(shipment, collected)).toEqual([
      { subject: 'web.A-1-0-0.reached', day: '2026-12-01', counters: { 'delivered|SKU-A': 3 } },
    ]);
    // A later write of the same status, a transfer arriving, another status: nothing.
    expect(kpiCountsOf(collected, { ...collected, version: 9 })).toEqual([]);
    expect(kpiCountsOf(undefined, undefined)).toEqual([]);
    expect(kpiCountsOf(shipment, { ...collected, type: 'transfer' })).toEqual([]);
    expect(kpiCountsOf(undefined, { ...shipment, status: 'PACKED' })).toEqual([]);
    expect(
      kpiCountsOf(shipment, { ...shipment, status: 'DELIVERED', lines: undefined, received: undefined }),
    ).toEqual([{ subject: 'web.A-1-0-0.reached', day: '2026-12-01', counters: {} }]);
  });

  it('counts a new return by SKU and reason, and nothing when it moves on', () => {
    const created = {
      entity: 'return',
      returnId: 'web.A-1-r1',
      createdAt: '2026-12-02T09:00:00.000Z',
      lines: [{ sku: 'SKU-A', qty: 1, reason: 'damaged' }],
    };
    expect(kpiCountsOf(undefined, created)).toEqual([
      {
        subject: 'web.A-1-r1.requested',
        day: '2026-12-02',
        counters: { returns: 1, 'returned|SKU-A|damaged': 1 },
      },
    ]);
    expect(kpiCountsOf(created, { ...created, status: 'RECEIVED' })).toEqual([]);
  });
});
