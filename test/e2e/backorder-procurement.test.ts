import { randomUUID } from 'node:crypto';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionArnOf } from '../../functions/adapters/sfn/executions';
import type { LocalCloud } from '../../local/cloud';
import { stateMachineArn } from '../../local/emulators/protocol/identity';
import { channelOrderIdOf, e2eHttp, type PurchaseOrderView, startE2eCloud } from '../support/e2e-http';

/**
 * The backorder path end to end over HTTP on an in-process local cloud: order → BACKORDERED → purchase
 * order visible to the supplier → confirm → goods receipt → order RESERVED. The cloud shares table `main`
 * with other suites, so every id here is unique to this run.
 */
let cloud: LocalCloud;
const {
  api,
  expectStatus,
  waitFor: eventually,
  order,
  orderIn,
  placeOrder,
  purchaseOrders,
} = e2eHttp(() => cloud);
let sfn: SFNClient;
const run = randomUUID().slice(0, 8);
const sku = `SKU-E2E-${run}`;
const warehouse = `WH-E2E-${run}`;
const suppliers = [`SUP-A-${run}`, `SUP-B-${run}`];
const keys = {
  staff: `stf_${randomUUID()}`,
  supplier: Object.fromEntries(suppliers.map((id) => [id, `sup_${randomUUID()}`])) as Record<string, string>,
};

beforeAll(async () => {
  ({ cloud, sfn } = await startE2eCloud([
    { apiKey: keys.staff, principalId: `staff:${warehouse}`, role: 'staff', scope: warehouse },
    ...suppliers.map((supplierId) => ({
      apiKey: keys.supplier[supplierId] as string,
      principalId: `supplier:${supplierId}`,
      role: 'supplier' as const,
      scope: supplierId,
    })),
  ]));
  const ops = cloud.keys.ops;
  await expectStatus(
    api(`/locations/${warehouse}`, {
      method: 'PUT',
      key: ops,
      body: { type: 'warehouse', name: 'E2E', lat: 51.5, lng: -0.1, fulfils: ['delivery'] },
    }),
    200,
  );
  await expectStatus(
    api(`/locations/${warehouse}/stock/${sku}`, {
      method: 'PUT',
      key: ops,
      body: { onHand: 2, safetyStock: 0 },
    }),
    200,
  );
  // Supplier A is faster but has only 2; B covers the whole shortfall of 3, so B is asked first.
  const feeds = [
    { supplierId: suppliers[0] as string, available: 2, leadTimeDays: 1 },
    { supplierId: suppliers[1] as string, available: 50, leadTimeDays: 4 },
  ];
  for (const feed of feeds) {
    await expectStatus(
      api(`/suppliers/${feed.supplierId}/stock`, {
        method: 'POST',
        key: keys.supplier[feed.supplierId],
        body: {
          feedSeq: 1,
          items: [{ sku, available: feed.available, leadTimeDays: feed.leadTimeDays, unitCost: 2 }],
        },
      }),
      202,
    );
  }
  await eventually(async () => {
    const inventory = (await (await api(`/inventory/${sku}`, { key: ops })).json()) as {
      suppliers: unknown[];
    };
    return inventory.suppliers.length === 2 ? true : undefined;
  });
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
});

describe('backorder → procurement → receipt → RESERVED over HTTP', () => {
  it('a supplier rejection moves to the next supplier; its confirmation and the receipt reserve the order', async () => {
    const orderId = await placeOrder([{ sku, qty: 5 }]);
    const backordered = await orderIn(orderId, 'BACKORDERED');
    expect(backordered.allocations).toEqual([{ sku, qty: 2, locationId: warehouse }]);

    const [first, second] = suppliers as [string, string];
    const [poB] = await eventually(async () => {
      const items = await purchaseOrders(second, keys.supplier[second] as string);
      return items.length > 0 ? items : undefined;
    });
    expect(poB).toMatchObject({ supplierId: second, status: 'OPEN', lines: [{ sku, qty: 3 }] });
    const poId = (poB as PurchaseOrderView).poId;

    // A supplier sees only its own purchase orders, and cannot act on another's.
    expect((await api(`/suppliers/${second}/purchase-orders`, { key: keys.supplier[first] })).status).toBe(
      403,
    );
    expect(
      (
        await api(`/suppliers/${first}/purchase-orders/${poId}/confirm`, {
          method: 'POST',
          key: keys.supplier[first],
          body: { lines: [{ sku, qty: 3 }], eta: '2026-12-01' },
        })
      ).status,
    ).toBe(404);

    const reject = () =>
      api(`/suppliers/${second}/purchase-orders/${poId}/reject`, {
        method: 'POST',
        key: keys.supplier[second],
        body: { reason: 'discontinued' },
      });
    expect(await expectStatus(reject(), 200)).toEqual({ poId, status: 'REJECTED' });
    await expectStatus(reject(), 200); // idempotent
    await expectStatus(
      api(`/suppliers/${second}/purchase-orders/${poId}/confirm`, {
        method: 'POST',
        key: keys.supplier[second],
        body: { lines: [{ sku, qty: 3 }], eta: '2026-12-01' },
      }),
      409,
    );

    // Next supplier: A, which can deliver only 2 of the 3 (a partial purchase order).
    const [poA] = await eventually(async () => {
      const items = await purchaseOrders(first, keys.supplier[first] as string);
      return items.length > 0 ? items : undefined;
    });
    expect(poA).toMatchObject({ supplierId: first, status: 'OPEN', lines: [{ sku, qty: 2 }] });
    const poAId = (poA as PurchaseOrderView).poId;
    const confirm = () =>
      api(`/suppliers/${first}/purchase-orders/${poAId}/confirm`, {
        method: 'POST',
        key: keys.supplier[first],
        body: { lines: [{ sku, qty: 2 }], eta: '2026-12-01' },
      });
    expect(await expectStatus(confirm(), 200)).toEqual({ poId: poAId, status: 'CONFIRMED' });
    await expectStatus(confirm(), 200);

    // Receipts: more than confirmed is refused; two partial receipts are fine.
    const receive = (qty: number, receiptId?: string) =>
      api(`/locations/${warehouse}/receipts`, {
        method: 'POST',
        key: keys.staff,
        body: { poId: poAId, lines: [{ sku, qty }], ...(receiptId ? { receiptId } : {}) },
      });
    await expectStatus(receive(3), 409);
    await expectStatus(receive(1, 'r1'), 202);
    await expectStatus(receive(1, 'r1'), 202); // replay: not booked twice
    await expectStatus(receive(1, 'r2'), 202);

    // 4 of 5 are now held and the round is over: fulfilment re-sources, is still short by 1 and starts
    // the next round (suppliers tried in a round may be asked again in the next one).
    const afterReceipt = await eventually(async () => {
      const current = await order(orderId);
      const held = current.allocations.reduce((sum, a) => sum + a.qty, 0);
      return held === 4 ? current : undefined;
    });
    expect(afterReceipt.status).toBe('BACKORDERED');
    const inventory = (await (await api(`/inventory/${sku}`, { key: cloud.keys.ops })).json()) as {
      locations: { locationId: string; onHand: number; reserved: number; available: number }[];
    };
    expect(inventory.locations).toEqual([
      expect.objectContaining({ locationId: warehouse, onHand: 4, reserved: 4, available: 0 }),
    ]);
    const firstRound = await sfn.send(
      new DescribeExecutionCommand({
        executionArn: executionArnOf(stateMachineArn('procurement'), `${orderId}-procure-2`),
      }),
    );
    expect(firstRound.status).toBe('SUCCEEDED');

    // Second round for the last unit: a new purchase order; confirm and receive it → RESERVED.
    const poNext = await eventually(async () => {
      const items = [
        ...(await purchaseOrders(first, keys.supplier[first] as string)),
        ...(await purchaseOrders(second, keys.supplier[second] as string)),
      ].filter((po) => po.status === 'OPEN');
      return items[0];
    });
    expect(poNext.lines).toEqual([{ sku, qty: 1 }]);
    await expectStatus(
      api(`/suppliers/${poNext.supplierId}/purchase-orders/${poNext.poId}/confirm`, {
        method: 'POST',
        key: keys.supplier[poNext.supplierId],
        body: { lines: [{ sku, qty: 1 }], eta: '2026-12-02' },
      }),
      200,
    );
    await expectStatus(
      api(`/locations/${warehouse}/receipts`, {
        method: 'POST',
        key: keys.staff,
        body: { poId: poNext.poId, lines: [{ sku, qty: 1 }] },
      }),
      202,
    );
    const reserved = await orderIn(orderId, 'PICKING');
    expect(reserved.allocations).toEqual([{ sku, qty: 5, locationId: warehouse }]);
    const events = reserved.timeline.map((entry) => entry.event ?? entry.status);
    expect(events).toEqual(
      expect.arrayContaining([
        'ACCEPTED',
        'BACKORDERED',
        'PO_CREATED',
        'PO_REJECTED',
        'PO_CONFIRMED',
        'PO_PARTIALLY_RECEIVED',
        'PO_RECEIVED',
        'BACKORDER_ALLOCATED',
        'RESERVED',
      ]),
    );
    expect(reserved.timeline.find((entry) => entry.event === 'PO_REJECTED')?.actor).toBe(
      `supplier:${second}`,
    );
  }, 180_000);

  it('no supplier for the SKU: a fault at CreatePurchaseOrder, ops redrive, then the order is REJECTED with its hold released', async () => {
    const lonelySku = `SKU-NOSUP-${run}`;
    await expectStatus(
      api(`/locations/${warehouse}/stock/${lonelySku}`, {
        method: 'PUT',
        key: cloud.keys.ops,
        body: { onHand: 1, safetyStock: 0 },
      }),
      200,
    );
    const fault = {
      workflow: 'procurement',
      state: 'CreatePurchaseOrder',
      error: 'TransientError',
      times: 10,
    };
    expect(
      (await api('/ops/faults', { method: 'PUT', key: cloud.keys.ops, body: fault })).status,
    ).toBeLessThan(300);
    const placed = { orderId: await placeOrder([{ sku: lonelySku, qty: 3 }]) };
    const executionId = `${placed.orderId}-procure-2`;
    const failed = await eventually(async () => {
      const list = (await expectStatus(
        api('/ops/executions?status=FAILED', { key: cloud.keys.ops }),
        200,
      )) as {
        items: { executionId: string; workflow: string; failedState?: string; error?: string }[];
      };
      return list.items.find((item) => item.executionId === executionId);
    });
    expect(failed).toMatchObject({
      workflow: 'procurement',
      failedState: 'CreatePurchaseOrder',
      error: 'TransientError',
    });
    expect((await order(placed.orderId)).status).toBe('BACKORDERED');

    await expectStatus(
      api(`/ops/executions/${executionId}/redrive`, { method: 'POST', key: cloud.keys.ops }),
      202,
    );
    const rejected = await orderIn(placed.orderId, 'REJECTED');
    expect(rejected.timeline.find((entry) => entry.status === 'REJECTED')).toMatchObject({
      step: 'RejectOrder',
    });
    const inventory = (await (await api(`/inventory/${lonelySku}`, { key: cloud.keys.ops })).json()) as {
      locations: { reserved: number; available: number }[];
    };
    expect(inventory.locations).toEqual([expect.objectContaining({ reserved: 0, available: 1 })]);
  }, 180_000);

  it('cancelling a backordered order ends both waiting workflows, cancels the open PO and releases its hold; again is a replay', async () => {
    const cancelSku = `SKU-CANCEL-${run}`;
    const supplierId = suppliers[1] as string;
    await expectStatus(
      api(`/locations/${warehouse}/stock/${cancelSku}`, {
        method: 'PUT',
        key: cloud.keys.ops,
        body: { onHand: 1, safetyStock: 0 },
      }),
      200,
    );
    await expectStatus(
      api(`/suppliers/${supplierId}/stock`, {
        method: 'POST',
        key: keys.supplier[supplierId],
        body: { feedSeq: 2, items: [{ sku: cancelSku, available: 10, leadTimeDays: 3 }] },
      }),
      202,
    );
    await eventually(async () => {
      const inventory = (await (await api(`/inventory/${cancelSku}`, { key: cloud.keys.ops })).json()) as {
        suppliers: unknown[];
      };
      return inventory.suppliers.length === 1 ? true : undefined;
    });
    const orderId = await placeOrder([{ sku: cancelSku, qty: 4 }]);
    await orderIn(orderId, 'BACKORDERED');
    const po = await eventually(async () =>
      (await purchaseOrders(supplierId, keys.supplier[supplierId] as string)).find(
        (item) => item.lines[0]?.sku === cancelSku,
      ),
    );
    // Both workflows are parked: fulfilment on the order, procurement on the purchase order.
    const fulfilmentArn = executionArnOf(stateMachineArn('fulfilment'), orderId);
    await eventually(async () => {
      const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: fulfilmentArn }));
      return history.events?.some((event) => event.type === 'TaskSubmitted') ? true : undefined;
    });

    expect(
      (await api(`/orders/${orderId}/cancel`, { method: 'POST', key: keys.supplier[supplierId] })).status,
    ).toBe(403);
    expect(
      (
        await api(`/orders/${channelOrderIdOf(orderId)}/cancel`, {
          method: 'POST',
          key: cloud.keys.channel,
          body: { reason: '' },
        })
      ).status,
    ).toBe(422);
    expect(
      await expectStatus(
        api(`/orders/${channelOrderIdOf(orderId)}/cancel`, {
          method: 'POST',
          key: cloud.keys.channel,
          body: { reason: 'customer found it elsewhere' },
        }),
        202,
      ),
    ).toEqual({
      orderId: channelOrderIdOf(orderId),
      status: 'CANCELLED',
      releasedHolds: 1,
      withdrawnBackorders: 1,
      cancelledPurchaseOrders: [po.poId],
    });
    const fulfilment = await eventually(async () => {
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn: fulfilmentArn }));
      return described.status === 'SUCCEEDED' ? described : undefined;
    });
    expect(fulfilment.output).toBeDefined();
    const procurementArn = executionArnOf(stateMachineArn('procurement'), `${orderId}-procure-2`);
    await eventually(async () => {
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn: procurementArn }));
      return described.status === 'SUCCEEDED' ? described : undefined;
    });
    const endedIn = async (executionArn: string) =>
      (
        await sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 3 }))
      ).events
        ?.flatMap((event) =>
          event.stateEnteredEventDetails?.name ? [event.stateEnteredEventDetails.name] : [],
        )
        .at(0);
    expect(await endedIn(fulfilmentArn)).toBe('Cancelled');
    expect(await endedIn(procurementArn)).toBe('NotNeeded');

    expect(
      (await purchaseOrders(supplierId, keys.supplier[supplierId] as string)).find(
        (item) => item.poId === po.poId,
      ),
    ).toMatchObject({ status: 'CANCELLED' });
    const inventory = (await (await api(`/inventory/${cancelSku}`, { key: cloud.keys.ops })).json()) as {
      locations: { reserved: number; available: number }[];
    };
    expect(inventory.locations).toEqual([expect.objectContaining({ reserved: 0, available: 1 })]);

    // Again: a replay that undoes nothing more; the timeline has one CANCELLED entry with who and why.
    expect(
      await expectStatus(api(`/orders/${orderId}/cancel`, { method: 'POST', key: cloud.keys.ops }), 202),
    ).toMatchObject({
      status: 'CANCELLED',
      releasedHolds: 0,
      withdrawnBackorders: 0,
      cancelledPurchaseOrders: [],
    });
    const cancelled = await order(orderId);
    expect(cancelled.status).toBe('CANCELLED');
    expect(cancelled.timeline.filter((entry) => entry.status === 'CANCELLED')).toEqual([
      expect.objectContaining({ step: 'CancelOrder', actor: expect.stringContaining('channel') }),
    ]);
    expect(cancelled.timeline.filter((entry) => entry.event === 'PO_CANCELLED')).toHaveLength(1);
    expect(cancelled.timeline.filter((entry) => entry.event === 'BACKORDER_WITHDRAWN')).toEqual([
      expect.objectContaining({
        step: `CancelOrder#${cancelSku}`,
        actor: expect.stringContaining('channel'),
      }),
    ]);
    expect((await api('/orders/no-such-order/cancel', { method: 'POST', key: cloud.keys.ops })).status).toBe(
      404,
    );
  }, 180_000);
});
