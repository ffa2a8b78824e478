import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchWorld } from '../support/dispatch-world';

/**
 * Dispatch end to end over HTTP on an in-process local cloud (docs/dispatch.md): each path from a reserved
 * order to goods handed over or collected, with the exact stock after every step. Deadlines (pick timeouts,
 * parcels nobody collects) are in dispatch-deadlines.test.ts, on a cloud with scaled task timeouts.
 */
const world = dispatchWorld();
const { http, id, sku, stock, expectStock, orderView, channelView, shipmentIn, step, pickAll, pack } = world;
const { placeOrder, orderIn, expectStatus, api, waitFor } = http;

beforeAll(async () => {
  await world.start();
}, 120_000);

afterAll(async () => {
  await world.stop();
});

describe('dispatch paths', () => {
  it('home delivery from a warehouse: pick → pack → handed over', async () => {
    await stock('home', { WH: 5 });
    const orderId = await placeOrder([{ sku: sku('home'), qty: 2 }]);
    const picking = await shipmentIn(orderId, 'WH', 'PICKING');
    await orderIn(orderId, 'PICKING');
    await expectStock('home', { WH: [5, 2, 3] });
    const tasks = (await expectStatus(
      api(`/locations/${id('WH')}/tasks`, { key: world.staffKey.WH }),
      200,
    )) as { items: { shipmentId: string; kind: string }[] };
    expect(tasks.items).toContainEqual(
      expect.objectContaining({ shipmentId: picking.shipmentId, kind: 'pick' }),
    );

    await pickAll('WH', picking);
    await expectStock('home', { WH: [3, 0, 3] });
    await pack('WH', await shipmentIn(orderId, 'WH', 'PACKING'));
    await orderIn(orderId, 'PACKED');
    await step('WH', picking.shipmentId, 'handed-over', { carrier: 'Parcel Co', trackingNumber: 'PC-1' });
    await orderIn(orderId, 'IN_TRANSIT');
    await expectStock('home', { WH: [3, 0, 3] });
    expect((await world.dispatchEnded(picking.shipmentId)).status).toBe('SUCCEEDED');
    // Past the handover the order can no longer be cancelled.
    await expectStatus(api(`/orders/${orderId}/cancel`, { method: 'POST', key: world.cloud.keys.ops }), 409);
  });

  it('click-and-collect at a stocked store: pick → pack → READY_FOR_PICKUP → code → COLLECTED', async () => {
    await stock('bopis', { S1: 3 });
    const orderId = await placeOrder([{ sku: sku('bopis'), qty: 1 }], world.pickupAt('S1'));
    const picking = await shipmentIn(orderId, 'S1', 'PICKING', 'pickup');
    await expectStock('bopis', { S1: [3, 1, 2] });
    await pickAll('S1', picking);
    await pack('S1', await shipmentIn(orderId, 'S1', 'PACKING'));
    await orderIn(orderId, 'READY_FOR_PICKUP');
    await expectStock('bopis', { S1: [2, 0, 2] });
    // The channel sees the code to pass on; ops and staff never do.
    const shown = (await channelView(orderId)).shipments[0];
    expect(shown?.pickupCode).toMatch(/^\d{6}$/);
    expect(shown?.pickupBy).toBeDefined();
    expect((await orderView(orderId)).shipments[0]?.pickupCode).toBeUndefined();
    const wrong = shown?.pickupCode === '000000' ? '000001' : '000000';
    expect(await step('S1', picking.shipmentId, 'collected', { pickupCode: wrong }, 422)).toMatchObject({
      code: 'SHIPMENTS.WRONG_PICKUP_CODE',
    });
    // Staff of another store cannot hand it over, even with the right code.
    await step('S2', picking.shipmentId, 'collected', { pickupCode: shown?.pickupCode }, 403);
    await step('S1', picking.shipmentId, 'collected', { pickupCode: shown?.pickupCode });
    await orderIn(orderId, 'COLLECTED');
    // Collected twice: the same answer, nothing more.
    expect(await step('S1', picking.shipmentId, 'collected', { pickupCode: shown?.pickupCode })).toEqual({
      shipmentId: picking.shipmentId,
      status: 'COLLECTED',
    });
    await expectStock('bopis', { S1: [2, 0, 2] });
    expect((await world.dispatchEnded(picking.shipmentId)).status).toBe('SUCCEEDED');
  });

  it('five wrong pickup codes lock the parcel until ops unlock it', async () => {
    await stock('locked', { S4: 1 });
    const orderId = await placeOrder([{ sku: sku('locked'), qty: 1 }], world.pickupAt('S4'));
    const picking = await shipmentIn(orderId, 'S4', 'PICKING');
    await pickAll('S4', picking);
    await pack('S4', await shipmentIn(orderId, 'S4', 'PACKING'));
    await orderIn(orderId, 'READY_FOR_PICKUP');
    const code = (await channelView(orderId)).shipments[0]?.pickupCode ?? '';
    const wrong = code === '999999' ? '999998' : '999999';
    for (let attempt = 1; attempt <= 5; attempt++)
      await step('S4', picking.shipmentId, 'collected', { pickupCode: wrong }, 422);
    // The customer's code stays the one the channel was given.
    expect((await channelView(orderId)).shipments[0]?.pickupCode).toBe(code);
    // Locked: even the right code is refused, and the order shows it.
    expect(await step('S4', picking.shipmentId, 'collected', { pickupCode: code }, 409)).toMatchObject({
      code: 'SHIPMENTS.PICKUP_LOCKED',
    });
    expect((await orderView(orderId)).shipments[0]).toMatchObject({
      status: 'READY_FOR_PICKUP',
      locked: true,
    });
    // Staff cannot unlock it; ops can, once or twice.
    await expectStatus(
      api(`/ops/shipments/${picking.shipmentId}/unlock`, { method: 'POST', key: world.staffKey.S4 }),
      403,
    );
    for (let time = 0; time < 2; time++)
      await expectStatus(
        api(`/ops/shipments/${picking.shipmentId}/unlock`, { method: 'POST', key: world.cloud.keys.ops }),
        200,
      );
    await step('S4', picking.shipmentId, 'collected', { pickupCode: code });
    await orderIn(orderId, 'COLLECTED');
    await expectStock('locked', { S4: [0, 0, 0] });
  });

  it('a store rejects: the order is re-routed to another store and collected there', async () => {
    await stock('reroute', { S1: 2, S2: 2 });
    const orderId = await placeOrder([{ sku: sku('reroute'), qty: 2 }], world.pickupAt('S1'));
    const first = await shipmentIn(orderId, 'S1', 'PICKING');
    await expectStock('reroute', { S1: [2, 2, 0], S2: [2, 0, 2] });
    await step('S1', first.shipmentId, 'reject', { reason: 'out_of_stock' });
    // Out of stock: the held units were not there, so they are written off at S1.
    const second = await shipmentIn(orderId, 'S2', 'PICKING');
    await expectStock('reroute', { S1: [0, 0, 0], S2: [2, 2, 0] });
    const order = await orderView(orderId);
    expect(order.fulfilment.storeId).toBe(id('S2'));
    expect(order.timeline.map((entry) => entry.event)).toEqual(
      expect.arrayContaining(['STOCK_CORRECTED', 'REROUTED']),
    );
    await pickAll('S2', second);
    await pack('S2', await shipmentIn(orderId, 'S2', 'PACKING'));
    await orderIn(orderId, 'READY_FOR_PICKUP');
    const code = (await channelView(orderId)).shipments.find(
      (s) => s.shipmentId === second.shipmentId,
    )?.pickupCode;
    await step('S2', second.shipmentId, 'collected', { pickupCode: code });
    await orderIn(orderId, 'COLLECTED');
    await expectStock('reroute', { S1: [0, 0, 0], S2: [0, 0, 0] });
    expect((await world.dispatchEnded(first.shipmentId)).status).toBe('SUCCEEDED');
  });

  it('a short pick: the rest is backordered, bought, received and shipped in a second round', async () => {
    await stock('short', { WH: 3 });
    await world.supply('short', 50);
    const orderId = await placeOrder([{ sku: sku('short'), qty: 3 }]);
    const first = await shipmentIn(orderId, 'WH', 'PICKING');
    await expectStock('short', { WH: [3, 3, 0] });
    // One of three found: it goes on to packing; the two missing are written off and re-routed.
    expect(await step('WH', first.shipmentId, 'picked', { lines: [{ sku: sku('short'), qty: 1 }] })).toEqual({
      shipmentId: first.shipmentId,
      status: 'PACKING',
    });
    await expectStock('short', { WH: [0, 0, 0] });
    // Nobody else has any: the re-route backorders the two, the supplier delivers them to the warehouse.
    await orderIn(orderId, 'BACKORDERED');
    await world.confirmAndReceive(orderId, 'WH');
    const second = await waitFor(async () =>
      (await orderView(orderId)).shipments.find(
        (s) => s.shipmentId !== first.shipmentId && s.status === 'PICKING',
      ),
    );
    expect(second).toMatchObject({ locationId: id('WH'), lines: [{ sku: sku('short'), qty: 2 }] });
    await orderIn(orderId, 'PICKING');
    await expectStock('short', { WH: [2, 2, 0] });
    await pack('WH', await shipmentIn(orderId, 'WH', 'PACKING'));
    await step('WH', first.shipmentId, 'handed-over', { carrier: 'Parcel Co' });
    await pickAll('WH', second);
    await pack('WH', await shipmentIn(orderId, 'WH', 'PACKING'));
    await step('WH', second.shipmentId, 'handed-over', { carrier: 'Parcel Co' });
    await orderIn(orderId, 'IN_TRANSIT');
    await expectStock('short', { WH: [0, 0, 0] });
    const events = (await orderView(orderId)).timeline.map((entry) => entry.event);
    expect(events).toEqual(
      expect.arrayContaining(['STOCK_CORRECTED', 'REROUTED', 'BACKORDER_CREATED', 'PO_RECEIVED']),
    );
  });

  it('a short pick nobody can make up: the missing units are given up, the rest is shipped', async () => {
    await stock('giveup', { WH: 3 });
    const orderId = await placeOrder([{ sku: sku('giveup'), qty: 3 }]);
    const first = await shipmentIn(orderId, 'WH', 'PICKING');
    await step('WH', first.shipmentId, 'picked', { lines: [{ sku: sku('giveup'), qty: 1 }] });
    // No stock anywhere and no supplier: the re-route's round gives up the two, the order goes on with one.
    const order = await waitFor(async () => {
      const view = await orderView(orderId);
      return view.timeline.some((entry) => entry.event === 'SHORTFALL_UNSERVED') ? view : undefined;
    });
    expect(order.status).toBe('PICKING');
    await pack('WH', await shipmentIn(orderId, 'WH', 'PACKING'));
    await step('WH', first.shipmentId, 'handed-over', { carrier: 'Parcel Co' });
    await orderIn(orderId, 'IN_TRANSIT');
    await expectStock('giveup', { WH: [0, 0, 0] });
  });

  it('click-and-collect from an unstocked store: a transfer brings the goods (ship-to-store)', async () => {
    await stock('transfer', { WH: 4 });
    const orderId = await placeOrder([{ sku: sku('transfer'), qty: 2 }], world.pickupAt('S3'));
    const transfer = await shipmentIn(orderId, 'WH', 'PICKING', 'transfer');
    const counter = await shipmentIn(orderId, 'S3', 'AWAITING_TRANSFER', 'pickup');
    expect(transfer.destinationLocationId).toBe(id('S3'));
    await pickAll('WH', transfer);
    await expectStock('transfer', { WH: [2, 0, 2] });
    await pack('WH', await shipmentIn(orderId, 'WH', 'PACKING'));
    await shipmentIn(orderId, 'WH', 'IN_TRANSFER');
    // The warehouse cannot confirm its own transfer's arrival: the store does.
    await step('WH', transfer.shipmentId, 'received', undefined, 403);
    await step('S3', transfer.shipmentId, 'received', undefined);
    const ready = await shipmentIn(orderId, 'S3', 'PACKING', 'pickup');
    expect(ready.shipmentId).toBe(counter.shipmentId);
    await pack('S3', ready);
    await orderIn(orderId, 'READY_FOR_PICKUP');
    const code = (await channelView(orderId)).shipments.find((s) => s.type === 'pickup')?.pickupCode;
    await step('S3', counter.shipmentId, 'collected', { pickupCode: code });
    await orderIn(orderId, 'COLLECTED');
    const shipments = (await orderView(orderId)).shipments.map((s) => [s.type, s.status]);
    expect(shipments).toEqual(
      expect.arrayContaining([
        ['transfer', 'RECEIVED'],
        ['pickup', 'COLLECTED'],
      ]),
    );
    await expectStock('transfer', { WH: [2, 0, 2] });
  });

  it('ship-to-store cancelled after the goods arrived: they go on the store shelf, which never stocked them', async () => {
    await stock('arrived', { WH: 2 });
    const orderId = await placeOrder([{ sku: sku('arrived'), qty: 2 }], world.pickupAt('S3'));
    const transfer = await shipmentIn(orderId, 'WH', 'PICKING', 'transfer');
    await pickAll('WH', transfer);
    await pack('WH', await shipmentIn(orderId, 'WH', 'PACKING'));
    await step('S3', transfer.shipmentId, 'received', undefined);
    await shipmentIn(orderId, 'S3', 'PACKING', 'pickup');
    await expectStatus(api(`/orders/${orderId}/cancel`, { method: 'POST', key: world.cloud.keys.ops }), 202);
    await shipmentIn(orderId, 'S3', 'CANCELLED', 'pickup');
    await expectStock('arrived', { WH: [0, 0, 0], S3: [2, 0, 2] });
  });

  it('a cancellation after the pick stops dispatch and puts the units back on the shelf', async () => {
    await stock('cancel', { WH: 3 });
    const orderId = await placeOrder([{ sku: sku('cancel'), qty: 2 }]);
    const picking = await shipmentIn(orderId, 'WH', 'PICKING');
    await pickAll('WH', picking);
    await expectStock('cancel', { WH: [1, 0, 1] });
    await expectStatus(api(`/orders/${orderId}/cancel`, { method: 'POST', key: world.cloud.keys.ops }), 202);
    await expectStock('cancel', { WH: [3, 0, 3] });
    await shipmentIn(orderId, 'WH', 'CANCELLED');
    const ended = await world.dispatchEnded(picking.shipmentId);
    expect(ended.status).toBe('SUCCEEDED');
    await step('WH', picking.shipmentId, 'packed', { parcels: [{ weightGrams: 1 }] }, 409);
  });
});
