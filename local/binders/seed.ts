import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { savePrincipal } from '../../functions/adapters/dynamodb/principals';
import { type DemoKeys, demoCarriers, demoLocations, demoStock, demoSuppliers } from '../demo-data';
import { tableName } from '../emulators/protocol/identity';

/** Saves the demo principals; seeds the demo world through the API, once per persisted world. */
export async function seedDemo(
  document: DynamoDBDocumentClient,
  keys: DemoKeys,
  options: {
    readonly api: string;
    readonly world: boolean;
    readonly persistDir?: string;
    readonly log: (line: string) => void;
  },
): Promise<void> {
  await seedPrincipals(document, keys);
  // A persisted world is seeded once: re-seeding would reset stock counts on every restart.
  const seededMarker = options.persistDir ? join(options.persistDir, 'demo-data-seeded') : undefined;
  if (options.world && !(seededMarker && existsSync(seededMarker))) {
    await seedDemoWorld(options.api, keys, options.log);
    if (seededMarker) writeFileSync(seededMarker, new Date().toISOString());
  }
}

async function seedPrincipals(document: DynamoDBDocumentClient, keys: DemoKeys): Promise<void> {
  const table = tableName('main');
  // A channel's scope is its channel id: its orders are keyed under it (functions/contracts/order-ids.ts).
  for (const [channelId, apiKey] of Object.entries(keys.channels)) {
    await savePrincipal(document, table, {
      apiKey,
      principalId: `channel:${channelId}`,
      role: 'channel',
      scope: channelId,
    });
  }
  await savePrincipal(document, table, {
    apiKey: keys.ops,
    principalId: 'ops:demo',
    role: 'ops',
    scope: '*',
  });
  for (const [locationId, apiKey] of Object.entries(keys.staff)) {
    await savePrincipal(document, table, {
      apiKey,
      principalId: `staff:${locationId}`,
      role: 'staff',
      scope: locationId,
    });
  }
  for (const [supplierId, apiKey] of Object.entries(keys.supplier)) {
    await savePrincipal(document, table, {
      apiKey,
      principalId: `supplier:${supplierId}`,
      role: 'supplier',
      scope: supplierId,
    });
  }
  for (const [carrierId, apiKey] of Object.entries(keys.courier)) {
    await savePrincipal(document, table, {
      apiKey,
      principalId: `courier:${carrierId}`,
      role: 'courier',
      scope: carrierId,
    });
  }
}

/** Seeds through the public HTTP API, so the demo data is validated exactly like a client's. */
async function seedDemoWorld(api: string, keys: DemoKeys, log: (line: string) => void): Promise<void> {
  const call = async (method: string, path: string, apiKey: string, body: unknown) => {
    const response = await fetch(`${api}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: JSON.stringify(body),
    });
    if (!response.ok)
      throw new Error(`seeding ${method} ${path} failed: ${response.status} ${await response.text()}`);
  };
  for (const [locationId, location] of Object.entries(demoLocations))
    await call('PUT', `/locations/${locationId}`, keys.ops, location);
  for (const [sku, byLocation] of Object.entries(demoStock)) {
    for (const [locationId, stock] of Object.entries(byLocation)) {
      await call('PUT', `/locations/${locationId}/stock/${sku}`, keys.ops, stock);
    }
  }
  for (const [supplierId, items] of Object.entries(demoSuppliers)) {
    await call('POST', `/suppliers/${supplierId}/stock`, keys.supplier[supplierId] as string, {
      feedSeq: Date.now(),
      items,
    });
  }
  log(
    `Seeded ${Object.keys(demoLocations).length} locations, ${Object.keys(demoStock).length} SKUs, ${Object.keys(demoSuppliers).length} suppliers, ${demoCarriers.length} carriers`,
  );
}
