import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dispatchSettingsSchema,
  pickedShipmentStatuses,
  shipmentIdFor,
  shipmentIdSchema,
  type shipmentStatuses,
  shipmentTypes,
  stoppableShipmentStatuses,
} from '../../functions/contracts/shipments';
import { dispatchPromise } from '../../functions/core/dispatch-promise';
import { canTransition, isTerminal } from '../../functions/core/order-status';
import { orderStageOf } from '../../functions/core/shipment-stage';
import { planShipments } from '../../functions/core/shipments';

const orderId = 'web-shop.A-1001';
const now = new Date('2026-01-12T10:00:00.000Z'); // a Monday, 10:00 in London (GMT)

describe('shipment statuses', () => {
  it('a cancellation stops what has not been handed over, and returns what was picked', () => {
    expect(stoppableShipmentStatuses).toEqual([
      'AWAITING_TRANSFER',
      'PICKING',
      'PACKING',
      'PACKED',
      'IN_TRANSFER',
      'READY_FOR_PICKUP',
    ]);
    expect(pickedShipmentStatuses).toEqual(['PACKING', 'PACKED', 'IN_TRANSFER', 'READY_FOR_PICKUP']);
  });
});

describe('shipment ids', () => {
  it('are <orderId>-<route>-<index>, within a Step Functions execution name for the longest order id', () => {
    expect(shipmentIdFor(orderId, 0, 1)).toBe('web-shop.A-1001-0-1');
    const longest = `${'c'.repeat(16)}.${'o'.repeat(47)}`;
    const id = shipmentIdFor(longest, 99, 99);
    expect(id.length).toBeLessThanOrEqual(80);
    expect(shipmentIdSchema.safeParse(id).success).toBe(true);
    expect(() => shipmentIdFor(orderId, 100, 0)).toThrow(RangeError);
    expect(() => shipmentIdFor(orderId, 0, -1)).toThrow(RangeError);
  });
});

describe('dispatch promise', () => {
  const london = { timeZone: 'Europe/London', sameDayCutoff: '14:00', pickWithinMinutes: 90 };

  it('promises the end of the local day before the cut-off, the next day after it', () => {
    expect(dispatchPromise('delivery', london, now)).toEqual({
      dueBy: new Date('2026-01-12T11:30:00.000Z'),
      promisedBy: new Date('2026-01-12T23:59:59.999Z'),
    });
    const afterCutoff = new Date('2026-01-12T14:00:00.000Z');
    expect(dispatchPromise('same_day', london, afterCutoff).promisedBy).toEqual(
      new Date('2026-01-13T23:59:59.999Z'),
    );
    // A transfer has one more day to reach the pickup store; a pickup is ready within the pick promise.
    expect(dispatchPromise('transfer', london, now).promisedBy).toEqual(new Date('2026-01-13T23:59:59.999Z'));
    expect(dispatchPromise('pickup', london, now).promisedBy).toEqual(new Date('2026-01-12T11:30:00.000Z'));
  });

  it("keeps to the location's own clock: summer time, another zone, and the cut-off in local time", () => {
    // London on the day clocks go forward (29 March 2026): the day ends at 22:59:59.999Z.
    expect(dispatchPromise('delivery', london, new Date('2026-03-29T09:00:00.000Z')).promisedBy).toEqual(
      new Date('2026-03-29T22:59:59.999Z'),
    );
    // 13:30Z is 08:30 in New York (EST): before a 12:00 cut-off there, though after it in London.
    const newYork = { timeZone: 'America/New_York', sameDayCutoff: '12:00' };
    expect(dispatchPromise('delivery', newYork, new Date('2026-01-12T13:30:00.000Z')).promisedBy).toEqual(
      new Date('2026-01-13T04:59:59.999Z'),
    );
  });

  it('never promises before the pick promise is due', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...shipmentTypes),
        fc.date({ min: new Date('2025-01-01'), max: new Date('2028-01-01'), noInvalidDate: true }),
        fc.integer({ min: 5, max: 7 * 24 * 60 }),
        fc.constantFrom('Europe/London', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham'),
        (type, at, minutes, timeZone) => {
          const promise = dispatchPromise(type, { timeZone, pickWithinMinutes: minutes }, at);
          expect(promise.dueBy.getTime()).toBe(at.getTime() + minutes * 60_000);
          expect(promise.promisedBy.getTime()).toBeGreaterThanOrEqual(promise.dueBy.getTime());
          // Never more than two local days and the pick promise away.
          expect(promise.promisedBy.getTime() - at.getTime()).toBeLessThanOrEqual(
            Math.max(minutes * 60_000, 3 * 24 * 3_600_000),
          );
        },
      ),
    );
  });

  it('refuses settings that are no clock: an unknown zone, a cut-off that is no time', () => {
    expect(dispatchSettingsSchema.safeParse({ timeZone: 'Mars/Olympus_Mons' }).success).toBe(false);
    expect(dispatchSettingsSchema.safeParse({ sameDayCutoff: '24:00' }).success).toBe(false);
    expect(dispatchSettingsSchema.safeParse({ timeZone: 'Asia/Tokyo', sameDayCutoff: '09:30' }).success).toBe(
      true,
    );
  });
});

describe('planning shipments', () => {
  const settings = { 'WH-A': {}, 'WH-B': {}, 'ST-1': { pickWithinMinutes: 30 }, 'ST-2': {} };

  it('ships from each location that holds units, one shipment per location, lines merged per SKU', () => {
    const planned = planShipments({
      orderId,
      fulfilment: { type: 'delivery' },
      route: 0,
      allocations: [
        { sku: 'TEE', qty: 1, locationId: 'WH-B' },
        { sku: 'CAP', qty: 2, locationId: 'WH-A' },
        { sku: 'TEE', qty: 2, locationId: 'WH-B' },
      ],
      settings,
      now,
    });
    expect(
      planned.map(({ shipmentId, type, locationId, lines }) => ({ shipmentId, type, locationId, lines })),
    ).toEqual([
      { shipmentId: `${orderId}-0-0`, type: 'delivery', locationId: 'WH-A', lines: [{ sku: 'CAP', qty: 2 }] },
      { shipmentId: `${orderId}-0-1`, type: 'delivery', locationId: 'WH-B', lines: [{ sku: 'TEE', qty: 3 }] },
    ]);
  });

  it('sends what the pickup store lacks as transfers, and the pickup waits for them', () => {
    const planned = planShipments({
      orderId,
      fulfilment: { type: 'pickup', storeId: 'ST-1' },
      route: 2,
      allocations: [
        { sku: 'TEE', qty: 1, locationId: 'ST-1' },
        { sku: 'CAP', qty: 1, locationId: 'WH-A' },
      ],
      settings,
      now,
    });
    const [transfer, pickup] = planned;
    expect(transfer).toMatchObject({
      shipmentId: `${orderId}-2-0`,
      type: 'transfer',
      locationId: 'WH-A',
      destinationLocationId: 'ST-1',
      awaits: [],
    });
    expect(pickup).toMatchObject({
      shipmentId: `${orderId}-2-1`,
      type: 'pickup',
      locationId: 'ST-1',
      lines: [{ sku: 'TEE', qty: 1 }],
      awaits: [`${orderId}-2-0`],
    });
    // Ready 30 minutes after the transfer is due at the store; the store's own pick is due in 30 minutes.
    expect(Date.parse(pickup?.promisedBy ?? '')).toBe(Date.parse(transfer?.promisedBy ?? '') + 30 * 60_000);
    expect(pickup?.dueBy).toBe('2026-01-12T10:30:00.000Z');
  });

  it('keeps a counter shipment with nothing to pick when every unit comes by transfer', () => {
    const planned = planShipments({
      orderId,
      fulfilment: { type: 'pickup', storeId: 'ST-2' },
      route: 0,
      allocations: [{ sku: 'CAP', qty: 1, locationId: 'WH-A' }],
      settings,
      now,
    });
    expect(planned.map((shipment) => [shipment.type, shipment.locationId, shipment.lines.length])).toEqual([
      ['transfer', 'WH-A', 1],
      ['pickup', 'ST-2', 0],
    ]);
  });

  it("plans a re-route's transfers for the pickup already waiting, with no second counter shipment", () => {
    const planned = planShipments({
      orderId,
      fulfilment: { type: 'pickup', storeId: 'ST-2' },
      route: 1,
      allocations: [{ sku: 'CAP', qty: 1, locationId: 'WH-A' }],
      settings,
      now,
      existingPickup: `${orderId}-0-1`,
    });
    expect(planned.map((shipment) => [shipment.shipmentId, shipment.type])).toEqual([
      [`${orderId}-1-0`, 'transfer'],
    ]);
  });

  it('skips empty allocations and refuses a pickup without its store', () => {
    const base = { orderId, route: 0, settings, now };
    expect(
      planShipments({
        ...base,
        fulfilment: { type: 'same_day' },
        allocations: [
          { sku: 'TEE', qty: 0, locationId: 'ST-2' },
          { sku: 'TEE', qty: 1, locationId: 'ST-1' },
        ],
      }).map((shipment) => [shipment.type, shipment.locationId]),
    ).toEqual([['same_day', 'ST-1']]);
    expect(() => planShipments({ ...base, fulfilment: { type: 'pickup' }, allocations: [] })).toThrow(
      /names its store/,
    );
  });

  it('names the same shipments whatever order the holds are read in', () => {
    const allocation = fc.record({
      sku: fc.constantFrom('TEE', 'CAP', 'SOCK'),
      qty: fc.integer({ min: 1, max: 5 }),
      locationId: fc.constantFrom('WH-A', 'WH-B', 'ST-1', 'ST-2'),
    });
    fc.assert(
      fc.property(
        fc.array(allocation, { minLength: 1, maxLength: 8 }),
        fc.constantFrom<{ type: 'delivery' | 'pickup'; storeId?: string }>(
          { type: 'delivery' },
          { type: 'pickup', storeId: 'ST-1' },
        ),
        (allocations, fulfilment) => {
          const plan = (list: typeof allocations) =>
            planShipments({ orderId, fulfilment, route: 0, allocations: list, settings, now });
          const planned = plan(allocations);
          expect(plan([...allocations].reverse())).toEqual(planned);
          // Every held unit is in exactly one shipment, and ids are distinct.
          const units = (sku: string) =>
            allocations.filter((a) => a.sku === sku).reduce((n, a) => n + a.qty, 0);
          for (const sku of ['TEE', 'CAP', 'SOCK'])
            expect(
              planned
                .flatMap((s) => s.lines)
                .filter((l) => l.sku === sku)
                .reduce((n, l) => n + l.qty, 0),
            ).toBe(units(sku));
          expect(new Set(planned.map((s) => s.shipmentId)).size).toBe(planned.length);
        },
      ),
    );
  });
});

describe('order stage from shipments', () => {
  const shipment = (
    status: (typeof shipmentStatuses)[number],
    type: (typeof shipmentTypes)[number] = 'delivery',
  ) => ({
    type,
    status,
  });

  it('follows the least advanced open customer shipment', () => {
    expect(orderStageOf([shipment('HANDED_OVER'), shipment('PICKING')])).toBe('PICKING');
    expect(orderStageOf([shipment('HANDED_OVER'), shipment('PACKED')])).toBe('PACKED');
    expect(orderStageOf([shipment('HANDED_OVER'), shipment('DELIVERED')])).toBe('IN_TRANSIT');
    // A transfer is the pickup's business; a rejected shipment's units were re-routed.
    expect(
      orderStageOf([
        shipment('IN_TRANSFER', 'transfer'),
        shipment('READY_FOR_PICKUP', 'pickup'),
        shipment('REJECTED'),
      ]),
    ).toBe('READY_FOR_PICKUP');
  });

  it('ends DELIVERED or COLLECTED, NOT_COLLECTED only when nothing was collected, undefined while re-routing', () => {
    expect(orderStageOf([shipment('DELIVERED'), shipment('DELIVERED'), shipment('REJECTED')])).toBe(
      'DELIVERED',
    );
    expect(orderStageOf([shipment('NOT_COLLECTED', 'pickup'), shipment('COLLECTED', 'pickup')])).toBe(
      'COLLECTED',
    );
    expect(orderStageOf([shipment('NOT_COLLECTED', 'pickup'), shipment('RECEIVED', 'transfer')])).toBe(
      'NOT_COLLECTED',
    );
    expect(orderStageOf([shipment('REJECTED'), shipment('CANCELLED')])).toBeUndefined();
    expect(orderStageOf([])).toBeUndefined();
  });

  it('NOT_COLLECTED ends an order that was ready for pickup', () => {
    expect(canTransition('READY_FOR_PICKUP', 'NOT_COLLECTED')).toBe(true);
    expect(isTerminal('NOT_COLLECTED')).toBe(true);
  });
});
