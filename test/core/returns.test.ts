import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  deliveredUnits,
  refundFor,
  refuseReturn,
  returnReasons,
  unitsAskedBack,
} from '../../functions/core/returns';

/** The returns policy (docs/returns.md): what may be returned, and what a received return refunds. */
describe('refuseReturn', () => {
  const now = new Date('2026-12-01T12:00:00.000Z');
  const delivered = new Map([
    ['SKU-A', { qty: 3, at: '2026-11-20T10:00:00.000Z' }],
    ['SKU-B', { qty: 1, at: '2026-10-01T10:00:00.000Z' }],
  ]);
  const base = { delivered, requestedBefore: new Map<string, number>(), policies: new Map(), now };

  it('admits units delivered within the window, less what other returns already ask for', () => {
    expect(refuseReturn({ ...base, lines: [{ sku: 'SKU-A', qty: 3 }] })).toBeUndefined();
    expect(
      refuseReturn({ ...base, lines: [{ sku: 'SKU-A', qty: 2 }], requestedBefore: new Map([['SKU-A', 1]]) }),
    ).toBeUndefined();
    expect(
      refuseReturn({ ...base, lines: [{ sku: 'SKU-A', qty: 3 }], requestedBefore: new Map([['SKU-A', 1]]) }),
    ).toMatchObject({
      status: 422,
      code: 'QTY_EXCEEDS_DELIVERED',
      field: 'lines[0].qty',
      reason: expect.stringContaining('2 left'),
    });
    expect(refuseReturn({ ...base, lines: [{ sku: 'SKU-Z', qty: 1 }] })).toMatchObject({
      code: 'QTY_EXCEEDS_DELIVERED',
      reason: expect.stringContaining('0 left'),
    });
  });

  it('refuses before delivery, outside the window, and what the catalogue says is not returnable', () => {
    expect(refuseReturn({ ...base, delivered: new Map(), lines: [{ sku: 'SKU-A', qty: 1 }] })).toMatchObject({
      status: 409,
      code: 'NOTHING_DELIVERED',
    });
    // Delivered 61 days ago: outside the default 30 days, inside a SKU's own 90.
    expect(refuseReturn({ ...base, lines: [{ sku: 'SKU-B', qty: 1 }] })).toMatchObject({
      code: 'WINDOW_CLOSED',
      field: 'lines[0].sku',
    });
    expect(
      refuseReturn({
        ...base,
        lines: [{ sku: 'SKU-B', qty: 1 }],
        policies: new Map([['SKU-B', { returnable: true, returnWindowDays: 90 }]]),
      }),
    ).toBeUndefined();
    expect(
      refuseReturn({
        ...base,
        lines: [{ sku: 'SKU-A', qty: 1 }],
        policies: new Map([['SKU-A', { returnable: false }]]),
      }),
    ).toMatchObject({ status: 422, code: 'NOT_RETURNABLE' });
  });

  it('refuses a drop-off at a location that is no store, does not exist, or takes no returns', () => {
    const ask = { ...base, lines: [{ sku: 'SKU-A', qty: 1 }] };
    expect(refuseReturn({ ...ask, dropOffStore: { type: 'store' } })).toBeUndefined();
    expect(refuseReturn({ ...ask, dropOffStore: { type: 'store', acceptsReturns: true } })).toBeUndefined();
    for (const store of [null, { type: 'warehouse' }, { type: 'store', acceptsReturns: false }])
      expect(refuseReturn({ ...ask, dropOffStore: store })).toMatchObject({
        status: 422,
        code: 'STORE_NOT_ACCEPTING',
        field: 'storeId',
      });
  });

  it('never lets the returns of an order ask for more units than were delivered, whatever their order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 10 }), (asks) => {
        const requested = new Map<string, number>();
        for (const qty of asks) {
          const refusal = refuseReturn({
            ...base,
            requestedBefore: requested,
            lines: [{ sku: 'SKU-A', qty }],
          });
          if (!refusal) requested.set('SKU-A', (requested.get('SKU-A') ?? 0) + qty);
        }
        expect(requested.get('SKU-A') ?? 0).toBeLessThanOrEqual(3);
      }),
    );
  });
});

describe('refundFor', () => {
  const prices = new Map([
    ['SKU-A', 1000],
    ['SKU-B', 250],
  ]);

  it('refunds resellable units, and damaged ones only when the seller was at fault; never missing ones', () => {
    const line = { sku: 'SKU-A', resellable: 1, damaged: 1, missing: 1 };
    expect(refundFor([{ ...line, reason: 'no_longer_needed' }], prices)).toEqual({
      amount: 1000,
      lines: [{ sku: 'SKU-A', qty: 1, amount: 1000 }],
    });
    expect(refundFor([{ ...line, reason: 'damaged' }], prices).amount).toBe(2000);
    expect(
      refundFor(
        [
          { ...line, reason: 'wrong_item' },
          { sku: 'SKU-B', reason: 'other', resellable: 2, damaged: 3, missing: 0 },
        ],
        prices,
      ).amount,
    ).toBe(2500);
    // Unpriced: nothing by amount.
    expect(refundFor([{ ...line, sku: 'SKU-X', reason: 'damaged' }], prices).amount).toBe(0);
  });

  it('nets out an exchange, never below zero', () => {
    const line = { sku: 'SKU-A', reason: 'wrong_item' as const, resellable: 2, damaged: 0, missing: 0 };
    expect(refundFor([line], prices, 1500).amount).toBe(500);
    expect(refundFor([line], prices, 5000).amount).toBe(0);
  });

  it('never refunds more than the units paid for', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...returnReasons),
        fc.nat(5),
        fc.nat(5),
        fc.nat(5),
        (reason, resellable, damaged, missing) => {
          const { amount } = refundFor([{ sku: 'SKU-A', reason, resellable, damaged, missing }], prices);
          expect(amount).toBeLessThanOrEqual((resellable + damaged) * 1000);
          expect(amount).toBeGreaterThanOrEqual(resellable * 1000);
        },
      ),
    );
  });
});

describe('deliveredUnits and unitsAskedBack', () => {
  const event = (status: string, at: string) => ({ status, at });
  it('counts what reached the customer, pickups with their transfers, and when the last of it did', () => {
    const units = deliveredUnits([
      {
        type: 'delivery',
        status: 'DELIVERED',
        lines: [{ sku: 'A', qty: 2 }],
        events: [
          event('PICKING', '2026-11-01T00:00:00.000Z'),
          event('DELIVERED', '2026-11-03T00:00:00.000Z'),
        ],
      },
      {
        type: 'pickup',
        status: 'COLLECTED',
        lines: [{ sku: 'A', qty: 1 }],
        received: [{ sku: 'B', qty: 1 }],
        events: [event('COLLECTED', '2026-11-05T00:00:00.000Z')],
      },
      { type: 'delivery', status: 'HANDED_OVER', lines: [{ sku: 'C', qty: 1 }], events: [] },
      { type: 'transfer', status: 'RECEIVED', lines: [{ sku: 'B', qty: 1 }], events: [] },
      { type: 'delivery', status: 'DELIVERED', lines: [{ sku: 'A', qty: 1 }], events: [] },
    ]);
    expect([...units]).toEqual([
      ['A', { qty: 4, at: '2026-11-05T00:00:00.000Z' }],
      ['B', { qty: 1, at: '2026-11-05T00:00:00.000Z' }],
    ]);
  });

  it('adds up what returns ask back, leaving lapsed ones out', () => {
    const asked = unitsAskedBack(
      [
        { status: 'REQUESTED', lines: [{ sku: 'A', qty: 1 }] },
        {
          status: 'REFUNDED',
          lines: [
            { sku: 'A', qty: 1 },
            { sku: 'B', qty: 2 },
          ],
        },
        { status: 'EXPIRED', lines: [{ sku: 'A', qty: 5 }] },
      ],
      ['EXPIRED', 'REJECTED'],
    );
    expect([...asked]).toEqual([
      ['A', 2],
      ['B', 2],
    ]);
  });
});
