import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchWorld, type Place } from '../support/dispatch-world';
import { channelOrderIdOf } from '../support/e2e-http';
import { deliveryTo } from '../support/fixtures';

/**
 * The returns workflow end to end over HTTP (issue 13, docs/returns.md): a return brought to any store, its
 * units inspected one by one, put back on sale there (backorders first) or counted as damaged, the refund the
 * policy gives asked of the channel (refund.requested, through the demo receiver), answered, retried after a
 * failure, and the return closed. Exact stock, damaged figures and amounts after every step. The drop-off
 * window is 10 s here (14 days deployed), so a return nobody brings expires within the suite.
 */
const dropOffSeconds = 10;
const world = dispatchWorld(({ id, channelIds, carrierSuffix }) => ({
  // The sandbox couriers collect returns for S1 only (other suites share the table and its carriers).
  carrierSandbox: { tickMs: 150, origins: [id('S1')], idSuffix: carrierSuffix },
  channelReceiver: { channels: channelIds },
  streamTriggers: true,
  environmentOverrides: { requestReturn: { RETURN_DROP_OFF_SECONDS: String(dropOffSeconds) } },
}));
const { http, sku, stock, shipmentIn, pickAll, pack, channel, staffKey, id } = world;
const { placeOrder, orderIn, expectStatus, api, waitFor } = http;

interface ReturnView {
  returnId: string;
  orderId: string;
  status: string;
  inspected?: { sku: string; resellable: number; damaged: number; missing: number }[];
  refund?: { amount?: number; currency?: string; status: string; reference?: string; lines: unknown[] };
  replacementOrderId?: string;
  timeline: { status: string; actor: string; step: string }[];
}

beforeAll(async () => {
  await world.start();
}, 120_000);

afterAll(async () => {
  await world.stop();
});

/** A click-and-collect order at S1 through channel A, priced in GBP, collected. */
const collectedOrder = (lines: { sku: string; qty: number; unitPrice: number }[]) =>
  world.collectedOrder(lines, { channel: channel.A, extra: { currency: 'GBP' } });

let keyCount = 0;
/** Channel A asks to return; answers the system-wide return id. */
async function askReturn(orderId: string, body: Record<string, unknown>) {
  const accepted = (await expectStatus(
    api(`/orders/${channelOrderIdOf(orderId)}/returns`, {
      method: 'POST',
      key: channel.A.key,
      body: { method: 'store_dropoff', ...body },
      headers: { 'idempotency-key': `ret-${++keyCount}` },
    }),
    202,
  )) as { returnId: string };
  return `${orderId}-r${accepted.returnId.split('-r').at(-1)}`;
}

const readReturn = async (returnId: string) =>
  (await expectStatus(api(`/returns/${returnId}`, { key: world.cloud.keys.ops }), 200)) as ReturnView;
const returnIn = (returnId: string, status: string) =>
  waitFor(async () => {
    const current = await readReturn(returnId);
    return current.status === status ? current : undefined;
  });
const receive = (returnId: string, place: Place, lines: unknown[], key = staffKey[place]) =>
  api(`/returns/${returnId}/received`, { method: 'POST', key, body: { locationId: id(place), lines } });
/** The channel's name of a return: its own order id, then the number. */
const shownId = (returnId: string) => returnId.slice(returnId.indexOf('.') + 1);
const answerRefund = (returnId: string, body: unknown, key = channel.A.key) =>
  api(`/returns/${shownId(returnId)}/refund`, { method: 'POST', key, body });

/** onHand / reserved / available / damaged at a place, exactly. */
async function expectFigures(name: string, place: Place, figures: [number, number, number, number]) {
  const at = (await http.inventory(sku(name))).locations.find((entry) => entry.locationId === id(place)) as
    | { onHand: number; reserved: number; available: number; damaged: number }
    | undefined;
  expect([at?.onHand, at?.reserved, at?.available, at?.damaged]).toEqual(figures);
}

/** The refund.requested events channel A's receiver verified for a return. */
const refundRequests = async (returnId: string, count: number) =>
  waitFor(async () => {
    const events = (await (
      await fetch(`${world.cloud.endpoints.channelReceiver}/${channel.A.id}/events`)
    ).json()) as {
      type: string;
      verified: boolean;
      data: { returnId?: string; amount?: number; attempt?: number };
    }[];
    const mine = events.filter(
      (event) => event.type === 'refund.requested' && event.data.returnId === shownId(returnId),
    );
    return mine.length >= count ? mine : undefined;
  });

let expiring: { orderId: string; returnId: string; requestedAt: number };

describe('the returns workflow', () => {
  it('starts a return nobody brings back (checked at the end: it expires)', async () => {
    await stock('expire', { S1: 1 });
    const orderId = await collectedOrder([{ sku: sku('expire'), qty: 1, unitPrice: 500 }]);
    const returnId = await askReturn(orderId, { lines: [{ sku: sku('expire'), qty: 1, reason: 'other' }] });
    expiring = { orderId, returnId, requestedAt: Date.now() };
    expect((await readReturn(returnId)).status).toBe('REQUESTED');
  });

  it('a store that never stocked the SKU takes 1 resellable and 1 damaged unit back; refund of exactly 1 × price', async () => {
    await stock('shirt', { S1: 3 });
    const orderId = await collectedOrder([{ sku: sku('shirt'), qty: 3, unitPrice: 1999 }]);
    const returnId = await askReturn(orderId, {
      lines: [{ sku: sku('shirt'), qty: 2, reason: 'no_longer_needed' }],
      storeId: id('S2'),
    });
    // S2 expects it: an inspect task until it is received.
    const tasks = (await expectStatus(api(`/locations/${id('S2')}/tasks`, { key: staffKey.S2 }), 200)) as {
      items: { kind: string; returnId?: string }[];
    };
    expect(tasks.items).toContainEqual(expect.objectContaining({ kind: 'inspect', returnId }));
    const units = [
      { sku: sku('shirt'), qty: 1, condition: 'resellable' },
      { sku: sku('shirt'), qty: 1, condition: 'damaged' },
    ];
    // Staff receive at their own location only; every unit must be accounted for; another channel sees nothing.
    await expectStatus(receive(returnId, 'S2', units, staffKey.S1), 403);
    const short = (await expectStatus(receive(returnId, 'S2', units.slice(0, 1)), 422)) as { code: string };
    expect(short.code).toBe('RETURNS.RECEIPT_MISMATCH');
    await expectStatus(answerRefund(returnId, { status: 'succeeded', reference: 'x' }, channel.B.key), 404);
    const received = (await expectStatus(receive(returnId, 'S2', units), 200)) as ReturnView;
    expect(received.status).toBe('RECEIVED');
    // The same receipt again is a repeat; the task is done.
    await expectStatus(receive(returnId, 'S2', units), 200);
    const pending = await returnIn(returnId, 'REFUND_PENDING');
    expect(pending.refund).toEqual({
      amount: 1999,
      currency: 'GBP',
      status: 'requested',
      lines: [{ sku: sku('shirt'), qty: 1, amount: 1999 }],
    });
    await expectFigures('shirt', 'S2', [1, 0, 1, 1]);
    await expectFigures('shirt', 'S1', [0, 0, 0, 0]);
    const after = (await expectStatus(api(`/locations/${id('S2')}/tasks`, { key: staffKey.S2 }), 200)) as {
      items: { returnId?: string }[];
    };
    expect(after.items.map((task) => task.returnId)).not.toContain(returnId);
    const [event] = await refundRequests(returnId, 1);
    expect(event).toMatchObject({ verified: true, data: { amount: 1999, attempt: 1 } });
    // The channel refunds: REFUNDED, then CLOSED, and the order is partly returned.
    await expectStatus(answerRefund(returnId, { status: 'succeeded', reference: 'pay_1' }), 200);
    const closed = await returnIn(returnId, 'CLOSED');
    expect(closed.refund).toMatchObject({ status: 'succeeded', reference: 'pay_1', amount: 1999 });
    expect(closed.timeline.map((entry) => entry.status)).toEqual([
      'REQUESTED',
      'RECEIVED',
      'REFUND_PENDING',
      'REFUNDED',
      'CLOSED',
    ]);
    await orderIn(orderId, 'PARTIALLY_RETURNED');
    // A cycle count at S2 leaves the damaged unit alone; a write-off clears it, once per key.
    await expectStatus(
      api(`/locations/${id('S2')}/stock/${sku('shirt')}`, {
        method: 'PUT',
        key: world.cloud.keys.ops,
        body: { onHand: 1, safetyStock: 0 },
      }),
      200,
    );
    await expectFigures('shirt', 'S2', [1, 0, 1, 1]);
    const writeOff = (key: string) =>
      api(`/locations/${id('S2')}/damaged/${sku('shirt')}/write-off`, {
        method: 'POST',
        key: staffKey.S2,
        headers: { 'idempotency-key': key },
        body: { qty: 1, reason: 'torn seam' },
      });
    expect(await expectStatus(writeOff('wo-1'), 200)).toEqual({
      locationId: id('S2'),
      sku: sku('shirt'),
      writtenOff: 1,
      damaged: 0,
    });
    await expectStatus(writeOff('wo-1'), 200);
    expect(((await expectStatus(writeOff('wo-2'), 422)) as { code: string }).code).toBe(
      'INVENTORY.DAMAGED_BELOW_WRITE_OFF',
    );
    await expectFigures('shirt', 'S2', [1, 0, 1, 0]);
    // The returns KPI: 3 collected, 2 asked back for no longer being needed (other suites count other SKUs).
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const kpis = (await expectStatus(
      api(`/ops/kpis/returns?from=${yesterday}&to=${today}`, { key: world.cloud.keys.ops }),
      200,
    )) as { bySku: { sku: string }[]; byReason: Record<string, number> };
    expect(kpis.bySku.find((entry) => entry.sku === sku('shirt'))).toEqual({
      sku: sku('shirt'),
      delivered: 3,
      returned: 2,
      returnRate: 0.6667,
      byReason: { no_longer_needed: 2 },
    });
    expect(kpis.byReason.no_longer_needed).toBeGreaterThanOrEqual(2);
    await expectStatus(
      api(`/ops/kpis/returns?from=${today}&to=${yesterday}`, { key: world.cloud.keys.ops }),
      400,
    );
  });

  it('a refund the channel reports failed needs attention; ops retry; then it is refunded', async () => {
    await stock('lamp', { S1: 1 });
    const orderId = await collectedOrder([{ sku: sku('lamp'), qty: 1, unitPrice: 4500 }]);
    const returnId = await askReturn(orderId, { lines: [{ sku: sku('lamp'), qty: 1, reason: 'damaged' }] });
    await expectStatus(receive(returnId, 'S1', [{ sku: sku('lamp'), qty: 1, condition: 'damaged' }]), 200);
    // Damaged, but the seller's fault: refunded in full; the unit is not on sale.
    await returnIn(returnId, 'REFUND_PENDING');
    await expectFigures('lamp', 'S1', [0, 0, 0, 1]);
    await expectStatus(answerRefund(returnId, { status: 'failed', reference: 'card_expired' }), 200);
    await waitFor(async () => ((await readReturn(returnId)).refund?.status === 'failed' ? true : undefined));
    // Ops see it among the returns needing attention (and not before, nor once retried).
    const attention = async () =>
      (
        (await expectStatus(
          api('/ops/returns?attention=true&limit=100', { key: world.cloud.keys.ops }),
          200,
        )) as {
          items: { returnId: string }[];
        }
      ).items.map((item) => item.returnId);
    expect(await attention()).toContain(returnId);
    // The same answer again is a repeat.
    await expectStatus(answerRefund(returnId, { status: 'failed', reference: 'card_expired' }), 200);
    await expectStatus(
      api(`/ops/returns/${returnId}/retry-refund`, { method: 'POST', key: channel.A.key }),
      403,
    );
    await expectStatus(
      api(`/ops/returns/${returnId}/retry-refund`, { method: 'POST', key: world.cloud.keys.ops }),
      200,
    );
    expect(await attention()).not.toContain(returnId);
    const requests = await refundRequests(returnId, 2);
    expect(requests.map((event) => event.data.attempt)).toEqual([1, 2]);
    await expectStatus(answerRefund(returnId, { status: 'succeeded', reference: 'pay_2' }), 200);
    const closed = await returnIn(returnId, 'CLOSED');
    expect(closed.refund).toMatchObject({ status: 'succeeded', amount: 4500, reference: 'pay_2' });
    await orderIn(orderId, 'RETURNED');
    const closedList = (await expectStatus(
      api('/ops/returns?status=CLOSED&limit=100', { key: world.cloud.keys.ops }),
      200,
    )) as { items: { returnId: string; status: string }[] };
    expect(closedList.items).toContainEqual(expect.objectContaining({ returnId, status: 'CLOSED' }));
    await expectStatus(api('/ops/returns', { key: world.cloud.keys.ops }), 400);
  });

  it('a resellable return satisfies a waiting backorder first', async () => {
    await stock('kettle', { S1: 1 });
    const returned = await collectedOrder([{ sku: sku('kettle'), qty: 1, unitPrice: 2500 }]);
    // Nothing left anywhere; the supplier is asked but does not answer: the next order waits.
    await world.supply('kettle', 10);
    const waiting = await placeOrder([{ sku: sku('kettle'), qty: 1 }], world.pickupAt('S2'), channel.B);
    await orderIn(waiting, 'BACKORDERED');
    const returnId = await askReturn(returned, {
      lines: [{ sku: sku('kettle'), qty: 1, reason: 'no_longer_needed' }],
    });
    await expectStatus(
      receive(returnId, 'S2', [{ sku: sku('kettle'), qty: 1, condition: 'resellable' }]),
      200,
    );
    await returnIn(returnId, 'REFUND_PENDING');
    // The unit went to the backorder (held at S2 for it), not on sale.
    await shipmentIn(waiting, 'S2', 'PICKING');
    await expectFigures('kettle', 'S2', [1, 1, 0, 0]);
  });

  it('an exchange: one replacement order, reserved and packed; the refund nets out its price', async () => {
    await stock('mug', { S1: 2 });
    await stock('mug-small', { S1: 3 });
    const orderId = await collectedOrder([{ sku: sku('mug'), qty: 2, unitPrice: 1000 }]);
    const returnId = await askReturn(orderId, {
      lines: [{ sku: sku('mug'), qty: 1, reason: 'wrong_item' }],
      exchange: [{ sku: sku('mug-small'), qty: 1, unitPrice: 400 }],
    });
    await expectStatus(receive(returnId, 'S1', [{ sku: sku('mug'), qty: 1, condition: 'resellable' }]), 200);
    const pending = await returnIn(returnId, 'REFUND_PENDING');
    expect(pending.refund?.amount).toBe(600);
    const replacement = pending.replacementOrderId as string;
    expect(replacement).toBe(`${orderId}-x1`);
    await pickAll('S1', await shipmentIn(replacement, 'S1', 'PICKING'));
    await pack('S1', await shipmentIn(replacement, 'S1', 'PACKING'));
    await orderIn(replacement, 'READY_FOR_PICKUP');
    // The returned mug is back on sale at S1; one small mug is held for the replacement.
    await expectFigures('mug', 'S1', [1, 0, 1, 0]);
    await expectFigures('mug-small', 'S1', [2, 0, 2, 0]);
  });

  it('a courier pickup: booked with a sandbox carrier, collected, brought to S1, received there, refunded', async () => {
    await stock('chair', { S1: 1 });
    const orderId = await collectedOrder([{ sku: sku('chair'), qty: 1, unitPrice: 8900 }]);
    const pickupAddress = { ...deliveryTo, lat: 51.515, lng: -0.11 };
    const returnId = await askReturn(orderId, {
      lines: [{ sku: sku('chair'), qty: 1, reason: 'not_as_described' }],
      method: 'courier_pickup',
      pickupAddress,
      storeId: id('S1'),
    });
    // The sandbox courier picks it up and delivers it to S1 by itself: S1 then has an inspect task.
    await returnIn(returnId, 'IN_TRANSIT');
    await waitFor(async () => {
      const tasks = (await expectStatus(api(`/locations/${id('S1')}/tasks`, { key: staffKey.S1 }), 200)) as {
        items: { kind: string; returnId?: string }[];
      };
      return tasks.items.some((task) => task.kind === 'inspect' && task.returnId === returnId)
        ? true
        : undefined;
    });
    const carried = (await readReturn(returnId)) as ReturnView & {
      timeline: { step: string; actor: string }[];
    };
    expect(carried.timeline.map((entry) => entry.step)).toEqual(
      expect.arrayContaining(['BookPickup', 'Courier.picked_up', 'Courier.delivered']),
    );
    await expectStatus(
      receive(returnId, 'S1', [{ sku: sku('chair'), qty: 1, condition: 'resellable' }]),
      200,
    );
    expect((await returnIn(returnId, 'REFUND_PENDING')).refund?.amount).toBe(8900);
    await expectFigures('chair', 'S1', [1, 0, 1, 0]);
  });

  it('the return nobody brought back expired at its deadline, and its units may be asked back again', async () => {
    const wait = expiring.requestedAt + dropOffSeconds * 1000 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const expired = await returnIn(expiring.returnId, 'EXPIRED');
    expect(expired.timeline.at(-1)).toMatchObject({ status: 'EXPIRED', actor: 'workflow:returns' });
    await orderIn(expiring.orderId, 'COLLECTED');
    await askReturn(expiring.orderId, { lines: [{ sku: sku('expire'), qty: 1, reason: 'other' }] });
  });
});
