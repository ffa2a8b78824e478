import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dropOffWaitSeconds,
  inspectReceipt,
  maxWaitSeconds,
  orderStatusAfterReturns,
  pickupDestination,
  refuseReturn,
  returnStepAnswer,
} from '../../functions/core/returns';

/** The returns workflow's pure rules (docs/returns.md): receipts, the order's status, the step answers. */
describe('inspectReceipt', () => {
  const asked = [
    { sku: 'SKU-A', qty: 2, reason: 'no_longer_needed' as const },
    { sku: 'SKU-B', qty: 1, reason: 'damaged' as const },
  ];

  it('accounts for every unit asked back, split by condition over several lines', () => {
    expect(
      inspectReceipt(asked, [
        { sku: 'SKU-A', qty: 1, condition: 'resellable' },
        { sku: 'SKU-A', qty: 1, condition: 'damaged' },
        { sku: 'SKU-B', qty: 1, condition: 'missing' },
      ]),
    ).toEqual({
      inspected: [
        { sku: 'SKU-A', reason: 'no_longer_needed', resellable: 1, damaged: 1, missing: 0 },
        { sku: 'SKU-B', reason: 'damaged', resellable: 0, damaged: 0, missing: 1 },
      ],
    });
  });

  it('refuses a SKU not asked back, and units unaccounted for or too many', () => {
    expect(inspectReceipt(asked, [{ sku: 'SKU-Z', qty: 1, condition: 'resellable' }])).toEqual({
      refusal: { field: 'lines[0].sku', reason: 'SKU-Z is not part of this return' },
    });
    const short = inspectReceipt(asked, [{ sku: 'SKU-A', qty: 2, condition: 'resellable' }]);
    expect(short).toMatchObject({
      refusal: { field: 'lines', reason: expect.stringContaining('1 × SKU-B') },
    });
    const over = inspectReceipt(asked, [
      { sku: 'SKU-A', qty: 3, condition: 'resellable' },
      { sku: 'SKU-B', qty: 1, condition: 'resellable' },
    ]);
    expect(over).toMatchObject({ refusal: { reason: expect.stringContaining('3 accounted for') } });
  });

  it('whatever the receipt, an accepted one accounts for exactly the units asked back', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            sku: fc.constantFrom('SKU-A', 'SKU-B'),
            qty: fc.integer({ min: 1, max: 3 }),
            condition: fc.constantFrom('resellable' as const, 'damaged' as const, 'missing' as const),
          }),
          { maxLength: 6 },
        ),
        (received) => {
          const result = inspectReceipt(asked, received);
          if ('refusal' in result) return;
          for (const wanted of asked) {
            const line = result.inspected.find((inspected) => inspected.sku === wanted.sku);
            expect((line?.resellable ?? 0) + (line?.damaged ?? 0) + (line?.missing ?? 0)).toBe(wanted.qty);
          }
        },
      ),
    );
  });
});

describe('orderStatusAfterReturns', () => {
  const lines = (qty: number) => [{ qty }];
  it('stays RETURN_REQUESTED while a return is open; otherwise adds up what closed returns brought back', () => {
    const base = { deliveredQty: 3, reached: 'DELIVERED' as const };
    expect(
      orderStatusAfterReturns({
        ...base,
        returns: [
          { status: 'CLOSED', lines: lines(1) },
          { status: 'RECEIVED', lines: lines(1) },
        ],
      }),
    ).toBe('RETURN_REQUESTED');
    expect(orderStatusAfterReturns({ ...base, returns: [{ status: 'CLOSED', lines: lines(2) }] })).toBe(
      'PARTIALLY_RETURNED',
    );
    expect(
      orderStatusAfterReturns({
        ...base,
        returns: [
          { status: 'CLOSED', lines: lines(2) },
          { status: 'CLOSED', lines: lines(1) },
        ],
      }),
    ).toBe('RETURNED');
    expect(
      orderStatusAfterReturns({
        deliveredQty: 1,
        reached: 'COLLECTED',
        returns: [{ status: 'EXPIRED', lines: lines(1) }],
      }),
    ).toBe('COLLECTED');
    // Units that never came back (missing) are not returned: the customer still has them, as far as we know.
    expect(
      orderStatusAfterReturns({
        deliveredQty: 2,
        reached: 'DELIVERED',
        returns: [{ status: 'CLOSED', lines: lines(2), inspected: [{ resellable: 0, damaged: 0 }] }],
      }),
    ).toBe('DELIVERED');
    expect(
      orderStatusAfterReturns({
        deliveredQty: 2,
        reached: 'DELIVERED',
        returns: [{ status: 'CLOSED', lines: lines(2), inspected: [{ resellable: 1, damaged: 1 }] }],
      }),
    ).toBe('RETURNED');
  });
});

describe('returnStepAnswer and the drop-off wait', () => {
  const now = new Date('2026-12-01T00:00:00.000Z');
  it('parks the drop-off wait until the deadline, at most a day and at least a second', () => {
    expect(dropOffWaitSeconds('2026-12-01T00:00:30.000Z', now)).toBe(30);
    expect(dropOffWaitSeconds('2026-12-15T00:00:00.000Z', now)).toBe(maxWaitSeconds);
    expect(dropOffWaitSeconds('2026-11-30T00:00:00.000Z', now)).toBe(1);
  });

  it('answers what the next step needs: the wait while requested, the refund state while pending', () => {
    const dropOffBy = '2026-12-01T00:01:00.000Z';
    expect(returnStepAnswer({ status: 'REQUESTED', dropOffBy }, now)).toEqual({
      status: 'REQUESTED',
      waitSeconds: 60,
      refund: null,
      pickup: null,
    });
    expect(returnStepAnswer({ status: 'REFUND_PENDING', dropOffBy, refundState: 'failed' }, now)).toEqual({
      status: 'REFUND_PENDING',
      waitSeconds: null,
      refund: 'failed',
      pickup: null,
    });
    expect(returnStepAnswer({ status: 'REFUND_PENDING', dropOffBy }, now).refund).toBe('requested');
    expect(returnStepAnswer({ status: 'CLOSED', dropOffBy }, now)).toEqual({
      status: 'CLOSED',
      waitSeconds: null,
      refund: null,
      pickup: null,
    });
  });
});

describe('exchange prices', () => {
  const base = {
    lines: [{ sku: 'SKU-A', qty: 1 }],
    delivered: new Map([['SKU-A', { qty: 1, at: '2026-11-30T00:00:00.000Z' }]]),
    requestedBefore: new Map<string, number>(),
    policies: new Map(),
    now: new Date('2026-12-01T00:00:00.000Z'),
  };
  it('refuses a replacement a priced order cannot price; takes the order price or its own', () => {
    const pricedSkus = new Set(['SKU-A']);
    expect(
      refuseReturn({ ...base, pricedSkus, exchange: [{ sku: 'SKU-A' }, { sku: 'SKU-C' }] }),
    ).toMatchObject({ status: 422, code: 'EXCHANGE_NOT_PRICED', field: 'exchange[1].unitPrice' });
    expect(
      refuseReturn({ ...base, pricedSkus, exchange: [{ sku: 'SKU-C', unitPrice: 300 }] }),
    ).toBeUndefined();
    // An order without prices has unpriced replacements.
    expect(refuseReturn({ ...base, exchange: [{ sku: 'SKU-C' }] })).toBeUndefined();
  });
});

describe('courier pickups', () => {
  const now = new Date('2026-12-01T00:00:00.000Z');
  const dropOffBy = '2026-12-02T00:00:00.000Z';
  it('books a courier return once: not when booked, nor when none could be, nor for a drop-off', () => {
    const courier = { status: 'REQUESTED' as const, dropOffBy, method: 'courier_pickup' };
    expect(returnStepAnswer(courier, now).pickup).toBe('book');
    expect(returnStepAnswer({ ...courier, pickup: { deliveryId: 'D-1' } }, now).pickup).toBeNull();
    expect(returnStepAnswer({ ...courier, pickup: { failed: 'no carrier' } }, now).pickup).toBeNull();
    expect(returnStepAnswer({ ...courier, method: 'store_dropoff' }, now).pickup).toBeNull();
    // With the courier, it waits a day at a time (no drop-off deadline applies).
    expect(returnStepAnswer({ ...courier, status: 'IN_TRANSIT' }, now)).toEqual({
      status: 'IN_TRANSIT',
      waitSeconds: maxWaitSeconds,
      refund: null,
      pickup: null,
    });
  });

  it('brings it to the store the customer named if it takes returns, else to the nearest that does', () => {
    const from = { lat: 51.5, lng: -0.1 };
    const locations = [
      { locationId: 'FAR', lat: 52.5, lng: -1.9 },
      { locationId: 'NEAR', lat: 51.51, lng: -0.11 },
      { locationId: 'NEAREST-CLOSED', lat: 51.5, lng: -0.1, acceptsReturns: false },
    ];
    expect(pickupDestination(from, locations)).toBe('NEAR');
    expect(pickupDestination(from, locations, 'FAR')).toBe('FAR');
    expect(pickupDestination(from, locations, 'NEAREST-CLOSED')).toBe('NEAR');
    expect(pickupDestination(from, [])).toBeUndefined();
  });
});
