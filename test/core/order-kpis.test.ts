import { describe, expect, it } from 'vitest';
import { durationBuckets, orderKpiCountsOf, orderKpis } from '../../functions/core/order-kpis';

const created = '2026-12-01T10:00:00.000Z';
const order = (status: string, extra: Record<string, unknown> = {}) => ({
  entity: 'order',
  orderId: 'web.o1',
  status,
  createdAt: created,
  updatedAt: created,
  lines: [
    { sku: 'A', qty: 2 },
    { sku: 'B', qty: 1 },
  ],
  allocations: [],
  reroutes: 0,
  ...extra,
});
const minutesLater = (minutes: number) => new Date(Date.parse(created) + minutes * 60_000).toISOString();

describe('orderKpiCountsOf', () => {
  it('counts an order placed once, with its units', () => {
    expect(orderKpiCountsOf(undefined, order('ACCEPTED'))).toEqual([
      { subject: 'web.o1.placed', day: '2026-12-01', counters: { orders: 1, unitsOrdered: 3 } },
    ]);
  });

  it('counts the first attempt’s fill, the status reached and the time to reserve in its bucket', () => {
    const after = order('RESERVED', { updatedAt: minutesLater(3), allocations: [{ sku: 'A', qty: 2 }] });
    expect(orderKpiCountsOf(order('ACCEPTED'), after)).toEqual([
      {
        subject: 'web.o1.RESERVED',
        day: '2026-12-01',
        counters: { 'reached|RESERVED': 1, unitsFilledFirst: 2, unitsAttempted: 3, 'reserve|5': 1 },
        measures: { reserve: 3 },
      },
    ]);
  });

  it('counts a backorder, the ship and deliver milestones, and each re-route once', () => {
    const backordered = orderKpiCountsOf(order('ACCEPTED'), order('BACKORDERED'));
    expect(backordered[0]?.counters).toMatchObject({ backordered: 1, unitsFilledFirst: 0 });
    const shipped = orderKpiCountsOf(order('PACKED'), order('IN_TRANSIT', { updatedAt: minutesLater(100) }));
    expect(shipped[0]?.counters).toEqual({ 'reached|IN_TRANSIT': 1, 'ship|120': 1 });
    const late = orderKpiCountsOf(
      order('IN_TRANSIT'),
      order('DELIVERED', { updatedAt: minutesLater(20_000) }),
    );
    expect(late[0]?.counters).toEqual({ 'reached|DELIVERED': 1, 'deliver|more': 1 });
    expect(orderKpiCountsOf(order('ACCEPTED'), order('CANCELLED'))[0]?.counters).toEqual({
      'reached|CANCELLED': 1,
    });
    const rerouted = orderKpiCountsOf(order('PICKING'), order('PICKING', { reroutes: 1 }));
    expect(rerouted).toEqual([{ subject: 'web.o1.reroute.1', day: '2026-12-01', counters: { reroutes: 1 } }]);
    expect(
      orderKpiCountsOf(order('PICKING', { reroutes: undefined }), order('PICKING', { reroutes: undefined })),
    ).toEqual([]);
  });

  it('counts a customer shipment kept or missed against its promise, and nothing else', () => {
    const shipment = (status: string, updatedAt: string, type = 'delivery') => ({
      entity: 'shipment',
      shipmentId: 'web.o1-0-0',
      type,
      status,
      updatedAt,
      promisedBy: minutesLater(60),
    });
    expect(
      orderKpiCountsOf(shipment('IN_TRANSIT', created), shipment('DELIVERED', minutesLater(30))),
    ).toEqual([
      { subject: 'web.o1-0-0.promise', day: '2026-12-01', counters: { shipmentsReached: 1, onTime: 1 } },
    ]);
    expect(orderKpiCountsOf(undefined, shipment('COLLECTED', minutesLater(90)))[0]?.counters.onTime).toBe(0);
    expect(orderKpiCountsOf(shipment('DELIVERED', created), shipment('DELIVERED', created))).toEqual([]);
    expect(orderKpiCountsOf(undefined, shipment('DELIVERED', created, 'transfer'))).toEqual([]);
    expect(orderKpiCountsOf(undefined, shipment('PICKING', created))).toEqual([]);
    expect(orderKpiCountsOf(undefined, { entity: 'return' })).toEqual([]);
    expect(orderKpiCountsOf(order('ACCEPTED'), undefined)).toEqual([]);
  });
});

describe('orderKpis', () => {
  it('adds a period up: rates, re-routes per 100 and percentiles from the histogram', () => {
    const kpis = orderKpis({
      orders: 4,
      unitsOrdered: 12,
      unitsAttempted: 10,
      unitsFilledFirst: 8,
      backordered: 1,
      'reached|RESERVED': 3,
      'reached|BACKORDERED': 1,
      'reserve|1': 2,
      'reserve|5': 1,
      'reserve|60': 1,
      'deliver|more': 1,
      shipmentsReached: 4,
      onTime: 3,
      reroutes: 1,
    });
    expect(kpis).toEqual({
      orders: 4,
      byStatus: { RESERVED: 3, BACKORDERED: 1 },
      fillRate: 0.8,
      backorderRate: 0.25,
      time: {
        reserve: { count: 4, p50: 1, p95: 60 },
        ship: { count: 0, p50: null, p95: null },
        deliver: { count: 1, p50: null, p95: null },
      },
      onTimeRate: 0.75,
      reroutesPer100: 25,
    });
  });

  it('says nothing (null) before anything happened', () => {
    expect(orderKpis({})).toMatchObject({ orders: 0, fillRate: null, backorderRate: null, onTimeRate: null });
    expect(durationBuckets.at(-1)).toBe(Number.POSITIVE_INFINITY);
  });
});
