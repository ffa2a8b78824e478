import { SFNClient } from '@aws-sdk/client-sfn';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { putCarrier } from '../../functions/adapters/dynamodb/carriers';
import { reserveOrder } from '../../functions/adapters/dynamodb/reservations';
import { getShipment } from '../../functions/adapters/dynamodb/shipments';
import { createShipments } from '../../functions/app/create-shipments';
import { runShipmentStep } from '../../functions/app/shipment-step';
import { handoverStep, packStep, pickStep } from '../../functions/app/staff-steps';
import type { TrackingEventType } from '../../functions/contracts/carriers';
import { applyTrackingEvent, handedOver, type TrackingEvent } from '../../functions/core/tracking';
import { localCredentials, localRegion } from '../../local/emulators/protocol/identity';
import { deliveryTo, now, placeOrder, seedStock, warehouse } from '../adapters/fixtures';
import { createTestTable, dynamodbEndpoint } from '../support/dynamodb';
import { apiClient, loadHandlers, setFunctionEnvironment } from './harness';

/**
 * 1,000 tracking webhooks for 50 shipments, shuffled and duplicated, through the real handler on DynamoDB
 * Local (docs/carriers.md): every one is answered 200, and every shipment ends exactly where the same events
 * in order of occurrence take it (core/tracking.ts), with its attempts counted once.
 */
const shipments = 50;
const total = 1_000;
let call: ReturnType<typeof apiClient>;
let table: { document: Awaited<ReturnType<typeof createTestTable>>['document']; tableName: string };
let secret = '';
const sfn = new SFNClient({
  endpoint: 'http://127.0.0.1:9',
  region: localRegion,
  credentials: localCredentials,
});

beforeAll(async () => {
  const created = await createTestTable();
  table = { document: created.document, tableName: created.tableName };
  setFunctionEnvironment({ tableName: table.tableName, dynamodbEndpoint: dynamodbEndpoint() });
  call = apiClient(await loadHandlers());
  await seedStock(table, { 'WH-SHUF': { location: warehouse, skus: { 'SHUF-TEE': { onHand: shipments } } } });
  const carrier = {
    name: 'Shuffle',
    services: ['parcel' as const],
    apiUrl: 'https://shuffle.example',
    priority: 1,
  };
  const registered = await putCarrier(table, 'CR-SHUF', carrier, now);
  if (registered.kind === 'created') secret = registered.signingSecret;
}, 120_000);

async function handedToCarrier(orderId: string): Promise<string> {
  await placeOrder(table, orderId, {
    customerId: 'c',
    fulfilment: { type: 'delivery', address: deliveryTo },
    lines: [{ sku: 'SHUF-TEE', qty: 1 }],
  });
  await reserveOrder(table, { orderId, step: 'ReserveStock', actor: 'test', now, holdMinutes: 30 });
  const shipmentId =
    (await createShipments(table, { orderId, actor: 'test', now })).shipments[0]?.shipmentId ?? '';
  const staff = { shipmentId, actor: 'staff:test', scope: '*', now: new Date() };
  await runShipmentStep({ table, sfn }, pickStep(table, { lines: [{ sku: 'SHUF-TEE', qty: 1 }] }), staff);
  await runShipmentStep({ table, sfn }, packStep(table, { parcels: [{ weightGrams: 100 }] }), staff);
  await runShipmentStep({ table, sfn }, handoverStep(table, { carrier: 'CR-SHUF' }), staff);
  return shipmentId;
}

/** A journey in order of occurrence: picked up, out, some failed attempts, then delivered or returned. */
function journey(shipmentId: string, index: number): (TrackingEvent & { shipmentId: string })[] {
  const failures = index % 3;
  const types: TrackingEventType[] = [
    'picked_up',
    'out_for_delivery',
    ...Array.from({ length: failures }, () => 'delivery_failed' as const),
    index % 5 === 0 ? 'returned_to_sender' : 'delivered',
  ];
  return types.map((type, step) => ({
    shipmentId,
    id: `msg_${shipmentId}_${step}`,
    type,
    at: new Date(Date.UTC(2026, 0, 12, 10, step)).toISOString(),
  }));
}

/** Sends `items` with at most `limit` in flight. */
async function inFlight<T, R>(
  items: readonly T[],
  limit: number,
  send: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await send(items[index] as T);
      }
    }),
  );
  return results;
}

describe('tracking webhooks out of order', () => {
  it('1,000 shuffled and duplicated events for 50 shipments end where the ordered stream ends', async () => {
    const ids = [];
    for (let index = 0; index < shipments; index++) ids.push(await handedToCarrier(`shuf.o-${index}`));
    const ordered = ids.flatMap((shipmentId, index) => journey(shipmentId, index));
    // Every event at least once, the rest duplicates, all shuffled (a fixed seed: the run can be replayed).
    const extra = fc.sample(fc.constantFrom(...ordered), { seed: 1201, numRuns: total - ordered.length });
    const stream = fc.sample(fc.shuffledSubarray([...ordered, ...extra], { minLength: total }), {
      seed: 1202,
      numRuns: 1,
    })[0] as typeof ordered;
    expect(stream).toHaveLength(total);

    const webhook = new Webhook(secret);
    const statuses = await inFlight(stream, 4, async ({ id, shipmentId, type, at }) => {
      const body = JSON.stringify({
        shipmentId,
        type,
        at,
        ...(type === 'delivered' ? { proof: { kind: 'pin', ref: '1234' } } : {}),
      });
      const sentAt = new Date();
      const response = await call('POST', '/couriers/CR-SHUF/events', {
        body,
        headers: {
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
          'webhook-signature': webhook.sign(id, sentAt, body),
        },
      });
      return response.status;
    });
    expect(new Set(statuses)).toEqual(new Set([200]));

    for (const [index, shipmentId] of ids.entries()) {
      const expected = journey(shipmentId, index).reduce(applyTrackingEvent, handedOver);
      const shipment = await getShipment(table, shipmentId);
      expect({ shipmentId, tracking: shipment?.tracking }).toEqual({
        shipmentId,
        tracking: { ...expected, events: expected.events.map(({ id, type, at }) => ({ id, type, at })) },
      });
      const statusFor = { DELIVERED: 'DELIVERED', RETURNING: 'RETURNING' } as Record<string, string>;
      expect(shipment?.status).toBe(statusFor[expected.status] ?? 'HANDED_OVER');
    }
  }, 180_000);
});
