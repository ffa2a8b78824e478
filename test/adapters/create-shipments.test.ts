import { beforeAll, describe, expect, it } from 'vitest';
import type { TableRef } from '../../functions/adapters/dynamodb/client';
import { releaseExpiredHolds } from '../../functions/adapters/dynamodb/holds';
import { loadOrderPartition } from '../../functions/adapters/dynamodb/orders';
import { reserveOrder } from '../../functions/adapters/dynamodb/reservations';
import { cancelOrder } from '../../functions/app/cancel-order';
import { createShipments } from '../../functions/app/create-shipments';
import { createTestTable } from '../support/dynamodb';
import { deliveryTo, now, placeOrder, seedStock, store, warehouse } from './fixtures';

/** The first round of shipments of a reserved order, on DynamoDB Local: once, whatever re-runs or races. */
let table: TableRef;
beforeAll(async () => {
  const created = await createTestTable();
  table = { document: created.document, tableName: created.tableName };
  await seedStock(table, {
    'CS-WH': {
      location: { ...warehouse, timeZone: 'Europe/London', pickWithinMinutes: 240 },
      skus: { 'CS-TEE': { onHand: 50 } },
    },
    'CS-ST': { location: { ...store, pickWithinMinutes: 30 }, skus: { 'CS-TEE': { onHand: 10 } } },
  });
});

const reserve = (orderId: string) =>
  reserveOrder(table, { orderId, step: 'ReserveStock', actor: 'test', now, holdMinutes: 30 });
const create = (orderId: string) => createShipments(table, { orderId, actor: 'workflow:fulfilment', now });

describe('creating shipments', () => {
  it('sends the round back to sourcing when its holds expired before it got here (a late redrive)', async () => {
    await placeOrder(table, 'cs-6', {
      customerId: 'c',
      fulfilment: { type: 'delivery', address: deliveryTo },
      lines: [{ sku: 'CS-TEE', qty: 1 }],
    });
    await reserve('cs-6');
    const later = new Date(now.getTime() + 31 * 60_000);
    await releaseExpiredHolds(table, { now: later, lookbackHours: 24, actor: 'test' });
    expect((await loadOrderPartition(table, 'cs-6')).order?.status).toBe('BACKORDERED');
    expect(await create('cs-6')).toEqual({ outcome: 'BACKORDERED', shipments: [] });
    expect((await loadOrderPartition(table, 'cs-6')).shipments).toEqual([]);
  });

  it('turns the holds into shipments and the order to PICKING, once, however many runs race', async () => {
    await placeOrder(table, 'cs-1', {
      customerId: 'c',
      fulfilment: { type: 'delivery', address: deliveryTo },
      lines: [{ sku: 'CS-TEE', qty: 3 }],
    });
    expect(await reserve('cs-1')).toMatchObject({ outcome: 'RESERVED' });
    const results = await Promise.all(Array.from({ length: 5 }, () => create('cs-1')));
    for (const result of results)
      expect(result).toEqual({
        outcome: 'DISPATCHING',
        shipments: [
          {
            shipmentId: 'cs-1-0-0',
            type: 'delivery',
            locationId: 'CS-WH',
            status: 'PICKING',
            dueBy: '2026-01-05T14:00:00.000Z',
          },
        ],
      });
    const { order, shipments, timeline } = await loadOrderPartition(table, 'cs-1');
    expect(order).toMatchObject({ status: 'PICKING' });
    expect(shipments).toHaveLength(1);
    expect(shipments[0]).toMatchObject({
      lines: [{ sku: 'CS-TEE', qty: 3 }],
      dueBy: '2026-01-05T14:00:00.000Z',
      promisedBy: '2026-01-05T23:59:59.999Z',
    });
    expect(timeline.filter((entry) => entry.status === 'PICKING')).toHaveLength(1);
    // A re-run later (a redrive) answers the same and writes nothing.
    expect(await create('cs-1')).toEqual(results[0]);
    expect((await loadOrderPartition(table, 'cs-1')).order?.version).toBe(order?.version);
  });

  it('hands a pickup over at its store', async () => {
    await placeOrder(table, 'cs-2', {
      customerId: 'c',
      fulfilment: { type: 'pickup', storeId: 'CS-ST' },
      lines: [{ sku: 'CS-TEE', qty: 2 }],
    });
    await reserve('cs-2');
    expect(await create('cs-2')).toEqual({
      outcome: 'DISPATCHING',
      shipments: [
        expect.objectContaining({
          shipmentId: 'cs-2-0-0',
          type: 'pickup',
          locationId: 'CS-ST',
          status: 'PICKING',
        }),
      ],
    });
  });

  it('ends quietly for a cancelled order, and refuses one that was never reserved', async () => {
    await placeOrder(table, 'cs-3', {
      customerId: 'c',
      fulfilment: { type: 'delivery', address: deliveryTo },
      lines: [{ sku: 'CS-TEE', qty: 1 }],
    });
    await expect(create('cs-3')).rejects.toMatchObject({ name: 'InvalidStatusTransition' });
    await reserve('cs-3');
    await cancelOrder(table, { orderId: 'cs-3', actor: 'test', now, reason: 'changed mind' });
    expect(await create('cs-3')).toEqual({ outcome: 'CANCELLED', shipments: [] });
    // Shipments written, then the order cancelled: a redrive of the step ends Cancelled, not dispatching.
    await placeOrder(table, 'cs-5', {
      customerId: 'c',
      fulfilment: { type: 'delivery', address: deliveryTo },
      lines: [{ sku: 'CS-TEE', qty: 1 }],
    });
    await reserve('cs-5');
    expect(await create('cs-5')).toMatchObject({ outcome: 'DISPATCHING' });
    await cancelOrder(table, { orderId: 'cs-5', actor: 'test', now });
    expect(await create('cs-5')).toEqual({ outcome: 'CANCELLED', shipments: [] });
    expect((await loadOrderPartition(table, 'cs-3')).shipments).toEqual([]);
    await expect(create('cs-none')).rejects.toMatchObject({ name: 'OrderNotFound' });
  });
});
