import { randomUUID } from 'node:crypto';
import { SFNClient } from '@aws-sdk/client-sfn';
import { Webhook } from 'standardwebhooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { putCarrier } from '../../functions/adapters/dynamodb/carriers';
import { loadOrderPartition } from '../../functions/adapters/dynamodb/orders';
import { reserveOrder } from '../../functions/adapters/dynamodb/reservations';
import { getShipment } from '../../functions/adapters/dynamodb/shipments';
import { getStock } from '../../functions/adapters/dynamodb/stock';
import { returnedStep } from '../../functions/app/counter-steps';
import { createShipments } from '../../functions/app/create-shipments';
import { runShipmentStep } from '../../functions/app/shipment-step';
import { handoverStep, packStep, pickStep } from '../../functions/app/staff-steps';
import { localCredentials, localRegion } from '../../local/emulators/protocol/identity';
import { deliveryTo, now, placeOrder, seedStock, warehouse } from '../adapters/fixtures';
import { createTestTable, dynamodbEndpoint } from '../support/dynamodb';
import { apiClient, loadHandlers, setFunctionEnvironment } from './harness';

/**
 * Carrier tracking webhooks through the real middy stack on DynamoDB Local (docs/carriers.md): Standard
 * Webhooks signatures verified before anything is read, replays as no-ops, only the booked carrier heard,
 * proof required for a delivery, and the order delivered once its shipment is.
 */
let call: ReturnType<typeof apiClient>;
let table: { document: Awaited<ReturnType<typeof createTestTable>>['document']; tableName: string };
const secrets: Record<string, string> = {};
const carrier = {
  name: 'Hook Parcels',
  services: ['parcel'] as ('parcel' | 'same_day')[],
  apiUrl: 'https://hook.example',
  priority: 1,
};

beforeAll(async () => {
  const created = await createTestTable();
  table = { document: created.document, tableName: created.tableName };
  setFunctionEnvironment({ tableName: table.tableName, dynamodbEndpoint: dynamodbEndpoint() });
  call = apiClient(await loadHandlers());
  await seedStock(table, { 'WH-HOOK': { location: warehouse, skus: { 'HOOK-TEE': { onHand: 20 } } } });
  for (const carrierId of ['CR-HOOK', 'CR-OTHER']) {
    const result = await putCarrier(table, carrierId, carrier, now);
    if (result.kind === 'created') secrets[carrierId] = result.signingSecret;
  }
});

/** No workflow runs here, so no token is parked and Step Functions is never called. */
const sfn = new SFNClient({
  endpoint: 'http://127.0.0.1:9',
  region: localRegion,
  credentials: localCredentials,
});

/** An order whose delivery shipment the warehouse picked, packed and handed to CR-HOOK. */
async function handedToCarrier(orderId: string): Promise<string> {
  await placeOrder(table, orderId, {
    customerId: 'c',
    fulfilment: { type: 'delivery', address: deliveryTo },
    lines: [{ sku: 'HOOK-TEE', qty: 1 }],
  });
  await reserveOrder(table, { orderId, step: 'ReserveStock', actor: 'test', now, holdMinutes: 30 });
  const shipmentId =
    (await createShipments(table, { orderId, actor: 'test', now })).shipments[0]?.shipmentId ?? '';
  const staff = { shipmentId, actor: 'staff:test', scope: '*', now: new Date() };
  const deps = { table, sfn };
  await runShipmentStep(deps, pickStep(table, { lines: [{ sku: 'HOOK-TEE', qty: 1 }] }), staff);
  await runShipmentStep(deps, packStep(table, { parcels: [{ weightGrams: 300 }] }), staff);
  await runShipmentStep(deps, handoverStep(table, { carrier: 'CR-HOOK' }), staff);
  return shipmentId;
}

/** A webhook as the carrier signs it; `tamper` changes the body after signing. */
function signed(
  carrierId: string,
  body: unknown,
  options: { id?: string; at?: Date; secret?: string; tamper?: string } = {},
) {
  const id = options.id ?? `msg_${randomUUID()}`;
  const at = options.at ?? new Date();
  const payload = JSON.stringify(body);
  const signature = new Webhook(options.secret ?? secrets[carrierId] ?? '').sign(id, at, payload);
  return {
    body: options.tamper ?? payload,
    headers: {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signature,
    },
  };
}

const post = (carrierId: string, request: ReturnType<typeof signed>) =>
  call('POST', `/couriers/${carrierId}/events`, request);

describe('carrier tracking webhooks', () => {
  it('move the shipment along and deliver the order with its proof; a replay changes nothing', async () => {
    const shipmentId = await handedToCarrier('hook.o-1');
    const event = (type: string, extra: object = {}) => ({
      shipmentId,
      type,
      at: new Date().toISOString(),
      ...extra,
    });
    expect((await post('CR-HOOK', signed('CR-HOOK', event('out_for_delivery')))).json).toEqual({
      shipmentId,
      status: 'HANDED_OVER',
      replay: false,
    });
    // A delivery without proof is refused and writes nothing.
    const before = await getShipment(table, shipmentId);
    expect((await post('CR-HOOK', signed('CR-HOOK', event('delivered')))).status).toBe(422);
    expect(await getShipment(table, shipmentId)).toEqual(before);
    const delivered = signed('CR-HOOK', event('delivered', { proof: { kind: 'signature', ref: 'sig-123' } }));
    expect((await post('CR-HOOK', delivered)).json).toMatchObject({ status: 'DELIVERED', replay: false });
    expect((await post('CR-HOOK', delivered)).json).toMatchObject({ status: 'DELIVERED', replay: true });
    // A late event is kept, the status stays.
    const late = signed('CR-HOOK', event('out_for_delivery'));
    expect((await post('CR-HOOK', late)).json).toMatchObject({ status: 'DELIVERED', replay: false });
    const { order, shipments } = await loadOrderPartition(table, 'hook.o-1');
    expect(order?.status).toBe('DELIVERED');
    expect(shipments[0]).toMatchObject({
      status: 'DELIVERED',
      proof: { kind: 'signature', ref: 'sig-123' },
      tracking: { status: 'DELIVERED', attempts: 0 },
    });
    expect(shipments[0]?.tracking?.events).toHaveLength(3);
  });

  it('two failed attempts and a return to sender: staff receive it back, stock returns, DELIVERY_FAILED', async () => {
    const shipmentId = await handedToCarrier('hook.o-4');
    const before = await getStock(table, 'HOOK-TEE', 'WH-HOOK');
    const event = (type: string) => ({ shipmentId, type, at: new Date().toISOString() });
    for (const type of ['out_for_delivery', 'delivery_failed', 'delivery_failed', 'returned_to_sender'])
      expect((await post('CR-HOOK', signed('CR-HOOK', event(type)))).status).toBe(200);
    expect(await getShipment(table, shipmentId)).toMatchObject({
      status: 'RETURNING',
      tracking: { status: 'RETURNING', attempts: 2 },
    });
    const staff = { shipmentId, actor: 'staff:test', scope: 'WH-HOOK', now: new Date() };
    for (let time = 0; time < 2; time++)
      expect(await runShipmentStep({ table, sfn }, returnedStep(table), staff)).toMatchObject({
        kind: 'done',
        shipment: { status: 'RETURNED' },
      });
    expect(await getStock(table, 'HOOK-TEE', 'WH-HOOK')).toMatchObject({
      onHand: (before?.onHand ?? 0) + 1,
      available: (before?.available ?? 0) + 1,
    });
    expect((await loadOrderPartition(table, 'hook.o-4')).order?.status).toBe('DELIVERY_FAILED');
  });

  it('refuses bad signatures, stale timestamps, tampered bodies and other carriers, writing nothing', async () => {
    const shipmentId = await handedToCarrier('hook.o-2');
    const event = { shipmentId, type: 'out_for_delivery', at: new Date().toISOString() };
    const before = await getShipment(table, shipmentId);
    const refusals = [
      [await post('CR-HOOK', signed('CR-HOOK', event, { secret: secrets['CR-OTHER'] })), 401],
      [await post('CR-HOOK', signed('CR-HOOK', event, { at: new Date(Date.now() - 6 * 60_000) })), 401],
      [
        await post(
          'CR-HOOK',
          signed('CR-HOOK', event, { tamper: JSON.stringify({ ...event, type: 'delivered' }) }),
        ),
        401,
      ],
      [await post('CR-HOOK', { body: JSON.stringify(event), headers: {} as never }), 401],
      [await post('CR-NONE', signed('CR-HOOK', event)), 401],
      // Signed correctly by a carrier the shipment was not handed to.
      [await post('CR-OTHER', signed('CR-OTHER', event)), 403],
      [await post('CR-OTHER', signed('CR-OTHER', { ...event, shipmentId: 'hook.none-0-0' })), 403],
    ] as const;
    expect(refusals.map(([response]) => response.status)).toEqual(refusals.map(([, status]) => status));
    expect(await getShipment(table, shipmentId)).toEqual(before);
  });

  it('validates a signed body once the signature holds: malformed JSON 400, a bad field 422', async () => {
    const shipmentId = await handedToCarrier('hook.o-3');
    const badJson = signed('CR-HOOK', {});
    const malformed = await post('CR-HOOK', { ...signed('CR-HOOK', 'x'), body: '"x"' });
    expect(malformed.status).toBe(422);
    const notJson = new Webhook(secrets['CR-HOOK'] ?? '').sign(
      badJson.headers['webhook-id'],
      new Date(),
      '{oops',
    );
    expect(
      (
        await post('CR-HOOK', {
          body: '{oops',
          headers: { ...badJson.headers, 'webhook-signature': notJson },
        })
      ).status,
    ).toBe(400);
    const badType = signed('CR-HOOK', { shipmentId, type: 'teleported', at: new Date().toISOString() });
    expect((await post('CR-HOOK', badType)).json).toMatchObject({ status: 422 });
  });
});
