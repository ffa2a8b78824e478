import { beforeAll, describe, expect, it } from 'vitest';
import type { TableRef } from '../../functions/adapters/dynamodb/client';
import { getOrderView, loadOrder } from '../../functions/adapters/dynamodb/orders';
import { listBackorders } from '../../functions/adapters/dynamodb/procurement/backorders';
import { createPurchaseOrder } from '../../functions/adapters/dynamodb/procurement/create-purchase-order';
import { decidePurchaseOrder } from '../../functions/adapters/dynamodb/procurement/decide-purchase-order';
import { getPurchaseOrder } from '../../functions/adapters/dynamodb/procurement/purchase-orders';
import { settlePurchaseOrder } from '../../functions/adapters/dynamodb/procurement/settle-purchase-order';
import { listHolds, reserveOrder, transitionOrder } from '../../functions/adapters/dynamodb/reservations';
import { applySupplierStock, getStock } from '../../functions/adapters/dynamodb/stock';
import { cancelOrder } from '../../functions/app/cancel-order';
import { satisfiesStockInvariant } from '../../functions/core/stock';
import { createTestTable } from '../support/dynamodb';
import { deliveryTo, now, placeOrder, seedStock, warehouse } from './fixtures';

let table: TableRef;

beforeAll(async () => {
  const created = await createTestTable();
  table = { document: created.document, tableName: created.tableName };
});

const reserve = (orderId: string) =>
  reserveOrder(table, { orderId, step: 'ReserveStock', actor: 'workflow:fulfilment', now, holdMinutes: 30 });
const cancel = (orderId: string, reason?: string) =>
  cancelOrder(table, { orderId, actor: 'channel:test', now, ...(reason ? { reason } : {}) });
const order = (orderId: string, sku: string, qty: number) =>
  placeOrder(table, orderId, {
    customerId: 'c',
    fulfilment: { type: 'delivery', address: deliveryTo },
    lines: [{ sku, qty }],
  });
async function stockOf(sku: string, locationId = 'CX-WH') {
  const stock = await getStock(table, sku, locationId);
  if (!stock) throw new Error(`no stock ${sku}`);
  expect(satisfiesStockInvariant(stock)).toBe(true);
  return stock;
}
const timelineOf = async (orderId: string) =>
  ((await getOrderView(table, orderId))?.timeline ?? []).map((entry) => entry.status ?? entry.event);

describe('cancelling an order', () => {
  it('releases a reserved order’s holds once; cancelling again is a harmless replay', async () => {
    await seedStock(table, { 'CX-WH': { location: warehouse, skus: { 'CX-RES': { onHand: 5 } } } });
    await order('cx-reserved', 'CX-RES', 3);
    expect((await reserve('cx-reserved')).outcome).toBe('RESERVED');
    expect(await stockOf('CX-RES')).toMatchObject({ reserved: 3, available: 2 });

    expect(await cancel('cx-reserved', 'customer changed their mind')).toMatchObject({
      kind: 'cancelled',
      replay: false,
      releasedHolds: 1,
      withdrawnBackorders: 0,
      cancelledPurchaseOrders: [],
    });
    expect(await stockOf('CX-RES')).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
    expect((await listHolds(table, 'cx-reserved')).map((hold) => hold.status)).toEqual(['RELEASED']);

    expect(await cancel('cx-reserved')).toMatchObject({ kind: 'cancelled', replay: true, releasedHolds: 0 });
    expect(await stockOf('CX-RES')).toMatchObject({ reserved: 0, available: 5 });
    const view = await getOrderView(table, 'cx-reserved');
    expect(view?.status).toBe('CANCELLED');
    expect(view?.allocations).toEqual([]);
    expect(view?.timeline.filter((entry) => entry.status === 'CANCELLED')).toEqual([
      expect.objectContaining({
        actor: 'channel:test',
        step: 'CancelOrder',
        reason: 'customer changed their mind; released 3 × CX-RES at CX-WH',
      }),
    ]);
    // A fulfilment run that reaches ReserveStock afterwards ends quietly instead of reserving.
    expect(await reserve('cx-reserved')).toEqual({ outcome: 'CANCELLED', shortfall: [], lowered: [] });
    expect(await stockOf('CX-RES')).toMatchObject({ reserved: 0 });
  });

  it('withdraws a backorder, releases the partial hold and cancels the unconfirmed purchase order', async () => {
    await seedStock(table, { 'CX-WH': { location: warehouse, skus: { 'CX-BACK': { onHand: 2 } } } });
    await applySupplierStock(table, {
      supplierId: 'CX-SUP',
      sku: 'CX-BACK',
      available: 100,
      leadTimeDays: 2,
      feedSeq: 1,
      updatedAt: now.toISOString(),
    });
    await order('cx-back', 'CX-BACK', 5);
    expect((await reserve('cx-back')).outcome).toBe('BACKORDERED');
    const procurement = {
      demand: { kind: 'backorder' as const, orderId: 'cx-back', round: 2 },
      step: 'CreatePurchaseOrder',
      actor: 'workflow:procurement',
      now,
      supplierTimeoutSeconds: 60,
    };
    const created = await createPurchaseOrder(table, { ...procurement, attempt: 0, tried: [] });
    expect(created).toMatchObject({ outcome: 'PO_CREATED', supplierId: 'CX-SUP' });
    const poId = created.outcome === 'PO_CREATED' ? created.poId : '';

    expect(await cancel('cx-back')).toMatchObject({
      kind: 'cancelled',
      releasedHolds: 1,
      withdrawnBackorders: 1,
      cancelledPurchaseOrders: [poId],
    });
    expect(await stockOf('CX-BACK')).toMatchObject({ onHand: 2, reserved: 0, available: 2 });
    expect((await listBackorders(table, 'cx-back')).map((backorder) => backorder.status)).toEqual([
      'WITHDRAWN',
    ]);
    expect((await getPurchaseOrder(table, poId))?.status).toBe('CANCELLED');
    expect(await timelineOf('cx-back')).toEqual(
      expect.arrayContaining(['ACCEPTED', 'BACKORDERED', 'PO_CREATED', 'CANCELLED', 'PO_CANCELLED']),
    );

    // The supplier can no longer confirm it; the waiting procurement learns CANCELLED and buys nothing more.
    expect(
      await decidePurchaseOrder(table, {
        poId,
        supplierId: 'CX-SUP',
        decision: { kind: 'confirm', lines: [{ sku: 'CX-BACK', qty: 3 }], eta: '2026-02-01' },
        actor: 'supplier:CX-SUP',
        now,
      }),
    ).toEqual({ kind: 'conflict', reason: `purchase order ${poId} is CANCELLED` });
    expect(await settlePurchaseOrder(table, { poId, step: 'SettlePurchaseOrder', actor: 'wf', now })).toEqual(
      {
        decision: 'CANCELLED',
      },
    );
    expect(await createPurchaseOrder(table, { ...procurement, attempt: 1, tried: ['CX-SUP'] })).toMatchObject(
      {
        outcome: 'NOT_NEEDED',
      },
    );

    const again = await cancel('cx-back');
    expect(again).toMatchObject({
      replay: true,
      releasedHolds: 0,
      withdrawnBackorders: 0,
      cancelledPurchaseOrders: [],
    });
    expect((await timelineOf('cx-back')).filter((event) => event === 'PO_CANCELLED')).toHaveLength(1);
  });

  it('refuses once the order is shipped, and changes nothing', async () => {
    await seedStock(table, { 'CX-WH': { location: warehouse, skus: { 'CX-SHIP': { onHand: 1 } } } });
    await order('cx-shipped', 'CX-SHIP', 1);
    await reserve('cx-shipped');
    for (const status of ['PICKING', 'PACKED', 'IN_TRANSIT'] as const)
      await transitionOrder(table, {
        orderId: 'cx-shipped',
        status,
        step: `Test${status}`,
        actor: 'test',
        now,
      });
    const before = await loadOrder(table, 'cx-shipped');
    expect(await cancel('cx-shipped')).toEqual({
      kind: 'too-late',
      reason: 'an order in status IN_TRANSIT can no longer be cancelled',
    });
    expect(await loadOrder(table, 'cx-shipped')).toEqual(before);
    expect(await stockOf('CX-SHIP')).toMatchObject({ reserved: 1 });
    expect(await cancel('cx-missing')).toEqual({ kind: 'not-found' });
  });

  it('racing with reservation, every cancelled order ends with nothing held', async () => {
    const orders = Array.from({ length: 12 }, (_, index) => `cx-race-${index}`);
    await seedStock(table, { 'CX-WH': { location: warehouse, skus: { 'CX-RACE': { onHand: 8 } } } });
    for (const orderId of orders) await order(orderId, 'CX-RACE', 1);
    await Promise.all(orders.flatMap((orderId) => [reserve(orderId), cancel(orderId)]));
    // A cancel that read the order before a reservation landed is repaired by the client's retry (a replay).
    await Promise.all(orders.map((orderId) => cancel(orderId)));
    for (const orderId of orders) {
      expect((await loadOrder(table, orderId))?.status).toBe('CANCELLED');
      expect((await listHolds(table, orderId)).filter((hold) => hold.status === 'HELD')).toEqual([]);
    }
    expect(await stockOf('CX-RACE')).toMatchObject({ onHand: 8, reserved: 0, available: 8 });
  });

  it('racing with procurement, a cancelled order keeps no waiting backorder and no open purchase order', async () => {
    const orders = Array.from({ length: 20 }, (_, index) => `cx-po-race-${index}`);
    await seedStock(table, { 'CX-WH': { location: warehouse, skus: { 'CX-PO-RACE': { onHand: 0 } } } });
    await applySupplierStock(table, {
      supplierId: 'CX-SUP',
      sku: 'CX-PO-RACE',
      available: 100,
      leadTimeDays: 2,
      feedSeq: 1,
      updatedAt: now.toISOString(),
    });
    for (const orderId of orders) {
      await order(orderId, 'CX-PO-RACE', 2);
      expect((await reserve(orderId)).outcome).toBe('BACKORDERED');
    }
    /** CreatePurchaseOrder as the ASL runs it: a TransientError is retried (the re-run re-reads the order). */
    const procure = async (orderId: string) => {
      for (;;) {
        try {
          return await createPurchaseOrder(table, {
            demand: { kind: 'backorder', orderId, round: 2 },
            attempt: 0,
            tried: [],
            step: 'CreatePurchaseOrder',
            actor: 'workflow:procurement',
            now,
            supplierTimeoutSeconds: 60,
          });
        } catch (error) {
          if ((error as Error).name !== 'TransientError') throw error;
        }
      }
    };
    await Promise.all(orders.flatMap((orderId) => [procure(orderId), cancel(orderId)]));
    for (const orderId of orders) {
      expect((await loadOrder(table, orderId))?.status).toBe('CANCELLED');
      expect((await listBackorders(table, orderId)).filter((b) => b.status === 'WAITING')).toEqual([]);
      const purchaseOrder = await getPurchaseOrder(table, `${orderId}-2-1`);
      if (purchaseOrder) expect(purchaseOrder.status).toBe('CANCELLED');
    }
  });
});
