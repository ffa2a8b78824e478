import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchWorld } from '../support/dispatch-world';
import { channelOrderIdOf } from '../support/e2e-http';

/**
 * Return requests over HTTP (issue 13, docs/returns.md): what reached the customer may come back, within
 * its SKU's policy and window, never more than delivered less earlier returns, even for two requests at
 * once; idempotent per key; only through the order's own channel. (The returns workflow that takes the
 * goods back comes next: a return stays REQUESTED here.)
 */
const world = dispatchWorld();
const { http, sku, stock, orderView, shipmentIn, channel } = world;
const { placeOrder, expectStatus, api } = http;

beforeAll(async () => {
  await world.start();
}, 120_000);

afterAll(async () => {
  await world.stop();
});

/** A click-and-collect order of `qty` units through channel A, collected. */
async function collectedOrder(name: string, qty: number) {
  await stock(name, { S1: qty });
  return world.collectedOrder([{ sku: sku(name), qty }], { channel: channel.A });
}

const ask = (orderId: string, body: unknown, key: string, as = channel.A.key) =>
  api(`/orders/${channelOrderIdOf(orderId)}/returns`, {
    method: 'POST',
    key: as,
    body,
    headers: { 'idempotency-key': key },
  });
const lines = (name: string, qty: number, reason = 'no_longer_needed') => ({
  lines: [{ sku: sku(name), qty, reason }],
  method: 'store_dropoff',
});
const problem = async (response: Promise<Response>, status: number) =>
  (await expectStatus(response, status)) as { code: string; errors?: { field: string }[] };

describe('return requests', () => {
  it('accepts a return of collected units once per key, and shows it on the order', async () => {
    const orderId = await collectedOrder('basic', 3);
    const accepted = (await expectStatus(ask(orderId, lines('basic', 2), 'r-basic'), 202)) as Record<
      string,
      string
    >;
    expect(accepted).toEqual({
      returnId: `${channelOrderIdOf(orderId)}-r1`,
      status: 'REQUESTED',
      rmaCode: expect.stringMatching(/^RMA-[0-9A-Z]{8}$/),
      dropOffBy: expect.any(String),
    });
    // The same key and body: the same answer, nothing more written. Another body with it: 409.
    expect(await expectStatus(ask(orderId, lines('basic', 2), 'r-basic'), 202)).toEqual(accepted);
    expect((await problem(ask(orderId, lines('basic', 1), 'r-basic'), 409)).code).toBe(
      'ORDERS.IDEMPOTENCY_KEY_REUSED',
    );
    const view = await orderView(orderId);
    expect(view.status).toBe('RETURN_REQUESTED');
    expect((view as unknown as { returns: unknown[] }).returns).toEqual([
      expect.objectContaining({
        returnId: `${orderId}-r1`,
        status: 'REQUESTED',
        lines: lines('basic', 2).lines,
      }),
    ]);
    // Read back: by the channel under its own ids, by ops under the system-wide ones; not by another channel.
    const read = (id: string, key: string) => api(`/returns/${id}`, { key });
    expect(await expectStatus(read(accepted.returnId as string, channel.A.key), 200)).toMatchObject({
      returnId: accepted.returnId,
      orderId: channelOrderIdOf(orderId),
      status: 'REQUESTED',
      method: 'store_dropoff',
      rmaCode: accepted.rmaCode,
      lines: lines('basic', 2).lines,
      timeline: [
        {
          status: 'REQUESTED',
          actor: `channel:${channel.A.id}`,
          step: 'RequestReturn',
          at: expect.any(String),
        },
      ],
    });
    expect(await expectStatus(read(`${orderId}-r1`, world.cloud.keys.ops), 200)).toMatchObject({ orderId });
    await expectStatus(read(accepted.returnId as string, channel.B.key), 404);
    await expectStatus(read(`${orderId}-r1`, world.staffKey.S2), 404);
    await expectStatus(read(`${channelOrderIdOf(orderId)}-r9`, channel.A.key), 404);
    // One unit is left to return, and no more.
    const excess = await problem(ask(orderId, lines('basic', 2), 'r-basic-2'), 422);
    expect(excess.code).toBe('RETURNS.QTY_EXCEEDS_DELIVERED');
    expect(excess.errors?.map((error) => error.field)).toEqual(['lines[0].qty']);
    await expectStatus(ask(orderId, lines('basic', 1, 'damaged'), 'r-basic-3'), 202);
  });

  it('never returns a unit twice, even for two requests at once', async () => {
    const orderId = await collectedOrder('race', 3);
    const answers = await Promise.all(
      ['r-race-a', 'r-race-b', 'r-race-c'].map(
        async (key) => (await ask(orderId, lines('race', 2), key)).status,
      ),
    );
    expect(answers.sort()).toEqual([202, 422, 422]);
    const view = (await orderView(orderId)) as unknown as { returns: { lines: { qty: number }[] }[] };
    expect(view.returns.flatMap((request) => request.lines).reduce((sum, line) => sum + line.qty, 0)).toBe(2);
  });

  it('refuses before anything was delivered, outside the window, and what may not come back', async () => {
    await stock('early', { S1: 2 });
    const early = await placeOrder([{ sku: sku('early'), qty: 1 }], world.pickupAt('S1'), channel.A);
    await shipmentIn(early, 'S1', 'PICKING');
    expect((await problem(ask(early, lines('early', 1), 'r-early'), 409)).code).toBe(
      'RETURNS.NOTHING_DELIVERED',
    );

    const closed = await collectedOrder('closed', 1);
    const policy = (body: unknown) =>
      api(`/skus/${sku('closed')}`, { method: 'PUT', key: world.cloud.keys.ops, body });
    await expectStatus(policy({ returnable: true, returnWindowDays: 0 }), 200);
    expect((await problem(ask(closed, lines('closed', 1), 'r-closed'), 422)).code).toBe(
      'RETURNS.WINDOW_CLOSED',
    );
    await expectStatus(policy({ returnable: false }), 200);
    expect((await problem(ask(closed, lines('closed', 1), 'r-final'), 422)).code).toBe(
      'RETURNS.NOT_RETURNABLE',
    );
    await expectStatus(policy({ returnable: true }), 200);
    await expectStatus(ask(closed, lines('closed', 1), 'r-closed-ok'), 202);
  });

  it("refuses a bad request naming the field, and another channel's order as if it did not exist", async () => {
    const orderId = await collectedOrder('guarded', 2);
    const courier = await problem(
      ask(orderId, { ...lines('guarded', 1), method: 'courier_pickup' }, 'r-bad'),
      422,
    );
    expect(courier.errors?.map((error) => error.field)).toEqual(['pickupAddress']);
    expect((await problem(ask(orderId, { ...lines('guarded', 1), lines: [] }, 'r-bad-2'), 422)).code).toBe(
      'REQUEST.VALIDATION_FAILED',
    );
    await problem(ask(orderId, lines('guarded', 1), 'r-other', channel.B.key), 404);
    // A drop-off store must be a store that takes returns (S2 says it does not; WH is a warehouse).
    await expectStatus(
      api(`/locations/${world.id('S2')}`, {
        method: 'PUT',
        key: world.cloud.keys.ops,
        body: {
          name: 'S2',
          type: 'store',
          lat: 51.52,
          lng: -0.13,
          fulfils: ['pickup'],
          acceptsReturns: false,
        },
      }),
      200,
    );
    for (const place of ['S2', 'WH'] as const) {
      const refused = await problem(
        ask(orderId, { ...lines('guarded', 1), storeId: world.id(place) }, `r-${place}`),
        422,
      );
      expect(refused.code).toBe('RETURNS.STORE_NOT_ACCEPTING');
    }
    expect(
      (await problem(ask(orderId, { ...lines('guarded', 1), storeId: 'NO-SUCH-STORE' }, 'r-none'), 422)).code,
    ).toBe('RETURNS.STORE_NOT_ACCEPTING');
    await problem(
      api(`/orders/${channelOrderIdOf(orderId)}/returns`, {
        method: 'POST',
        key: channel.A.key,
        body: lines('guarded', 1),
      }),
      400,
    );
    expect((await orderView(orderId)).status).toBe('COLLECTED');
  });
});
