import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pendingStatuses, promisePending, shipmentStatuses } from '../../functions/contracts/shipments';
import { decideReroute } from '../../functions/core/reroute';
import { carrierStepOf, dispatchAnswer, followShipments, waitOf } from '../../functions/core/shipment-stage';
import { mergeBucketChanges, settleHoldChanges } from '../../functions/core/stock-shards';

/** The pure dispatch rules (docs/dispatch.md): answers to the workflow, order stages, re-routes, settling holds. */
describe('dispatchAnswer', () => {
  const now = new Date('2026-01-12T10:00:00.000Z');
  it('gives a pick until dueBy and a collection until pickupBy, never less than a second', () => {
    expect(
      dispatchAnswer({ type: 'delivery', status: 'PICKING', dueBy: '2026-01-12T10:30:00.000Z' }, now),
    ).toEqual({
      status: 'PICKING',
      waitSeconds: 1800,
      reroute: false,
      carrier: 'none',
    });
    expect(
      dispatchAnswer(
        { type: 'delivery', status: 'READY_FOR_PICKUP', dueBy: '', pickupBy: '2026-01-15T10:00:00.000Z' },
        now,
      ).waitSeconds,
    ).toBe(72 * 3600);
    expect(
      dispatchAnswer({ type: 'delivery', status: 'PICKING', dueBy: '2026-01-12T09:00:00.000Z' }, now)
        .waitSeconds,
    ).toBe(1);
    expect(
      dispatchAnswer({ type: 'delivery', status: 'PACKED', dueBy: '2026-01-12T09:00:00.000Z' }, now)
        .waitSeconds,
    ).toBe(24 * 3600);
  });

  it('asks for a re-route exactly while a rejection has not recorded its round', () => {
    const shipment = { type: 'delivery' as const, status: 'REJECTED' as const, dueBy: now.toISOString() };
    expect(dispatchAnswer({ ...shipment, rejection: {} }, now).reroute).toBe(true);
    expect(dispatchAnswer({ ...shipment, rejection: { reroutedAs: 2 } }, now).reroute).toBe(false);
    expect(dispatchAnswer({ ...shipment, rejection: { reroutedAs: 0 } }, now).reroute).toBe(false);
  });
});

describe('carrierStepOf', () => {
  const packed = { type: 'same_day' as const, status: 'PACKED' as const, dueBy: '' };
  it('books a packed delivery, waits for ops when no carrier took it, then for the booked carrier', () => {
    expect(carrierStepOf(packed)).toBe('book');
    expect(carrierStepOf({ ...packed, attention: { reason: 'declined' } })).toBe('attention');
    expect(carrierStepOf({ ...packed, attention: {}, booking: { deliveryId: 'd' } })).toBe('booked');
    expect(carrierStepOf({ ...packed, booking: {} })).toBe('booked');
    // A pickup's or a transfer's parcels never go to a carrier.
    expect(carrierStepOf({ ...packed, type: 'pickup' })).toBe('none');
    expect(carrierStepOf({ ...packed, status: 'HANDED_OVER', booking: { deliveryId: 'd' } })).toBe('none');
  });

  it('cancels a cancelled shipment booking through a carrier API once', () => {
    const cancelled = { ...packed, status: 'CANCELLED' as const };
    expect(carrierStepOf({ ...cancelled, booking: { deliveryId: 'd' } })).toBe('cancel');
    expect(carrierStepOf({ ...cancelled, booking: { deliveryId: 'd', cancelledAt: 'x' } })).toBe('none');
    expect(carrierStepOf({ ...cancelled, booking: { deliveryId: 'd', cancelRefused: 'x' } })).toBe('none');
    // Handed over by staff to a carrier: no delivery at its API to cancel.
    expect(carrierStepOf({ ...cancelled, booking: {} })).toBe('none');
    expect(carrierStepOf(cancelled)).toBe('none');
  });

  it('names the wait a parked token stands for', () => {
    expect(waitOf(packed)).toBe('PACKED');
    expect(waitOf({ ...packed, attention: {} })).toBe('NEEDS_CARRIER');
    expect(waitOf({ ...packed, status: 'PICKING', attention: {} })).toBe('PICKING');
  });
});

describe('followShipments', () => {
  it('moves a dispatching order to its least advanced open shipment, and leaves a re-sourcing one alone', () => {
    const shipments = [
      { type: 'delivery' as const, status: 'PACKED' as const },
      { type: 'delivery' as const, status: 'HANDED_OVER' as const },
    ];
    expect(followShipments('PICKING', shipments)).toBe('PACKED');
    expect(followShipments('PACKED', shipments)).toBeUndefined();
    expect(followShipments('BACKORDERED', shipments)).toBeUndefined();
    expect(followShipments('PACKED', [{ type: 'delivery', status: 'HANDED_OVER' }])).toBe('IN_TRANSIT');
  });
});

describe('promisePending', () => {
  it('holds until the promise of each type is kept, never for an ended shipment', () => {
    expect(promisePending('delivery', 'PACKED')).toBe(true);
    expect(promisePending('delivery', 'HANDED_OVER')).toBe(false);
    expect(promisePending('same_day', 'HANDED_OVER')).toBe(true);
    expect(promisePending('pickup', 'PACKING')).toBe(true);
    expect(promisePending('pickup', 'READY_FOR_PICKUP')).toBe(false);
    expect(promisePending('transfer', 'IN_TRANSFER')).toBe(true);
    expect(promisePending('transfer', 'RECEIVED')).toBe(false);
    for (const status of ['REJECTED', 'CANCELLED', 'NOT_COLLECTED'] as const)
      expect(promisePending('same_day', status)).toBe(false);
    expect(pendingStatuses.every((status) => shipmentStatuses.includes(status))).toBe(true);
  });
});

describe('decideReroute', () => {
  const base = {
    failedAt: 'ST-1',
    shortfall: [{ sku: 'TEE', qty: 2 }],
    reason: 'out_of_stock',
    maxReroutes: 3,
  };
  it('counts the re-route, excludes the location and sends the order back to sourcing', () => {
    expect(
      decideReroute({ ...base, order: { status: 'PICKING', reroutes: 1, excludedLocations: ['ST-0'] } }),
    ).toMatchObject({
      kind: 'reroute',
      round: 2,
      event: 'REROUTED',
      orderChange: { status: 'BACKORDERED', reroutes: 2, excludedLocations: ['ST-0', 'ST-1'] },
    });
    // Reserved, its shipments not yet created: a new round overtakes it (it ends Superseded).
    expect(
      decideReroute({ ...base, order: { status: 'RESERVED', reroutes: 1, excludedLocations: [] } }),
    ).toMatchObject({ kind: 'reroute', round: 2, orderChange: { status: 'BACKORDERED' } });
  });

  it('gives the units up at the cap, leaving the order to the caller (reject-order decides)', () => {
    const capped = decideReroute({
      ...base,
      order: { status: 'PICKING', reroutes: 3, excludedLocations: [] },
    });
    expect(capped).toMatchObject({
      kind: 'skip',
      event: 'REROUTE_CAPPED',
      orderChange: { excludedLocations: ['ST-1'] },
    });
    expect(capped.orderChange.status).toBeUndefined();
  });

  it('folds into the round already waiting for a backorder instead of starting a second beside it', () => {
    expect(
      decideReroute({ ...base, order: { status: 'BACKORDERED', reroutes: 2, excludedLocations: ['ST-0'] } }),
    ).toMatchObject({
      kind: 'fold',
      round: 2,
      event: 'REROUTED',
      orderChange: { excludedLocations: ['ST-0', 'ST-1'] },
    });
  });

  it('leaves an order that ended as it is', () => {
    expect(
      decideReroute({ ...base, order: { status: 'CANCELLED', reroutes: 0, excludedLocations: [] } }),
    ).toMatchObject({ kind: 'skip', event: 'REROUTE_SKIPPED', orderChange: { excludedLocations: ['ST-1'] } });
  });
});

describe('settleHoldChanges', () => {
  it('gives up every reservation, takes picked and missing units off the head, releases the rest', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.nat({ max: 5 }), { maxLength: 3 }),
        fc.nat(),
        fc.nat(),
        (headQty, shardQtys, pickedSeed, missingSeed) => {
          const shards = Object.fromEntries(shardQtys.map((units, index) => [String(index + 1), units]));
          const qty = headQty + shardQtys.reduce((sum, units) => sum + units, 0);
          const picked = pickedSeed % (qty + 1);
          const missing = missingSeed % (qty - picked + 1);
          const changes = settleHoldChanges(qty, shards, { picked, missing });
          const total = (field: 'available' | 'reserved' | 'onHand') =>
            changes.reduce((sum, change) => sum + (change[field] ?? 0), 0);
          expect(total('reserved')).toBe(-qty);
          expect(total('available')).toBe(qty - picked - missing);
          expect(total('onHand') + 0).toBe(0 - (picked + missing));
          expect(
            changes.filter((change) => change.onHand !== undefined).every((c) => c.bucket === 'head'),
          ).toBe(true);
        },
      ),
    );
  });

  it('releases a hold nobody picked back to available, on the buckets it came from', () => {
    expect(settleHoldChanges(3, { '2': 1 }, { picked: 0, missing: 0 })).toEqual([
      { bucket: 2, available: 1, reserved: -1 },
      { bucket: 'head', available: 2, reserved: -2 },
    ]);
  });

  it('refuses to settle more than the hold', () => {
    expect(() => settleHoldChanges(2, undefined, { picked: 2, missing: 1 })).toThrow(RangeError);
  });
});

describe('mergeBucketChanges', () => {
  it('sums the changes of each bucket into one, keeping onHand only where some change has it', () => {
    expect(
      mergeBucketChanges([
        { bucket: 'head', available: 1, reserved: -2, onHand: -1 },
        { bucket: 1, available: 0, reserved: -1 },
        { bucket: 'head', available: 2, reserved: -1 },
        { bucket: 1, available: 3, reserved: 0 },
      ]),
    ).toEqual([
      { bucket: 'head', available: 3, reserved: -3, onHand: -1 },
      { bucket: 1, available: 3, reserved: -1 },
    ]);
    expect(
      mergeBucketChanges([
        { bucket: 'head', available: 1, reserved: 0 },
        { bucket: 'head', available: 0, reserved: 0, onHand: 2 },
      ]),
    ).toEqual([{ bucket: 'head', available: 1, reserved: 0, onHand: 2 }]);
  });

  it('returns units to a hold held wholly in shards on the head, as a change of its own', () => {
    expect(settleHoldChanges(2, { '1': 2 }, { picked: 0, missing: 0, returned: 3 })).toEqual([
      { bucket: 1, available: 2, reserved: -2 },
      { bucket: 'head', available: 3, reserved: 0, onHand: 3 },
    ]);
  });
});

describe('re-route from a status already sourcing', () => {
  it('keeps ACCEPTED as it is (no shipment can have failed yet, but the rule holds)', () => {
    expect(
      decideReroute({
        failedAt: 'ST-1',
        shortfall: [{ sku: 'TEE', qty: 1 }],
        reason: 'timeout',
        maxReroutes: 3,
        order: { status: 'ACCEPTED', reroutes: 0, excludedLocations: [] },
      }).orderChange.status,
    ).toBeUndefined();
  });
});
