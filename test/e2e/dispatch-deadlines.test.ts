import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchWorld } from '../support/dispatch-world';

/**
 * Dispatch deadlines end to end over HTTP (docs/dispatch.md): a pick not done by its due time is re-routed,
 * and a parcel nobody collects by pickupBy goes back on the shelf. The local cloud runs task timeouts a
 * thousand times faster (taskTimeoutScale), so a 30-minute pick promise times out in 1.8 s and a one-hour
 * pickup hold in 3.6 s; the workflow, the Lambdas and the stored deadlines are as in AWS.
 */
const world = dispatchWorld({ taskTimeoutScale: 0.001 });
const { http, id, sku, stock, expectStock, orderView, channelView, shipmentIn, step, pickAll, pack } = world;
const { placeOrder, orderIn } = http;
/** A week to pick: scaled, ten minutes, far beyond any step of these tests. */
const unhurried = { pickWithinMinutes: 7 * 24 * 60 };

beforeAll(async () => {
  await world.start({
    WH: unhurried,
    S1: unhurried,
    S2: { ...unhurried, pickupHoldHours: 1 },
    S3: unhurried,
    S4: { pickWithinMinutes: 30 },
  });
}, 120_000);

afterAll(async () => {
  await world.stop();
});

describe('dispatch deadlines', () => {
  it('a pick not done in time is rejected as timed out and re-routed to another store, collected there', async () => {
    await stock('late', { S4: 2, S1: 2 });
    const orderId = await placeOrder([{ sku: sku('late'), qty: 2 }], world.pickupAt('S4'));
    // Nobody at S4 picks: the timeout releases the held units there (they are on the shelf, just not picked).
    // (On a loaded machine the 1.8 s may be over before the test first looks, so it waits for REJECTED.)
    const first = await shipmentIn(orderId, 'S4', 'REJECTED');
    expect(first.events.map((event) => event.status).slice(0, 2)).toEqual(['PICKING', 'REJECTED']);
    expect(first.events.find((event) => event.step === 'PickTimedOut')).toMatchObject({ reason: 'timeout' });
    const second = await shipmentIn(orderId, 'S1', 'PICKING');
    await expectStock('late', { S4: [2, 0, 2], S1: [2, 2, 0] });
    // Too late for S4's staff now.
    await step('S4', first.shipmentId, 'picked', { lines: first.lines }, 409);
    await pickAll('S1', second);
    await pack('S1', await shipmentIn(orderId, 'S1', 'PACKING'));
    const code = (await channelView(orderId)).shipments.find(
      (s) => s.shipmentId === second.shipmentId,
    )?.pickupCode;
    await step('S1', second.shipmentId, 'collected', { pickupCode: code });
    await orderIn(orderId, 'COLLECTED');
    await expectStock('late', { S4: [2, 0, 2], S1: [0, 0, 0] });
    const timeline = (await orderView(orderId)).timeline;
    expect(timeline.find((entry) => entry.event === 'REROUTED')?.reason).toContain('timeout');
    expect((await world.dispatchEnded(first.shipmentId)).status).toBe('SUCCEEDED');
  });

  it('a parcel nobody collects by pickupBy goes back on the shelf: NOT_COLLECTED', async () => {
    await stock('uncollected', { S2: 3 });
    const orderId = await placeOrder([{ sku: sku('uncollected'), qty: 1 }], world.pickupAt('S2'));
    const picking = await shipmentIn(orderId, 'S2', 'PICKING');
    await pickAll('S2', picking);
    await pack('S2', await shipmentIn(orderId, 'S2', 'PACKING'));
    await expectStock('uncollected', { S2: [2, 0, 2] });
    await orderIn(orderId, 'NOT_COLLECTED');
    await expectStock('uncollected', { S2: [3, 0, 3] });
    const order = await orderView(orderId);
    expect(order.timeline.some((entry) => entry.status === 'NOT_COLLECTED')).toBe(true);
    expect((await channelView(orderId)).shipments[0]?.pickupCode).toBeUndefined();
    expect((await world.dispatchEnded(picking.shipmentId)).status).toBe('SUCCEEDED');
    expect(id('S2')).toBe(order.shipments[0]?.locationId);
  });
});
