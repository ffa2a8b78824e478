import { beforeAll, describe, expect, it } from 'vitest';
import type { TableRef } from '../../functions/adapters/dynamodb/client';
import { commitHold, releaseExpiredHolds } from '../../functions/adapters/dynamodb/holds';
import { getOrderView } from '../../functions/adapters/dynamodb/orders';
import { listHolds, reserveOrder, transitionOrder } from '../../functions/adapters/dynamodb/reservations';
import { getStock } from '../../functions/adapters/dynamodb/stock';
import type { LocationBody } from '../../functions/contracts/schemas';
import { satisfiesStockInvariant, storedAvailable } from '../../functions/core/stock';
import { createTestTable } from '../support/dynamodb';
import { deliveryTo, now, placeOrder, seedStock, store, warehouse } from './fixtures';

let table: TableRef;

beforeAll(async () => {
  const created = await createTestTable();
  table = { document: created.document, tableName: created.tableName };
});

const minutes = (count: number) => new Date(now.getTime() + count * 60_000);
const reserveAt = (orderId: string, at: Date) =>
  reserveOrder(table, {
    orderId,
    step: 'ReserveStock',
    actor: 'workflow:fulfilment',
    now: at,
    holdMinutes: 30,
  });
const sweepAt = (at: Date) =>
  releaseExpiredHolds(table, { now: at, lookbackHours: 2, actor: 'test:sweeper' });

async function orderOf(orderId: string, sku: string, qty: number) {
  await placeOrder(table, orderId, {
    customerId: 'c',
    fulfilment: { type: 'delivery', address: deliveryTo },
    lines: [{ sku, qty }],
  });
}

async function stockOf(sku: string, locationId = 'SW-WH') {
  const stock = await getStock(table, sku, locationId);
  if (!stock) throw new Error(`no stock ${sku}`);
  expect(satisfiesStockInvariant(stock)).toBe(true);
  expect(stock.available).toBe(storedAvailable(stock));
  return stock;
}

describe('the reservation-expiry sweeper', () => {
  it('releases expired HELD holds only, backorders their orders, and is idempotent when run concurrently and again', async () => {
    const skus = ['SW-EXP', 'SW-LIVE', 'SW-COMMIT', 'SW-REL', 'SW-BACK', 'SW-PICK'] as const;
    await seedStock(table, {
      'SW-WH': { location: warehouse, skus: Object.fromEntries(skus.map((sku) => [sku, { onHand: 5 }])) },
    });
    // Expired at +30: a reserved order, a backordered one (holds 5 of 7), a committed, a released and a picking one.
    await orderOf('sw-exp', 'SW-EXP', 3);
    await orderOf('sw-back', 'SW-BACK', 7);
    await orderOf('sw-commit', 'SW-COMMIT', 2);
    await orderOf('sw-rel', 'SW-REL', 2);
    await orderOf('sw-pick', 'SW-PICK', 1);
    for (const orderId of ['sw-exp', 'sw-back', 'sw-commit', 'sw-rel', 'sw-pick'])
      await reserveAt(orderId, now);
    // Not expired: reserved 20 minutes later, so it holds until +50.
    await orderOf('sw-live', 'SW-LIVE', 4);
    await reserveAt('sw-live', minutes(20));
    expect(
      await commitHold(table, { orderId: 'sw-commit', sku: 'SW-COMMIT', locationId: 'SW-WH' }, now),
    ).toBe('committed');
    await transitionOrder(table, { orderId: 'sw-rel', status: 'CANCELLED', step: 'Cancel', actor: 't', now });
    await transitionOrder(table, { orderId: 'sw-pick', status: 'PICKING', step: 'Pick', actor: 't', now });

    expect(await sweepAt(minutes(29))).toEqual({ released: 0, kept: 0, lost: 0 });
    const runs = await Promise.all([sweepAt(minutes(31)), sweepAt(minutes(31)), sweepAt(minutes(31))]);
    expect(runs.reduce((sum, run) => sum + run.released, 0)).toBe(2);
    // Each run saw the picking order's hold at most once and left it alone.
    for (const run of runs) expect(run.kept).toBeLessThanOrEqual(1);
    expect(await sweepAt(minutes(32))).toEqual({ released: 0, kept: 1, lost: 0 });

    expect(await stockOf('SW-EXP')).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
    expect(await stockOf('SW-BACK')).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
    expect(await stockOf('SW-LIVE')).toMatchObject({ onHand: 5, reserved: 4, available: 1 });
    expect(await stockOf('SW-COMMIT')).toMatchObject({ onHand: 3, reserved: 0, available: 3 });
    expect(await stockOf('SW-REL')).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
    expect(await stockOf('SW-PICK')).toMatchObject({ onHand: 5, reserved: 1, available: 4 });

    const expired = await getOrderView(table, 'sw-exp');
    expect(expired).toMatchObject({
      status: 'BACKORDERED',
      allocations: [],
      shortfall: [{ sku: 'SW-EXP', qty: 3 }],
    });
    expect(expired?.timeline.filter((entry) => entry.event === 'HOLD_EXPIRED')).toHaveLength(1);
    expect(await getOrderView(table, 'sw-back')).toMatchObject({
      status: 'BACKORDERED',
      allocations: [],
      shortfall: [{ sku: 'SW-BACK', qty: 7 }],
    });
    expect(await listHolds(table, 'sw-exp')).toMatchObject([{ status: 'RELEASED' }]);
    expect((await getOrderView(table, 'sw-live'))?.status).toBe('RESERVED');
    expect((await getOrderView(table, 'sw-rel'))?.status).toBe('CANCELLED');
    expect((await getOrderView(table, 'sw-pick'))?.status).toBe('PICKING');
    expect(await listHolds(table, 'sw-commit')).toMatchObject([{ status: 'COMMITTED' }]);

    // The backorder can be reserved again afterwards, and the new hold is swept only when it expires in turn.
    expect(await reserveAt('sw-exp', minutes(40))).toMatchObject({ outcome: 'RESERVED', shortfall: [] });
    expect(await sweepAt(minutes(60))).toMatchObject({ released: 1 });
    expect(await sweepAt(minutes(71))).toMatchObject({ released: 1 });
    expect(await stockOf('SW-EXP')).toMatchObject({ reserved: 0, available: 5 });
  });

  it('does not release a hold that was renewed after the index was read', async () => {
    await seedStock(table, { 'SW-WH': { location: warehouse, skus: { 'SW-RENEW': { onHand: 10 } } } });
    await orderOf('sw-renew', 'SW-RENEW', 6);
    await seedStock(table, { 'SW-WH': { location: warehouse, skus: { 'SW-RENEW': { onHand: 2 } } } });
    expect(await reserveAt('sw-renew', now)).toMatchObject({ outcome: 'BACKORDERED' });
    await seedStock(table, { 'SW-WH': { location: warehouse, skus: { 'SW-RENEW': { onHand: 10 } } } });
    // Topping up the hold at +29 moves its expiry to +59: a sweep at +31 finds nothing to release.
    expect(await reserveAt('sw-renew', minutes(29))).toMatchObject({ outcome: 'RESERVED', shortfall: [] });
    await sweepAt(minutes(31));
    expect(await stockOf('SW-RENEW')).toMatchObject({ reserved: 6 });
    expect(await listHolds(table, 'sw-renew')).toMatchObject([{ status: 'HELD', qty: 6 }]);
  });
});

describe('commitHold', () => {
  it('takes picked units off the shelf once: onHand and reserved drop, available stays', async () => {
    await seedStock(table, {
      'SW-WH': { location: warehouse, skus: { 'SW-C2': { onHand: 8, safetyStock: 1 } } },
    });
    await orderOf('sw-c2', 'SW-C2', 3);
    await reserveAt('sw-c2', now);
    const hold = { orderId: 'sw-c2', sku: 'SW-C2', locationId: 'SW-WH' };
    const outcomes = await Promise.all([commitHold(table, hold, now), commitHold(table, hold, now)]);
    expect(outcomes.sort()).toEqual(['committed', 'not-held']);
    expect(await stockOf('SW-C2')).toMatchObject({ onHand: 5, reserved: 0, available: 4 });
    expect(await commitHold(table, { ...hold, orderId: 'sw-none' }, now)).toBe('not-held');
  });
});

describe('pickup alternatives', () => {
  const nearbyStore: LocationBody = { ...store, name: 'Bond Street', lat: 51.5142, lng: -0.1494 };

  it('records on the order which nearby stores could serve a pickup the chosen store is short of', async () => {
    await seedStock(table, {
      'PU-A': { location: store, skus: { 'SKU-PU': { onHand: 1 } } },
      'PU-B': { location: nearbyStore, skus: { 'SKU-PU': { onHand: 9 } } },
    });
    await placeOrder(table, 'ord-pu', {
      customerId: 'c',
      fulfilment: { type: 'pickup', storeId: 'PU-A' },
      lines: [{ sku: 'SKU-PU', qty: 3 }],
    });
    expect(await reserveAt('ord-pu', now)).toMatchObject({
      outcome: 'BACKORDERED',
      shortfall: [{ sku: 'SKU-PU', qty: 2 }],
    });
    expect(await getOrderView(table, 'ord-pu')).toMatchObject({
      status: 'BACKORDERED',
      allocations: [{ sku: 'SKU-PU', qty: 1, locationId: 'PU-A' }],
      pickupAlternatives: ['PU-B'],
    });
  });
});
