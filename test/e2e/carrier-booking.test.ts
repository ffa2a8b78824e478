import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxScript } from '../../local/sandbox/journeys';
import { dispatchWorld, type Place } from '../support/dispatch-world';
import { deliveryTo } from '../support/fixtures';

/**
 * Carrier booking end to end over HTTP (docs/carriers.md), against the sandbox carrier service the local
 * cloud runs, as `npm start` does: the dispatch workflow books a packed shipment through the carriers' HTTP
 * API, and the sandbox drives it along with signed tracking webhooks on its own (fast) clock. The demo
 * carriers are registered for this world's locations only: other suites share the table.
 */
const world = dispatchWorld(({ id, carrierSuffix }) => ({
  carrierSandbox: { tickMs: 150, origins: [id('WH'), id('S1')], idSuffix: carrierSuffix },
}));
const bike = world.carrier('CARRIER-BIKE-COURIERS');
const speedy = world.carrier('CARRIER-SPEEDY');
const { http, sku, stock, expectStock, orderView, shipmentIn, step, pickAll, pack, script } = world;
const { placeOrder, orderIn, expectStatus, api, waitFor } = http;

interface BookedShipment {
  shipmentId: string;
  status: string;
  carrierId?: string;
  booking?: { deliveryId: string; trackingNumber: string; fee: number; etaAt: string };
  attention?: { reason: string };
  bookingAttempts?: { carrierId: string; outcome: string }[];
  tracking?: { status: string; attempts: number };
  proof?: { kind: string; ref: string };
  handover?: { carrier: string; trackingNumber?: string };
}

beforeAll(async () => {
  await world.start({ S1: { fulfils: ['pickup', 'delivery', 'same_day'], sameDayRadiusKm: 20 } });
}, 120_000);

afterAll(async () => {
  await world.stop();
});

const sameDay = { type: 'same_day', address: { ...deliveryTo, lat: 51.515, lng: -0.11 } };

/** An order from `place`, picked and packed; `scripts` are set before packing (so before booking). */
async function packedOrder(
  name: string,
  place: Place,
  fulfilment: unknown,
  scripts: Record<string, SandboxScript> = {},
) {
  await stock(name, { [place]: 4 });
  const orderId = await placeOrder([{ sku: sku(name), qty: 1 }], fulfilment);
  const picking = await shipmentIn(orderId, place, 'PICKING');
  for (const [carrierId, steps] of Object.entries(scripts))
    await script(carrierId, picking.shipmentId, steps);
  await pickAll(place, picking);
  await pack(place, await shipmentIn(orderId, place, 'PACKING'));
  return { orderId, shipmentId: picking.shipmentId };
}

const shipmentOf = async (orderId: string) =>
  (await orderView(orderId)).shipments[0] as unknown as BookedShipment;

const shipmentWhere = (orderId: string, done: (shipment: BookedShipment) => boolean) =>
  waitFor(async () => {
    const shipment = await shipmentOf(orderId);
    return done(shipment) ? shipment : undefined;
  });

describe('carrier booking against the sandbox carriers', () => {
  it('same day from a store: booked with the bike courier, picked up, out, delivered with proof', async () => {
    const { orderId, shipmentId } = await packedOrder('sameday', 'S1', sameDay);
    const delivered = await shipmentWhere(orderId, (shipment) => shipment.status === 'DELIVERED');
    expect(delivered.carrierId).toBe(bike);
    expect(delivered.booking?.trackingNumber).toBeTruthy();
    expect(delivered.handover).toEqual({ carrier: bike, trackingNumber: delivered.booking?.trackingNumber });
    expect(delivered.proof?.kind).toBe('photo');
    expect(delivered.tracking).toEqual({ status: 'DELIVERED', attempts: 0 });
    await orderIn(orderId, 'DELIVERED');
    const timeline = (await orderView(orderId)).timeline.map((entry) => entry.status).filter(Boolean);
    expect(timeline).toEqual(expect.arrayContaining(['PACKED', 'IN_TRANSIT', 'DELIVERED']));
    expect((await world.dispatchEnded(shipmentId)).status).toBe('SUCCEEDED');
  });

  it('the first carrier declines: the next one books', async () => {
    const { orderId } = await packedOrder('decline', 'S1', sameDay, { [bike]: { declines: 1 } });
    const booked = await shipmentWhere(orderId, (shipment) => shipment.booking !== undefined);
    expect(booked.carrierId).toBe(speedy);
    expect(booked.bookingAttempts?.map((attempt) => [attempt.carrierId, attempt.outcome])).toEqual([
      [bike, 'declined'],
      [speedy, 'booked'],
    ]);
    await shipmentWhere(orderId, (shipment) => shipment.status === 'DELIVERED');
  });

  it('the first carrier does not answer in time: the next one books', async () => {
    const { orderId } = await packedOrder('timeout', 'S1', sameDay, { [bike]: { noAnswers: 1 } });
    const booked = await shipmentWhere(orderId, (shipment) => shipment.booking !== undefined);
    expect(booked.carrierId).toBe(speedy);
    expect(booked.bookingAttempts?.map((attempt) => attempt.outcome)).toEqual(['timeout', 'booked']);
  });

  it('two failed attempts, then returned to sender: staff receive it, stock is back, DELIVERY_FAILED', async () => {
    const { orderId, shipmentId } = await packedOrder(
      'failed',
      'WH',
      { type: 'delivery', address: deliveryTo },
      {
        [speedy]: { failedAttempts: 2, returnToSender: true },
      },
    );
    const returning = await shipmentWhere(orderId, (shipment) => shipment.status === 'RETURNING');
    expect(returning.carrierId).toBe(speedy);
    expect(returning.tracking).toEqual({ status: 'RETURNING', attempts: 2 });
    await expectStock('failed', { WH: [3, 0, 3] });
    await step('WH', shipmentId, 'returned', undefined);
    await orderIn(orderId, 'DELIVERY_FAILED');
    await expectStock('failed', { WH: [4, 0, 4] });
  });

  it('no carrier takes it: it needs attention until ops rebook it, then it is delivered', async () => {
    const { orderId, shipmentId } = await packedOrder('attention', 'S1', sameDay, {
      [bike]: { declines: 1 },
      [speedy]: { declines: 1 },
    });
    const stranded = await shipmentWhere(orderId, (shipment) => shipment.attention !== undefined);
    expect(stranded.status).toBe('PACKED');
    const listed = (await expectStatus(
      api('/ops/shipments?attention=true&limit=100', { key: world.cloud.keys.ops }),
      200,
    )) as { items: { shipmentId: string }[] };
    expect(listed.items.map((item) => item.shipmentId)).toContain(shipmentId);
    await expectStatus(
      api(`/ops/shipments/${shipmentId}/rebook`, { method: 'POST', key: world.cloud.keys.ops }),
      200,
    );
    const delivered = await shipmentWhere(orderId, (shipment) => shipment.status === 'DELIVERED');
    expect(delivered.carrierId).toBe(bike);
    expect(delivered.attention).toBeUndefined();
    const after = (await expectStatus(
      api('/ops/shipments?attention=true&limit=100', { key: world.cloud.keys.ops }),
      200,
    )) as { items: { shipmentId: string }[] };
    expect(after.items.map((item) => item.shipmentId)).not.toContain(shipmentId);
    // Booked and delivered: nothing to rebook.
    await expectStatus(
      api(`/ops/shipments/${shipmentId}/rebook`, { method: 'POST', key: world.cloud.keys.ops }),
      409,
    );
  });

  it('an order cancelled before pick-up cancels its booking with the carrier', async () => {
    const { orderId, shipmentId } = await packedOrder('cancel', 'S1', sameDay, {
      [bike]: { delaySeconds: 600 },
    });
    const booked = await shipmentWhere(orderId, (shipment) => shipment.booking !== undefined);
    await expectStatus(api(`/orders/${orderId}/cancel`, { method: 'POST', key: world.cloud.keys.ops }), 202);
    await shipmentWhere(orderId, (shipment) => shipment.status === 'CANCELLED');
    expect((await world.dispatchEnded(shipmentId)).status).toBe('SUCCEEDED');
    expect((await world.sandboxDelivery(bike, booked.booking?.deliveryId ?? '')).status).toBe('cancelled');
    expect((await shipmentOf(orderId)).booking).toEqual(
      expect.objectContaining({ cancelledAt: expect.any(String) }),
    );
  });

  // Longer than the default: on a full run's busy machine the journeys of the whole file must have settled.
  it('a carrier running late delivers after its ETA, and its performance says by how much', {
    timeout: 120_000,
  }, async () => {
    const { orderId } = await packedOrder(
      'late',
      'WH',
      { type: 'delivery', address: deliveryTo },
      {
        [speedy]: { delaySeconds: 1 },
      },
    );
    await shipmentWhere(orderId, (shipment) => shipment.status === 'DELIVERED');
    const performance = (carrierId: string) =>
      expectStatus(api(`/ops/carriers/${carrierId}/performance?days=2`, { key: world.cloud.keys.ops }), 200);
    // This suite's parcel carrier: on time after a decline and after a timeout, late here, and one parcel
    // returned after two failed attempts. Its bike courier: two same-day deliveries on time.
    const expected = {
      [speedy]: { delivered: 3, deliveredOnTime: 2, failedAttempts: 2, returnedToSender: 1 },
      [bike]: { delivered: 2, deliveredOnTime: 2, onTimeRate: 1, meanMinutesLate: 0, failedAttempts: 0 },
    };
    for (const [carrierId, counts] of Object.entries(expected))
      await waitFor(async () => {
        const reported = (await performance(carrierId)) as Record<string, unknown>;
        return Object.entries(counts).every(([name, value]) => reported[name] === value)
          ? reported
          : undefined;
      }).catch(async (error: unknown) => {
        // Say what was counted instead: a wait that never matches is otherwise only a timeout.
        throw new Error(
          `${String(error)}; ${carrierId} reports ${JSON.stringify(await performance(carrierId))}`,
        );
      });
    const late = (await performance(speedy)) as { meanMinutesLate: number; onTimeRate: number };
    expect(late.meanMinutesLate).toBe(1);
    expect(late.onTimeRate).toBeCloseTo(2 / 3);
    await expectStatus(api('/ops/carriers/NO-SUCH-CARRIER/performance', { key: world.cloud.keys.ops }), 404);
  });
});
