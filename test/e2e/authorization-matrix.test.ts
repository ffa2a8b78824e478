import { randomBytes } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCloud } from '../../local/cloud';
import { localCredentials, localRegion } from '../../local/emulators/protocol/identity';
import { e2eHttp, startE2eCloud } from '../support/e2e-http';
import { routeSamples, sampleOrderNamed, taggedIds, taggedKey } from '../support/route-samples';
import { seedSampleWorld, sendSample, servedRoutes } from '../support/sample-world';
import { snapshotDifference, writesSnapshot } from '../support/writes-snapshot';

/**
 * The authorization matrix (docs/api.md): every route the local cloud serves × every kind of caller. The
 * policy below is written out by hand, apart from the route contracts, so a wrong contract fails here; a
 * route without an entry fails too. A refused request must write nothing: the items naming this run's
 * resources (the table is shared with other suites), the queues and the executions are compared around
 * every route's refusals.
 */
const callers = [
  'no key',
  'unknown key',
  'signing secret as key',
  'channel',
  'other channel',
  'staff',
  'other store staff',
  'supplier',
  'other supplier',
  'courier',
  'ops',
] as const;
type Caller = (typeof callers)[number];

interface Policy {
  /** Served without a key, to anyone. */
  readonly public?: true;
  /** No API key either: the request itself must be signed (a carrier's webhook). Unsigned samples are a 401. */
  readonly signed?: true;
  /** Get past authorization (their answer is then about the request: 2xx, 404, 409…). */
  readonly allowed?: readonly Caller[];
  /** Refused as "not found" rather than 403, so they cannot probe for what exists (orders of other channels). */
  readonly notFound?: readonly Caller[];
}

const policy: Record<string, Policy> = {
  'GET /health': { public: true },
  'GET /openapi.json': { public: true },
  // The console's static files: public (they hold no data and no key; every action is an ops API call).
  'GET /console': { public: true },
  'GET /console/': { public: true },
  'GET /console/{asset}': { public: true },
  'PUT /locations/{locationId}': { allowed: ['ops'] },
  'PUT /skus/{sku}': { allowed: ['ops'] },
  'POST /orders/{orderId}/returns': { allowed: ['channel'], notFound: ['other channel'] },
  'GET /returns/{returnId}': {
    allowed: ['channel', 'ops', 'staff'],
    notFound: ['other channel', 'other store staff'],
  },
  // Staff receive at their own location only (the body names it): other staff are refused, not misled.
  'POST /returns/{returnId}/received': { allowed: ['staff', 'ops'] },
  'POST /returns/{returnId}/refund': { allowed: ['channel'], notFound: ['other channel'] },
  'POST /ops/returns/{returnId}/retry-refund': { allowed: ['ops'] },
  'GET /ops/returns': { allowed: ['ops'] },
  'GET /ops/kpis/returns': { allowed: ['ops'] },
  'GET /ops/kpis/orders': { allowed: ['ops'] },
  'POST /locations/{locationId}/damaged/{sku}/write-off': { allowed: ['staff', 'ops'] },
  'PUT /locations/{locationId}/stock/{sku}': { allowed: ['staff', 'ops'] },
  'PUT /locations/{locationId}/stock/{sku}/shards': { allowed: ['ops'] },
  'GET /locations/{locationId}/tasks': { allowed: ['staff', 'ops'] },
  'POST /shipments/{shipmentId}/picked': { allowed: ['staff'] },
  'POST /shipments/{shipmentId}/reject': { allowed: ['staff'] },
  'POST /shipments/{shipmentId}/packed': { allowed: ['staff'] },
  'POST /shipments/{shipmentId}/handed-over': { allowed: ['staff'] },
  'POST /shipments/{shipmentId}/received': { allowed: ['staff'] },
  'POST /shipments/{shipmentId}/collected': { allowed: ['staff'] },
  'POST /shipments/{shipmentId}/returned': { allowed: ['staff'] },
  'POST /ops/shipments/{shipmentId}/unlock': { allowed: ['ops'] },
  'POST /ops/shipments/{shipmentId}/rebook': { allowed: ['ops'] },
  'GET /ops/carriers/{carrierId}/performance': { allowed: ['ops'] },
  'PUT /ops/channels/{channelId}/webhook': { allowed: ['ops'] },
  'GET /ops/shipments': { allowed: ['ops'] },
  'PUT /carriers/{carrierId}': { allowed: ['ops'] },
  'GET /carriers': { allowed: ['ops'] },
  'POST /carriers/{carrierId}/rotate-secret': { allowed: ['ops'] },
  // Whatever key is sent: only a valid Standard Webhooks signature gets in (test/handlers/carrier-events).
  'POST /couriers/{carrierId}/events': { signed: true },
  'GET /inventory/{sku}': { allowed: ['channel', 'other channel', 'ops'] },
  'POST /orders': { allowed: ['channel', 'other channel'] },
  'GET /orders/{orderId}': { allowed: ['channel', 'ops'], notFound: ['other channel'] },
  'GET /ops/orders': { allowed: ['ops'] },
  'POST /orders/{orderId}/cancel': { allowed: ['channel', 'ops'], notFound: ['other channel'] },
  'POST /suppliers/{supplierId}/stock': { allowed: ['supplier', 'ops'] },
  'GET /suppliers/{supplierId}/purchase-orders': { allowed: ['supplier', 'ops'] },
  'POST /suppliers/{supplierId}/purchase-orders/{poId}/confirm': { allowed: ['supplier'] },
  'POST /suppliers/{supplierId}/purchase-orders/{poId}/reject': { allowed: ['supplier'] },
  'POST /locations/{locationId}/receipts': { allowed: ['staff'] },
  'GET /ops/dead-letters': { allowed: ['ops'] },
  'POST /ops/dead-letters/redrive': { allowed: ['ops'] },
  'GET /ops/executions': { allowed: ['ops'] },
  'POST /ops/principals': { allowed: ['ops'] },
  'GET /ops/principals': { allowed: ['ops'] },
  'DELETE /ops/principals/{principalId}': { allowed: ['ops'] },
  'POST /ops/principals/{principalId}/rotate': { allowed: ['ops'] },
  'GET /ops/executions/{executionId}': { allowed: ['ops'] },
  'POST /ops/executions/{executionId}/redrive': { allowed: ['ops'] },
  'PUT /ops/faults': { allowed: ['ops'] },
  'GET /ops/faults': { allowed: ['ops'] },
  'DELETE /ops/faults': { allowed: ['ops'] },
};

type Expected = 200 | 401 | 403 | 404 | 'allowed';

function expectedFor(entry: Policy, caller: Caller): Expected {
  if (entry.public) return 200;
  if (entry.signed) return 401;
  if (caller === 'no key' || caller === 'unknown key' || caller === 'signing secret as key') return 401;
  if (entry.notFound?.includes(caller)) return 404;
  return entry.allowed?.includes(caller) ? 'allowed' : 403;
}

const tag = randomBytes(4).toString('hex').slice(0, 6);
const ids = taggedIds('mx', tag);
const key = (name: string) => taggedKey('mx', tag, name);
const keys: Record<Exclude<Caller, 'no key'>, string> = {
  'unknown key': key('unknown'),
  'signing secret as key': `whsec_${randomBytes(24).toString('base64')}`,
  channel: key('channel'),
  'other channel': key('otherchannel'),
  staff: key('staff'),
  'other store staff': key('otherstaff'),
  supplier: key('supplier'),
  'other supplier': key('othersupplier'),
  courier: key('courier'),
  ops: key('ops'),
};

let cloud: LocalCloud;
let table: Awaited<ReturnType<typeof startE2eCloud>>['table'];
let sfn: Awaited<ReturnType<typeof startE2eCloud>>['sfn'];
let sqs: SQSClient;
const http = e2eHttp(() => cloud);

beforeAll(async () => {
  ({ cloud, table, sfn } = await startE2eCloud([
    { apiKey: keys.channel, principalId: `channel:${ids.channel}`, role: 'channel', scope: ids.channel },
    {
      apiKey: keys['other channel'],
      principalId: `channel:${ids.otherChannel}`,
      role: 'channel',
      scope: ids.otherChannel,
    },
    { apiKey: keys.staff, principalId: `staff:${ids.ownLocation}`, role: 'staff', scope: ids.ownLocation },
    {
      apiKey: keys['other store staff'],
      principalId: `staff:${ids.otherLocation}`,
      role: 'staff',
      scope: ids.otherLocation,
    },
    {
      apiKey: keys.supplier,
      principalId: `supplier:${ids.ownSupplier}`,
      role: 'supplier',
      scope: ids.ownSupplier,
    },
    {
      apiKey: keys['other supplier'],
      principalId: `supplier:${ids.otherSupplier}`,
      role: 'supplier',
      scope: ids.otherSupplier,
    },
    { apiKey: keys.courier, principalId: `courier:${ids.carrier}`, role: 'courier', scope: ids.carrier },
    { apiKey: keys.ops, principalId: `ops:${tag}`, role: 'ops', scope: '*' },
  ]));
  sqs = new SQSClient({ endpoint: cloud.endpoints.sqs, region: localRegion, credentials: localCredentials });
  await seedSampleWorld(http, sfn, {
    ids,
    channelId: ids.channel,
    opsKey: keys.ops,
    channelKey: keys.channel,
    table,
  });
}, 180_000);

afterAll(async () => {
  await cloud?.stop();
});

describe('authorization matrix', () => {
  it('has an entry for every route the local cloud serves, and no other', () => {
    expect(Object.keys(policy).sort()).toEqual(servedRoutes(cloud).sort());
  });

  it('refuses every caller the policy does not admit, with the expected status, and writes nothing', async () => {
    const samples = routeSamples(ids);
    const mismatches: string[] = [];
    const before = await writesSnapshot({ table, sqs, sfn, tag });
    for (const route of servedRoutes(cloud)) {
      const entry = policy[route] ?? {};
      const refused = callers.filter((caller) => expectedFor(entry, caller) !== 'allowed');
      // A route's refusals go out together: none may write, so their order cannot matter.
      await Promise.all(
        refused.map(async (caller) => {
          const expected = expectedFor(entry, caller);
          const key = caller === 'no key' ? undefined : keys[caller];
          const response = await sendSample(http, route, key, samples);
          await response.body?.cancel();
          if (response.status !== expected)
            mismatches.push(`${route} as ${caller}: ${response.status}, expected ${expected}`);
        }),
      );
    }
    // Every item a request could write names the run's tag, so the difference names the route that wrote.
    const written = snapshotDifference(before, await writesSnapshot({ table, sqs, sfn, tag }));
    expect({ mismatches, written }).toEqual({ mismatches: [], written: [] });
  });

  it('lets every admitted caller past authorization (their answer is about the request, never a 5xx)', async () => {
    const samples = routeSamples(ids);
    const mismatches: string[] = [];
    for (const route of servedRoutes(cloud)) {
      const entry = policy[route] ?? {};
      for (const caller of callers.filter((candidate) => expectedFor(entry, candidate) === 'allowed')) {
        const perCaller =
          route === 'POST /orders'
            ? { [route]: sampleOrderNamed(samples, `${ids.newOrderId}-${callers.indexOf(caller)}`) }
            : samples;
        const response = await sendSample(http, route, keys[caller as Exclude<Caller, 'no key'>], perCaller);
        const text = await response.text();
        if (response.status === 401 || response.status === 403 || response.status >= 500)
          mismatches.push(`${route} as ${caller}: ${response.status} ${text}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});
