import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchWorld, type Place } from '../support/dispatch-world';
import { channelOrderIdOf } from '../support/e2e-http';
import { deliveryTo } from '../support/fixtures';
import { eventually } from '../support/local-cloud-process';

/**
 * Order events out to sales channels, end to end over HTTP (docs/channel-events.md): the table's stream
 * feeds the publisher, SQS carries delivery requests, and the world's two channels each have the demo
 * receiver as their webhook (it verifies every signature). Carriers are the sandbox's, so a same-day order
 * goes all the way to DELIVERED by itself. Deliveries back off from 100 ms here (2 s deployed), so a
 * poison endpoint reaches the DLQ in seconds.
 */
const world = dispatchWorld(({ id, carrierSuffix, channelIds }) => ({
  carrierSandbox: { tickMs: 150, origins: [id('WH'), id('S1')], idSuffix: carrierSuffix },
  channelReceiver: { channels: channelIds },
  streamTriggers: true,
  environmentOverrides: { deliverChannelEvents: { DELIVERY_RETRY_BASE_MS: '100' } },
}));
const { http, sku, stock, shipmentIn, step, pickAll, pack, channel } = world;
const { placeOrder, orderIn, expectStatus, api, waitFor } = http;

interface Received {
  id: string;
  type: string;
  orderId: string;
  occurredAt: string;
  verified: boolean;
  duplicates: number;
  data: { pickupCode?: string; carrierId?: string; trackingNumber?: string; proof?: unknown };
}

beforeAll(async () => {
  await world.start({ S1: { fulfils: ['pickup', 'delivery', 'same_day'], sameDayRadiusKm: 20 } });
}, 120_000);

afterAll(async () => {
  await world.stop();
});

const receiver = () => world.cloud.endpoints.channelReceiver as string;
const receivedBy = async (channelId: string) =>
  (await (await fetch(`${receiver()}/${channelId}/events`)).json()) as Received[];
const eventsOf = async (channelId: string, orderId: string) =>
  (await receivedBy(channelId)).filter((event) => event.orderId === channelOrderIdOf(orderId));
const setMode = async (channelId: string, mode: 'up' | 'down' | 'poison') =>
  expect(
    (await fetch(`${receiver()}/${channelId}/mode`, { method: 'PUT', body: JSON.stringify({ mode }) }))
      .status,
  ).toBe(204);

/** Waits until the channel has received exactly `types` for the order (in arrival order), and answers them. */
const received = (channelId: string, orderId: string, types: readonly string[]) =>
  waitFor(async () => {
    const events = await eventsOf(channelId, orderId);
    return events.length >= types.length ? events : undefined;
  }).then((events) => {
    expect(events.map((event) => event.type)).toEqual(types);
    return events;
  });

const sameDay = { type: 'same_day', address: { ...deliveryTo, lat: 51.515, lng: -0.11 } };

async function pickAndPack(orderId: string, place: Place) {
  await pickAll(place, await shipmentIn(orderId, place, 'PICKING'));
  await pack(place, await shipmentIn(orderId, place, 'PACKING'));
}

describe('order events out to sales channels', () => {
  it('same day: the channel receives every event in order of occurrence, each signed', async () => {
    await stock('sameday', { S1: 3 });
    const orderId = await placeOrder([{ sku: sku('sameday'), qty: 1 }], sameDay, channel.A);
    await pickAndPack(orderId, 'S1');
    await orderIn(orderId, 'DELIVERED');
    const events = await received(channel.A.id, orderId, [
      'order.reserved',
      'shipment.in_transit',
      'shipment.delivered',
    ]);
    expect(events.every((event) => event.verified)).toBe(true);
    const times = events.map((event) => event.occurredAt);
    expect([...times].sort()).toEqual(times);
    expect(events[1]?.data).toEqual(
      expect.objectContaining({
        carrierId: world.carrier('CARRIER-BIKE-COURIERS'),
        trackingNumber: expect.any(String),
      }),
    );
    expect(events[2]?.data.proof).toEqual(expect.objectContaining({ kind: 'photo' }));
  });

  it('click and collect: the ready event carries the pickup code, which collects the parcel', async () => {
    await stock('bopis', { S1: 3 });
    const orderId = await placeOrder([{ sku: sku('bopis'), qty: 1 }], world.pickupAt('S1'), channel.A);
    await pickAndPack(orderId, 'S1');
    const [, ready] = await received(channel.A.id, orderId, ['order.reserved', 'shipment.ready_for_pickup']);
    expect(ready?.data.pickupCode).toMatch(/^\d{6}$/);
    const shipment = await shipmentIn(orderId, 'S1', 'READY_FOR_PICKUP');
    await step('S1', shipment.shipmentId, 'collected', { pickupCode: ready?.data.pickupCode });
    await orderIn(orderId, 'COLLECTED');
  });

  it("keeps channels apart: A cannot read B's order, and A's receiver never sees B's events", async () => {
    await stock('isolation', { S1: 3 });
    const ofB = await placeOrder([{ sku: sku('isolation'), qty: 1 }], world.pickupAt('S1'), channel.B);
    await received(channel.B.id, ofB, ['order.reserved']);
    await expectStatus(api(`/orders/${channelOrderIdOf(ofB)}`, { key: channel.A.key }), 404);
    await expectStatus(api(`/orders/${channelOrderIdOf(ofB)}`, { key: channel.B.key }), 200);
    const seenByA = await receivedBy(channel.A.id);
    expect(seenByA.filter((event) => event.orderId === channelOrderIdOf(ofB))).toEqual([]);
  });

  it('a receiver down for a while gets every event later, none lost and none invented', async () => {
    await setMode(channel.A.id, 'down');
    await stock('down', { S1: 3 });
    const orderId = await placeOrder([{ sku: sku('down'), qty: 1 }], sameDay, channel.A);
    await pickAndPack(orderId, 'S1');
    await orderIn(orderId, 'DELIVERED');
    expect(await eventsOf(channel.A.id, orderId)).toEqual([]);
    await setMode(channel.A.id, 'up');
    const events = await received(channel.A.id, orderId, [
      'order.reserved',
      'shipment.in_transit',
      'shipment.delivered',
    ]);
    expect(new Set(events.map((event) => event.id)).size).toBe(3);
  });

  it('a poison endpoint: the delivery lands in the DLQ, and a replay after the fix delivers in order', async () => {
    await setMode(channel.B.id, 'poison');
    await stock('poison', { S1: 3 });
    const orderId = await placeOrder([{ sku: sku('poison'), qty: 1 }], world.pickupAt('S1'), channel.B);
    await pickAndPack(orderId, 'S1');
    await eventually(async () => {
      const letters = (await expectStatus(api('/ops/dead-letters', { key: world.cloud.keys.ops }), 200)) as {
        items: { queue: string; body: string }[];
      };
      return letters.items.find((item) => item.queue === 'channelEvents' && item.body.includes(orderId));
    }, 60_000);
    expect(await eventsOf(channel.B.id, orderId)).toEqual([]);
    await setMode(channel.B.id, 'up');
    await expectStatus(
      api('/ops/dead-letters/redrive', {
        method: 'POST',
        key: world.cloud.keys.ops,
        body: { queue: 'channelEvents' },
      }),
      202,
    );
    await received(channel.B.id, orderId, ['order.reserved', 'shipment.ready_for_pickup']);
  }, 90_000);

  it('refuses a bad webhook registration with a 4xx and keeps the secret out of later answers', async () => {
    await expectStatus(
      api(`/ops/channels/${channel.A.id}/webhook`, {
        method: 'PUT',
        key: world.cloud.keys.ops,
        body: { url: 'ftp://x' },
      }),
      422,
    );
    const moved = (await expectStatus(
      api(`/ops/channels/${channel.A.id}/webhook`, {
        method: 'PUT',
        key: world.cloud.keys.ops,
        body: { url: `${receiver()}/${channel.A.id}` },
      }),
      200,
    )) as { signingSecret?: string };
    expect(moved.signingSecret).toBeUndefined();
  });
});
