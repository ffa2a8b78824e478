import { beforeAll, describe, expect, it } from 'vitest';
import type { TableRef } from '../../functions/adapters/dynamodb/client';
import { loadKpiCounters } from '../../functions/adapters/dynamodb/kpi-counters';
import { countKpis } from '../../functions/app/kpi-facts';
import { orderKpis } from '../../functions/core/order-kpis';
import { returnKpis } from '../../functions/core/return-kpis';
import { createTestTable } from '../support/dynamodb';

/**
 * The KPI counters on DynamoDB Local, fed the stream changes an order's life commits: each fact counts once
 * however often the stream delivers it (a retried batch), and the order and returns KPIs read them back.
 */
let table: TableRef;
const day = '2026-12-01';
const at = (minutes: number) => new Date(Date.parse(`${day}T09:00:00.000Z`) + minutes * 60_000).toISOString();

const order = (id: string, status: string, minutes: number, extra: Record<string, unknown> = {}) => ({
  entity: 'order',
  orderId: id,
  status,
  createdAt: at(0),
  updatedAt: at(minutes),
  lines: [{ sku: 'SKU-K', qty: 2 }],
  allocations: [],
  reroutes: 0,
  ...extra,
});

/** Two orders: one reserved in 2 minutes and delivered on time; one backordered, re-routed once. */
const lifeOfTwoOrders = [
  { after: order('o1', 'ACCEPTED', 0) },
  {
    before: order('o1', 'ACCEPTED', 0),
    after: order('o1', 'RESERVED', 2, { allocations: [{ sku: 'SKU-K', qty: 2 }] }),
  },
  { before: order('o1', 'RESERVED', 2), after: order('o1', 'DELIVERED', 200) },
  {
    before: {
      entity: 'shipment',
      shipmentId: 'o1-0-0',
      type: 'delivery',
      status: 'IN_TRANSIT',
      updatedAt: at(100),
      promisedBy: at(300),
    },
    after: {
      entity: 'shipment',
      shipmentId: 'o1-0-0',
      type: 'delivery',
      status: 'DELIVERED',
      updatedAt: at(200),
      promisedBy: at(300),
      lines: [{ sku: 'SKU-K', qty: 2 }],
    },
  },
  { after: order('o2', 'ACCEPTED', 0) },
  { before: order('o2', 'ACCEPTED', 0), after: order('o2', 'BACKORDERED', 1) },
  { before: order('o2', 'BACKORDERED', 1), after: order('o2', 'BACKORDERED', 5, { reroutes: 1 }) },
];

beforeAll(async () => {
  const created = await createTestTable();
  table = { document: created.document, tableName: created.tableName };
});

describe('KPI counters', () => {
  it('count each fact once, however often the stream delivers it, and add up to the KPIs', async () => {
    const now = new Date();
    const first = await countKpis(table, lifeOfTwoOrders, now);
    // The stream retries a batch: every fact is already marked, so nothing counts twice.
    expect(await countKpis(table, lifeOfTwoOrders, now)).toEqual([]);
    expect(first).toHaveLength(8);
    expect(first.find((fact) => fact.subject === 'o1.RESERVED')?.measures).toEqual({ reserve: 2 });
    const kpis = orderKpis(await loadKpiCounters(table, 'ORDERS', { fromDay: day, toDay: day }));
    expect(kpis).toEqual({
      orders: 2,
      byStatus: { RESERVED: 1, DELIVERED: 1, BACKORDERED: 1 },
      fillRate: 0.5,
      backorderRate: 0.5,
      time: {
        reserve: { count: 1, p50: 2, p95: 2 },
        ship: { count: 0, p50: null, p95: null },
        deliver: { count: 1, p50: 240, p95: 240 },
      },
      onTimeRate: 1,
      reroutesPer100: 50,
    });
    const returns = returnKpis(await loadKpiCounters(table, 'RETURNS', { fromDay: day, toDay: day }));
    expect(returns).toMatchObject({ unitsDelivered: 2, unitsReturned: 0 });
    // Another day's window sees none of it.
    expect(await loadKpiCounters(table, 'ORDERS', { fromDay: '2026-11-30', toDay: '2026-11-30' })).toEqual(
      {},
    );
  });
});
