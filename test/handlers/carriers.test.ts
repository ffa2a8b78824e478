import { Webhook } from 'standardwebhooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { validSigningSecrets } from '../../functions/adapters/dynamodb/carriers';
import { savePrincipal } from '../../functions/adapters/dynamodb/principals';
import { signingSecretPattern } from '../../functions/contracts/carriers';
import { createTestTable, dynamodbEndpoint } from '../support/dynamodb';
import { apiClient, loadHandlers, setFunctionEnvironment } from './harness';

/** The carrier registry through the real middy stack on DynamoDB Local (docs/carriers.md). */
const keys = { ops: 'key-ops-carriers', channel: 'key-channel-carriers' };
let call: ReturnType<typeof apiClient>;
let table: { document: Awaited<ReturnType<typeof createTestTable>>['document']; tableName: string };

beforeAll(async () => {
  const created = await createTestTable();
  table = { document: created.document, tableName: created.tableName };
  setFunctionEnvironment({ tableName: table.tableName, dynamodbEndpoint: dynamodbEndpoint() });
  call = apiClient(await loadHandlers());
  await savePrincipal(table.document, table.tableName, {
    apiKey: keys.ops,
    principalId: 'ops:carol',
    role: 'ops',
    scope: '*',
  });
  await savePrincipal(table.document, table.tableName, {
    apiKey: keys.channel,
    principalId: 'channel:web',
    role: 'channel',
    scope: 'web',
  });
});

const speedy = {
  name: 'Speedy Parcels',
  services: ['parcel'],
  apiUrl: 'https://api.speedy.example/v1',
  priority: 1,
};

describe('carriers', () => {
  it('creates a carrier with a signing secret shown once, updates it without one, and lists it', async () => {
    const created = await call('PUT', '/carriers/CR-SPEEDY', { apiKey: keys.ops, body: speedy });
    expect(created.status).toBe(200);
    const secret = (created.json as { signingSecret: string }).signingSecret;
    expect(secret).toMatch(signingSecretPattern);
    // A Standard Webhooks library accepts it as a secret, and what it signs verifies.
    const webhook = new Webhook(secret);
    const payload = JSON.stringify({ shipmentId: 's-1', type: 'picked_up' });
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)) };
    const signature = webhook.sign(headers['webhook-id'], new Date(), payload);
    expect(webhook.verify(payload, { ...headers, 'webhook-signature': signature })).toBeTruthy();

    const updated = await call('PUT', '/carriers/CR-SPEEDY', {
      apiKey: keys.ops,
      body: { ...speedy, priority: 5, maxDistanceKm: 40 },
    });
    expect(updated.json).toMatchObject({ carrierId: 'CR-SPEEDY', priority: 5, maxDistanceKm: 40 });
    expect(updated.json).not.toHaveProperty('signingSecret');
    const listed = await call('GET', '/carriers', { apiKey: keys.ops });
    expect((listed.json as { items: unknown[] }).items).toEqual([
      expect.objectContaining({ carrierId: 'CR-SPEEDY', name: 'Speedy Parcels', priority: 5 }),
    ]);
    expect(JSON.stringify(listed.json)).not.toContain('whsec_');
    expect(await validSigningSecrets(table, 'CR-SPEEDY', new Date())).toEqual([secret]);
  });

  it('rotates the secret: the old one verifies through the grace period, then only the new one', async () => {
    const created = await call('PUT', '/carriers/CR-BIKES', {
      apiKey: keys.ops,
      body: { ...speedy, name: 'Bike Couriers', services: ['same_day'] },
    });
    const first = (created.json as { signingSecret: string }).signingSecret;
    await new Promise((resolve) => setTimeout(resolve, 5));
    const rotated = await call('POST', '/carriers/CR-BIKES/rotate-secret', {
      apiKey: keys.ops,
      body: { graceHours: 2 },
    });
    expect(rotated.status).toBe(200);
    const { signingSecret, previousValidUntil } = rotated.json as {
      signingSecret: string;
      previousValidUntil: string;
    };
    expect(signingSecret).toMatch(signingSecretPattern);
    expect(signingSecret).not.toBe(first);
    expect(await validSigningSecrets(table, 'CR-BIKES', new Date())).toEqual([signingSecret, first]);
    const afterGrace = new Date(Date.parse(previousValidUntil) + 1);
    expect(await validSigningSecrets(table, 'CR-BIKES', afterGrace)).toEqual([signingSecret]);
  });

  it('refuses bad bodies, unknown carriers and callers who are not ops, writing nothing', async () => {
    const refusals = [
      [await call('PUT', '/carriers/CR-BAD', { apiKey: keys.ops, body: { ...speedy, services: [] } }), 422],
      [
        await call('PUT', '/carriers/CR-BAD', { apiKey: keys.ops, body: { ...speedy, apiUrl: 'ftp://x' } }),
        422,
      ],
      [
        await call('PUT', '/carriers/CR-BAD', { apiKey: keys.ops, body: { ...speedy, secret: 'whsec_x' } }),
        422,
      ],
      [await call('PUT', '/carriers/CR-BAD', { apiKey: keys.channel, body: speedy }), 403],
      [await call('POST', '/carriers/CR-NONE/rotate-secret', { apiKey: keys.ops }), 404],
      [await call('GET', '/carriers', { apiKey: keys.channel }), 403],
    ] as const;
    expect(refusals.map(([response]) => response.status)).toEqual(refusals.map(([, status]) => status));
    const listed = await call('GET', '/carriers', { apiKey: keys.ops });
    expect((listed.json as { items: { carrierId: string }[] }).items.map((c) => c.carrierId)).not.toContain(
      'CR-BAD',
    );
  });
});
