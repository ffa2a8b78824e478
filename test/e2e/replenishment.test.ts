import { randomUUID } from 'node:crypto';
import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableRef } from '../../functions/adapters/dynamodb/client';
import {
  listReplenishmentEvents,
  replenishmentExecutionName,
} from '../../functions/adapters/dynamodb/replenishment';
import { executionArnOf } from '../../functions/adapters/sfn/executions';
import type { LocalCloud } from '../../local/cloud';
import { stateMachineArn } from '../../local/emulators/protocol/identity';
import { e2eHttp, startE2eCloud } from '../support/e2e-http';

/**
 * Replenishment end to end over HTTP on an in-process local cloud: orders push a warehouse's available stock
 * below its reorder point → one replenishment purchase order for the supplier → confirm → receipt → stock
 * available again, the replenishment closed, and a further drop opens the next one. The cloud shares table
 * `main` with other suites, so every id here is unique to this run.
 */
let cloud: LocalCloud;
const { api, expectStatus, waitFor: eventually, placeOrder, orderIn } = e2eHttp(() => cloud);
let sfn: SFNClient;
let table: TableRef;
const run = randomUUID().slice(0, 8);
const sku = `SKU-REP-${run}`;
const warehouse = `WH-REP-${run}`;
const supplierId = `SUP-REP-${run}`;
const keys = { staff: `stf_${randomUUID()}`, supplier: `sup_${randomUUID()}` };

beforeAll(async () => {
  ({ cloud, sfn, table } = await startE2eCloud([
    { apiKey: keys.staff, principalId: `staff:${warehouse}`, role: 'staff', scope: warehouse },
    { apiKey: keys.supplier, principalId: `supplier:${supplierId}`, role: 'supplier', scope: supplierId },
  ]));
  // The warehouse's default reorder point is 5; this SKU orders in lots of 10.
  await expectStatus(
    api(`/locations/${warehouse}`, {
      method: 'PUT',
      key: cloud.keys.ops,
      body: { type: 'warehouse', name: 'E2E', lat: 51.5, lng: -0.1, fulfils: ['delivery'], reorderPoint: 5 },
    }),
    200,
  );
  expect(
    await expectStatus(
      api(`/locations/${warehouse}/stock/${sku}`, {
        method: 'PUT',
        key: cloud.keys.ops,
        body: { onHand: 8, safetyStock: 0, reorderQuantity: 10 },
      }),
      200,
    ),
  ).toMatchObject({ available: 8, reorderQuantity: 10 });
  await expectStatus(
    api(`/suppliers/${supplierId}/stock`, {
      method: 'POST',
      key: keys.supplier,
      body: { feedSeq: 1, items: [{ sku, available: 100, leadTimeDays: 2, unitCost: 3 }] },
    }),
    202,
  );
  await eventually(async () => ((await inventory()).suppliers.length === 1 ? true : undefined));
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
});

interface InventoryView {
  locations: {
    locationId: string;
    onHand: number;
    reserved: number;
    available: number;
    inbound: number;
    replenishment?: { status: string; seq: number; poId?: string };
  }[];
  suppliers: unknown[];
}
const inventory = async () =>
  (await expectStatus(api(`/inventory/${sku}`, { key: cloud.keys.ops }), 200)) as InventoryView;
const atWarehouse = async () => (await inventory()).locations.find((l) => l.locationId === warehouse);

interface PurchaseOrderView {
  poId: string;
  status: string;
  purpose: string;
  lines: { sku: string; qty: number }[];
  locationId: string;
}
const purchaseOrders = async () =>
  (
    (await expectStatus(api(`/suppliers/${supplierId}/purchase-orders`, { key: keys.supplier }), 200)) as {
      items: PurchaseOrderView[];
    }
  ).items;

/**
 * Places an order for `qty` and waits until it is RESERVED and its fulfilment execution has ended: the
 * reserve task checks for replenishment after the reservation commits, so only then is the trigger done.
 */
async function orderReserved(qty: number): Promise<void> {
  const orderId = await placeOrder([{ sku, qty }]);
  await orderIn(orderId, 'PICKING');
  const { status } = await eventually(async () => {
    const described = await sfn.send(
      new DescribeExecutionCommand({
        executionArn: executionArnOf(stateMachineArn('fulfilment'), orderId),
      }),
    );
    return described.status === 'RUNNING' ? undefined : described;
  });
  expect(status).toBe('SUCCEEDED');
}

describe('replenishment below the reorder point over HTTP', () => {
  it('one purchase order per drop; confirm and receipt restock the warehouse and close it; the next drop opens another', async () => {
    await orderReserved(2); // available 6: above the reorder point, nothing to buy
    expect(await purchaseOrders()).toEqual([]);
    expect((await atWarehouse())?.replenishment).toBeUndefined();

    await orderReserved(2); // available 4 < 5: one lot of 10
    const [po] = await eventually(async () => {
      const items = await purchaseOrders();
      return items.length > 0 ? items : undefined;
    });
    expect(po).toMatchObject({
      status: 'OPEN',
      purpose: 'replenishment',
      lines: [{ sku, qty: 10 }],
      locationId: warehouse,
    });
    const poId = (po as PurchaseOrderView).poId;
    await orderReserved(1); // available 3: still below, but one is open already
    expect(await purchaseOrders()).toHaveLength(1);
    expect(await atWarehouse()).toMatchObject({
      available: 3,
      inbound: 0,
      replenishment: { status: 'OPEN', seq: 1, poId },
    });

    // Confirmed units are inbound until received.
    await expectStatus(
      api(`/suppliers/${supplierId}/purchase-orders/${poId}/confirm`, {
        method: 'POST',
        key: keys.supplier,
        body: { lines: [{ sku, qty: 10 }], eta: '2026-12-01' },
      }),
      200,
    );
    expect(await atWarehouse()).toMatchObject({ available: 3, inbound: 10 });
    await expectStatus(
      api(`/locations/${warehouse}/receipts`, {
        method: 'POST',
        key: keys.staff,
        body: { poId, lines: [{ sku, qty: 10 }], receiptId: 'r1' },
      }),
      202,
    );
    const restocked = await eventually(async () => {
      const here = await atWarehouse();
      return here?.replenishment?.status === 'CLOSED' ? here : undefined;
    });
    expect(restocked).toMatchObject({ onHand: 18, reserved: 5, available: 13, inbound: 0 });
    const execution = await sfn.send(
      new DescribeExecutionCommand({
        executionArn: executionArnOf(
          stateMachineArn('procurement'),
          replenishmentExecutionName({ kind: 'replenishment', sku, locationId: warehouse, seq: 1 }),
        ),
      }),
    );
    expect(execution.status).toBe('SUCCEEDED');

    // A further drop below the reorder point opens replenishment 2.
    await orderReserved(9); // available 4
    const second = await eventually(async () => {
      const open = (await purchaseOrders()).filter((item) => item.status === 'OPEN');
      return open.length > 0 ? open : undefined;
    });
    expect(second).toEqual([
      expect.objectContaining({ purpose: 'replenishment', lines: [{ sku, qty: 10 }] }),
    ]);
    expect((await atWarehouse())?.replenishment).toMatchObject({ status: 'OPEN', seq: 2 });
  }, 180_000);

  it("a cycle count below the SKU's own reorder point starts one; counting again does not start another", async () => {
    const countedSku = `${sku}-CC`;
    await expectStatus(
      api(`/suppliers/${supplierId}/stock`, {
        method: 'POST',
        key: keys.supplier,
        body: { feedSeq: 2, items: [{ sku: countedSku, available: 100, leadTimeDays: 2, unitCost: 3 }] },
      }),
      202,
    );
    await eventually(async () => {
      const found = (await expectStatus(api(`/inventory/${countedSku}`, { key: cloud.keys.ops }), 200)) as {
        suppliers: unknown[];
      };
      return found.suppliers.length === 1 ? true : undefined;
    });
    const count = (onHand: number) =>
      expectStatus(
        api(`/locations/${warehouse}/stock/${countedSku}`, {
          method: 'PUT',
          key: keys.staff,
          body: { onHand, safetyStock: 0, reorderPoint: 3 },
        }),
        200,
      );
    const mine = async () => (await purchaseOrders()).filter((item) => item.lines[0]?.sku === countedSku);
    await count(1);
    // Its own reorder point (3) without a lot size: up to twice it, 6 − 1 on hand.
    const [po] = await eventually(async () => {
      const items = await mine();
      return items.length > 0 ? items : undefined;
    });
    expect(po).toMatchObject({
      purpose: 'replenishment',
      lines: [{ sku: countedSku, qty: 5 }],
      locationId: warehouse,
    });
    // The count's trigger has run when PUT answers: still replenishment 1, still one purchase order.
    await count(0);
    const counted = (await expectStatus(
      api(`/inventory/${countedSku}`, { key: cloud.keys.ops }),
      200,
    )) as InventoryView;
    expect(counted.locations[0]?.replenishment).toMatchObject({ status: 'OPEN', seq: 1 });
    expect(await mine()).toHaveLength(1);
  }, 120_000);

  it('redrive-safe: faults after CreatePurchaseOrder and after AllocateReceipt, each redriven, leave one PO and one close', async () => {
    const redriveSku = `${sku}-RD`;
    const executionId = replenishmentExecutionName({
      kind: 'replenishment',
      sku: redriveSku,
      locationId: warehouse,
      seq: 1,
    });
    await expectStatus(
      api(`/suppliers/${supplierId}/stock`, {
        method: 'POST',
        key: keys.supplier,
        body: { feedSeq: 3, items: [{ sku: redriveSku, available: 100, leadTimeDays: 2, unitCost: 3 }] },
      }),
      202,
    );
    await eventually(async () => {
      const found = (await expectStatus(api(`/inventory/${redriveSku}`, { key: cloud.keys.ops }), 200)) as {
        suppliers: unknown[];
      };
      return found.suppliers.length === 1 ? true : undefined;
    });
    /** Fails the state on every attempt its Retry allows (3 retries of TransientError), after its writes. */
    const faultAfter = async (state: string) => {
      const fault = { workflow: 'procurement', state, error: 'TransientError', times: 10, phase: 'after' };
      expect(
        (await api('/ops/faults', { method: 'PUT', key: cloud.keys.ops, body: fault })).status,
      ).toBeLessThan(300);
    };
    const failedAt = (state: string) =>
      eventually(async () => {
        const { items } = (await expectStatus(
          api('/ops/executions?status=FAILED', { key: cloud.keys.ops }),
          200,
        )) as {
          items: { executionId: string; failedState?: string; input: unknown }[];
        };
        return items.find((item) => item.executionId === executionId && item.failedState === state);
      });
    const redrive = async () => {
      await api('/ops/faults', { method: 'DELETE', key: cloud.keys.ops });
      await expectStatus(
        api(`/ops/executions/${executionId}/redrive`, { method: 'POST', key: cloud.keys.ops }),
        202,
      );
    };
    const mine = async () => (await purchaseOrders()).filter((item) => item.lines[0]?.sku === redriveSku);

    await faultAfter('CreatePurchaseOrder');
    await expectStatus(
      api(`/locations/${warehouse}/stock/${redriveSku}`, {
        method: 'PUT',
        key: keys.staff,
        body: { onHand: 2, safetyStock: 0, reorderPoint: 4, reorderQuantity: 6 },
      }),
      200,
    );
    expect(await failedAt('CreatePurchaseOrder')).toMatchObject({
      input: { demand: { kind: 'replenishment', sku: redriveSku, locationId: warehouse, seq: 1 } },
    });
    await redrive();
    const [po] = await eventually(async () => {
      const items = await mine();
      return items.length > 0 ? items : undefined;
    });
    expect(await mine()).toEqual([
      expect.objectContaining({ status: 'OPEN', lines: [{ sku: redriveSku, qty: 6 }] }),
    ]);
    const poId = (po as PurchaseOrderView).poId;

    await faultAfter('AllocateReceipt');
    await expectStatus(
      api(`/suppliers/${supplierId}/purchase-orders/${poId}/confirm`, {
        method: 'POST',
        key: keys.supplier,
        body: { lines: [{ sku: redriveSku, qty: 6 }], eta: '2026-12-01' },
      }),
      200,
    );
    await expectStatus(
      api(`/locations/${warehouse}/receipts`, {
        method: 'POST',
        key: keys.staff,
        body: { poId, lines: [{ sku: redriveSku, qty: 6 }] },
      }),
      202,
    );
    await failedAt('AllocateReceipt');
    await redrive();
    const executionArn = `${stateMachineArn('procurement').replace(':stateMachine:', ':execution:')}:${executionId}`;
    const finished = await eventually(async () => {
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return described.status === 'RUNNING' ? undefined : described;
    });
    expect(finished).toMatchObject({ status: 'SUCCEEDED', redriveCount: 2 });
    const counted = (await expectStatus(
      api(`/inventory/${redriveSku}`, { key: cloud.keys.ops }),
      200,
    )) as InventoryView;
    expect(counted.locations).toEqual([
      expect.objectContaining({
        onHand: 8,
        reserved: 0,
        available: 8,
        inbound: 0,
        replenishment: { status: 'CLOSED', seq: 1, poId },
      }),
    ]);
    const events = (await listReplenishmentEvents(table, redriveSku, warehouse)).map((entry) => entry.event);
    expect(events.filter((event) => event === 'REPLENISHMENT_OPENED')).toHaveLength(1);
    expect(events.filter((event) => event === 'PO_CREATED')).toHaveLength(1);
    expect(events.filter((event) => event === 'REPLENISHMENT_RECEIVED')).toHaveLength(1);
  }, 180_000);
});
