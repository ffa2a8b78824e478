import { beforeAll, describe, expect, it } from 'vitest';
import { savePrincipal } from '../../functions/adapters/dynamodb/principals';
import { reserveOrder } from '../../functions/adapters/dynamodb/reservations';
import { getShipment } from '../../functions/adapters/dynamodb/shipments';
import { getStock } from '../../functions/adapters/dynamodb/stock';
import { cancelOrder } from '../../functions/app/cancel-order';
import { createShipments } from '../../functions/app/create-shipments';
import { now, placeOrder, seedStock, store } from '../adapters/fixtures';
import { createTestTable, dynamodbEndpoint } from '../support/dynamodb';
import { apiClient, loadHandlers, setFunctionEnvironment } from './harness';

/** Dispatch routes through the real middy stack, on DynamoDB Local: staff picking a shipment. */
const keys = { staffA: 'key-staff-a', staffB: 'key-staff-b', ops: 'key-ops-dispatch' };
let call: ReturnType<typeof apiClient>;
let table: { document: Awaited<ReturnType<typeof createTestTable>>['document']; tableName: string };

beforeAll(async () => {
  const created = await createTestTable();
  table = { document: created.document, tableName: created.tableName };
  setFunctionEnvironment({ tableName: table.tableName, dynamodbEndpoint: dynamodbEndpoint() });
  call = apiClient(await loadHandlers());
  for (const principal of [
    { apiKey: keys.staffA, principalId: 'staff:DS-A', role: 'staff', scope: 'DS-A' },
    { apiKey: keys.staffB, principalId: 'staff:DS-B', role: 'staff', scope: 'DS-B' },
    { apiKey: keys.ops, principalId: 'ops:bob', role: 'ops', scope: '*' },
  ] as const)
    await savePrincipal(table.document, table.tableName, principal);
  await seedStock(table, {
    'DS-A': { location: store, skus: { 'DS-TEE': { onHand: 10, safetyStock: 1 }, 'DS-CAP': { onHand: 5 } } },
    'DS-B': { location: store, skus: {} },
  });
});

/** A reserved pickup order at DS-A with its shipment created, as fulfilment leaves it. */
async function shipmentFor(orderId: string, lines: { sku: string; qty: number }[]): Promise<string> {
  await placeOrder(table, orderId, {
    customerId: 'c',
    fulfilment: { type: 'pickup', storeId: 'DS-A' },
    lines,
  });
  await reserveOrder(table, { orderId, step: 'ReserveStock', actor: 'test', now, holdMinutes: 30 });
  const created = await createShipments(table, { orderId, actor: 'test', now });
  return created.shipments[0]?.shipmentId ?? '';
}

const pick = (shipmentId: string, lines: unknown, apiKey = keys.staffA) =>
  call('POST', `/shipments/${shipmentId}/picked`, { apiKey, body: { lines } });

describe('POST /shipments/{shipmentId}/picked', () => {
  it('commits the held units (onHand and reserved drop) and moves the shipment to packing, once', async () => {
    const shipmentId = await shipmentFor('ds.p-1', [
      { sku: 'DS-TEE', qty: 2 },
      { sku: 'DS-CAP', qty: 1 },
    ]);
    expect(await getStock(table, 'DS-TEE', 'DS-A')).toMatchObject({ onHand: 10, reserved: 2, available: 7 });
    const lines = [
      { sku: 'DS-CAP', qty: 1 },
      { sku: 'DS-TEE', qty: 2 },
    ];
    const first = await pick(shipmentId, lines);
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ shipmentId, status: 'PACKING' });
    expect(await getStock(table, 'DS-TEE', 'DS-A')).toMatchObject({ onHand: 8, reserved: 0, available: 7 });
    expect(await getStock(table, 'DS-CAP', 'DS-A')).toMatchObject({ onHand: 4, reserved: 0, available: 4 });
    // Pressed again: the same answer, and no unit leaves the shelf twice.
    expect((await pick(shipmentId, lines)).json).toEqual({ shipmentId, status: 'PACKING' });
    expect(await getStock(table, 'DS-TEE', 'DS-A')).toMatchObject({ onHand: 8, reserved: 0 });
    expect((await getShipment(table, shipmentId))?.events.map((event) => event.status)).toEqual([
      'PICKING',
      'PACKING',
    ]);
    // The order shows its shipment, and where it stands.
    const order = await call('GET', '/orders/ds.p-1', { apiKey: keys.ops });
    expect(order.json).toMatchObject({
      status: 'PICKING',
      shipments: [
        {
          shipmentId,
          type: 'pickup',
          locationId: 'DS-A',
          status: 'PACKING',
          lines: [
            { sku: 'DS-CAP', qty: 1 },
            { sku: 'DS-TEE', qty: 2 },
          ],
          events: [{ status: 'PICKING' }, { status: 'PACKING', actor: 'staff:DS-A', step: 'Picked' }],
        },
      ],
    });
  });

  it("refuses another store's staff, other lines, more than held and unknown shipments, writing nothing", async () => {
    const shipmentId = await shipmentFor('ds.p-2', [{ sku: 'DS-TEE', qty: 3 }]);
    const before = await getStock(table, 'DS-TEE', 'DS-A');
    const refusals = [
      [await pick(shipmentId, [{ sku: 'DS-TEE', qty: 3 }], keys.staffB), 403],
      [await pick(shipmentId, [{ sku: 'DS-TEE', qty: 3 }], keys.ops), 403],
      [await pick(shipmentId, [{ sku: 'DS-TEE', qty: 4 }]), 422],
      [await pick(shipmentId, []), 422],
      [await pick(shipmentId, [{ sku: 'DS-CAP', qty: 3 }]), 422],
      [
        await pick(shipmentId, [
          { sku: 'DS-TEE', qty: 3 },
          { sku: 'DS-TEE', qty: 3 },
        ]),
        422,
      ],
      [await pick('ds.p-none-0-0', [{ sku: 'DS-TEE', qty: 3 }]), 404],
      [await pick('not a shipment', [{ sku: 'DS-TEE', qty: 3 }]), 400],
    ] as const;
    expect(refusals.map(([response]) => response.status)).toEqual(refusals.map(([, status]) => status));
    expect(refusals[2][0].json).toMatchObject({ code: 'SHIPMENTS.PICK_MISMATCH' });
    expect(await getStock(table, 'DS-TEE', 'DS-A')).toEqual(before);
    expect(await getShipment(table, shipmentId)).toMatchObject({ status: 'PICKING', version: 1 });
  });

  it('refuses to pick for an order cancelled meanwhile: its units are back on sale', async () => {
    const shipmentId = await shipmentFor('ds.p-3', [{ sku: 'DS-CAP', qty: 1 }]);
    await cancelOrder(table, { orderId: 'ds.p-3', actor: 'test', now });
    const before = await getStock(table, 'DS-CAP', 'DS-A');
    const refused = await pick(shipmentId, [{ sku: 'DS-CAP', qty: 1 }]);
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ code: 'SHIPMENTS.INVALID_STATE' });
    expect(await getStock(table, 'DS-CAP', 'DS-A')).toEqual(before);
  });

  it('a cancellation after the pick puts the units back on the shelf, once, and stops the shipment', async () => {
    const shipmentId = await shipmentFor('ds.p-4', [{ sku: 'DS-TEE', qty: 2 }]);
    const before = await getStock(table, 'DS-TEE', 'DS-A');
    await pick(shipmentId, [{ sku: 'DS-TEE', qty: 2 }]);
    expect(await getStock(table, 'DS-TEE', 'DS-A')).toMatchObject({
      onHand: (before?.onHand ?? 0) - 2,
      reserved: (before?.reserved ?? 0) - 2,
    });
    for (let time = 0; time < 2; time++)
      expect(await cancelOrder(table, { orderId: 'ds.p-4', actor: 'test', now })).toMatchObject({
        kind: 'cancelled',
      });
    // The two units are back on sale where they were picked: as before the order, less nothing.
    expect(await getStock(table, 'DS-TEE', 'DS-A')).toMatchObject({
      onHand: before?.onHand,
      reserved: (before?.reserved ?? 0) - 2,
      available: (before?.available ?? 0) + 2,
    });
    expect(await getShipment(table, shipmentId)).toMatchObject({
      status: 'CANCELLED',
      events: [{ status: 'PICKING' }, { status: 'PACKING' }, { status: 'CANCELLED', step: 'CancelOrder' }],
    });
    const tasks = await call('GET', '/locations/DS-A/tasks', { apiKey: keys.staffA });
    const listed = (tasks.json as { items: { shipmentId: string }[] }).items;
    expect(listed.map((task) => task.shipmentId)).not.toContain(shipmentId);
  });

  it('a pick racing a cancellation loses no unit: either the pick is returned to the shelf or it is refused', async () => {
    for (let round = 0; round < 4; round++) {
      const orderId = `ds.race-${round}`;
      const shipmentId = await shipmentFor(orderId, [{ sku: 'DS-CAP', qty: 1 }]);
      const before = await getStock(table, 'DS-CAP', 'DS-A');
      const [picked] = await Promise.all([
        pick(shipmentId, [{ sku: 'DS-CAP', qty: 1 }]),
        cancelOrder(table, { orderId, actor: 'test', now }),
      ]);
      expect([200, 409]).toContain(picked.status);
      // Whatever the order of events, the unit is back on sale and nothing is reserved for the order.
      expect(await getStock(table, 'DS-CAP', 'DS-A')).toMatchObject({
        onHand: before?.onHand,
        reserved: (before?.reserved ?? 0) - 1,
        available: (before?.available ?? 0) + 1,
      });
      expect((await getShipment(table, shipmentId))?.status).toBe('CANCELLED');
    }
  });
});
