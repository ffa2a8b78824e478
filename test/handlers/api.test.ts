import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transactWrite } from '../../functions/adapters/dynamodb/items';
import { apiKeyHash, savePrincipal } from '../../functions/adapters/dynamodb/principals';
import { transitionOrder } from '../../functions/adapters/dynamodb/reservations';
import { shipmentPuts } from '../../functions/adapters/dynamodb/shipments';
import { getSkuPolicies } from '../../functions/adapters/dynamodb/sku-policies';
import { keys as principalKeys } from '../../functions/contracts/keys';
import { routes } from '../../functions/contracts/system';
import { planShipments } from '../../functions/core/shipments';
import { localCredentials, localRegion } from '../../local/emulators/protocol/identity';
import { findFreePort } from '../../local/emulators/protocol/net';
import { startSqsService } from '../../local/emulators/sqs/service';
import {
  type StepFunctionsService,
  startStepFunctionsService,
} from '../../local/emulators/stepfunctions/service';
import { createTestTable, dynamodbEndpoint } from '../support/dynamodb';
import { deliveryTo, store, warehouse } from '../support/fixtures';
import {
  type ApiResponse,
  apiClient,
  eventually,
  fulfilmentArn,
  fulfilmentDefinition,
  type Handlers,
  inProcessInvoker,
  lambdaContext,
  loadHandlers,
  setFunctionEnvironment,
  workflowDefinition,
} from './harness';

const keys = {
  channel: 'key-channel',
  otherChannel: 'key-channel-marketplace',
  ops: 'key-ops',
  staffOxford: 'key-staff-oxford',
  supplierAcme: 'key-supplier-acme',
  supplierFleet: 'key-supplier-fleet',
};

let handlers: Handlers;
let call: ReturnType<typeof apiClient>;
let stepFunctions: StepFunctionsService;
let closeSqs: () => Promise<void>;
let sqs: SQSClient;
let sfn: SFNClient;
let queueUrl: string;
let table: Awaited<ReturnType<typeof createTestTable>>;

beforeAll(async () => {
  table = await createTestTable();
  const sqsService = await startSqsService({ port: 0, queues: [{ name: 'supplierStockFeed' }] });
  closeSqs = () => sqsService.close();
  queueUrl = sqsService.queueUrl('supplierStockFeed');
  const sfnPort = await findFreePort();
  const sfnEndpoint = `http://127.0.0.1:${sfnPort}`;
  setFunctionEnvironment({
    tableName: table.tableName,
    dynamodbEndpoint: dynamodbEndpoint(),
    sfnEndpoint,
    sqsEndpoint: sqsService.url,
    queueUrl,
  });
  handlers = await loadHandlers();
  stepFunctions = await startStepFunctionsService({
    port: sfnPort,
    stateMachines: [
      { name: 'fulfilment', definition: fulfilmentDefinition(table.tableName) },
      { name: 'procurement', definition: workflowDefinition('procurement', table.tableName) },
      { name: 'dispatch', definition: workflowDefinition('dispatch', table.tableName) },
      { name: 'returns', definition: workflowDefinition('returns', table.tableName) },
    ],
    invoker: inProcessInvoker(handlers),
    dynamodbEndpoint: dynamodbEndpoint(),
    retryIntervalScale: 0,
  });
  const aws = { region: localRegion, credentials: localCredentials };
  sqs = new SQSClient({ ...aws, endpoint: sqsService.url });
  sfn = new SFNClient({ ...aws, endpoint: sfnEndpoint });
  call = apiClient(handlers);
  const principals = [
    { apiKey: keys.channel, principalId: 'channel:web', role: 'channel', scope: 'web' },
    {
      apiKey: keys.otherChannel,
      principalId: 'channel:marketplace',
      role: 'channel',
      scope: 'marketplace',
    },
    { apiKey: keys.ops, principalId: 'ops:alice', role: 'ops', scope: '*' },
    { apiKey: keys.staffOxford, principalId: 'staff:ST-OXFORD', role: 'staff', scope: 'ST-OXFORD' },
    { apiKey: keys.supplierAcme, principalId: 'supplier:SUP-ACME', role: 'supplier', scope: 'SUP-ACME' },
    { apiKey: keys.supplierFleet, principalId: 'supplier:SUP-FLEET', role: 'supplier', scope: 'SUP-FLEET' },
  ] as const;
  for (const principal of principals) await savePrincipal(table.document, table.tableName, principal);
  await call('PUT', '/locations/WH-DARTFORD', {
    apiKey: keys.ops,
    body: warehouse,
  });
  await call('PUT', '/locations/ST-OXFORD', {
    apiKey: keys.ops,
    body: store,
  });
  await call('PUT', '/locations/WH-DARTFORD/stock/SKU-TEE', {
    apiKey: keys.ops,
    body: { onHand: 10, safetyStock: 0 },
  });
  await call('PUT', '/locations/ST-OXFORD/stock/SKU-TEE', {
    apiKey: keys.staffOxford,
    body: { onHand: 5, safetyStock: 2 },
  });
}, 60_000);

afterAll(async () => {
  await stepFunctions?.close();
  await closeSqs?.();
});

const order = (sku: string, qty: number, extra: Record<string, unknown> = {}) => ({
  customerId: 'cust-1',
  fulfilment: { type: 'delivery', address: deliveryTo },
  lines: [{ sku, qty }],
  ...extra,
});
const postOrder = (body: unknown, idempotencyKey?: string) =>
  call('POST', '/orders', {
    apiKey: keys.channel,
    body,
    ...(idempotencyKey ? { headers: { 'Idempotency-Key': idempotencyKey } } : {}),
  });

async function itemCount(): Promise<number> {
  const { Items } = await table.document.send(
    new ScanCommand({ TableName: table.tableName, ConsistentRead: true }),
  );
  return Items?.length ?? 0;
}

function expectProblem(response: ApiResponse, status: number, code?: string) {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toBe('application/problem+json');
  expect(response.json).toMatchObject({
    status,
    type: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
    code: expect.any(String),
  });
  if (code) expect(response.json.code).toBe(code);
}

describe('platform', () => {
  it('answers health and an OpenAPI 3.1 document covering every route', async () => {
    expect((await call('GET', '/health')).json).toEqual({ status: 'ok' });
    const spec = (await call('GET', '/openapi.json')).json as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown>; security: unknown[] }>>;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
    };
    expect(spec.openapi).toBe('3.1.0');
    for (const route of routes) expect(spec.paths[route.path]?.[route.method.toLowerCase()]).toBeDefined();
    expect(spec.components.schemas.Problem).toBeDefined();
    expect(spec.components.securitySchemes.apiKey).toEqual({
      type: 'apiKey',
      in: 'header',
      name: 'x-api-key',
    });
    const createOrder = spec.paths['/orders']?.post;
    expect(Object.keys(createOrder?.responses ?? {})).toEqual(
      expect.arrayContaining(['202', '400', '401', '403', '409', '422']),
    );
    expect(createOrder?.security).toEqual([{ apiKey: [] }]);
    // Request bodies are closed: a field the contract does not declare is refused.
    const orderBody = (createOrder as { requestBody?: { content: Record<string, { schema: unknown }> } })
      .requestBody?.content['application/json']?.schema;
    expect(orderBody).toMatchObject({
      additionalProperties: false,
      properties: { lines: { items: { additionalProperties: false } } },
    });
    for (const route of routes)
      expect(Object.keys(spec.paths[route.path]?.[route.method.toLowerCase()]?.responses ?? {})).toContain(
        '400',
      );
  });
});

describe('authentication and authorization', () => {
  it('answers no key and unknown keys with 401, wrong roles and scopes with 403, all problem+json', async () => {
    expectProblem(await call('GET', '/inventory/SKU-TEE'), 401, 'AUTH.API_KEY_REQUIRED');
    expectProblem(await call('GET', '/inventory/SKU-TEE', { apiKey: 'nope' }), 401, 'AUTH.API_KEY_UNKNOWN');
    // A webhook signing secret never authenticates a request, even one stored as a principal's key hash.
    const secret = 'whsec_c2lnbmluZy1zZWNyZXQtb2YtYS1jb3VyaWVy';
    await expect(
      savePrincipal(table.document, table.tableName, {
        apiKey: secret,
        principalId: 'courier:x',
        role: 'courier',
        scope: 'x',
      }),
    ).rejects.toThrow(/signing secret/);
    await table.document.send(
      new PutCommand({
        TableName: table.tableName,
        Item: {
          ...principalKeys.principal(apiKeyHash(secret)),
          entity: 'principal',
          principalId: 'courier:x',
          role: 'ops',
          scope: '*',
        },
      }),
    );
    expectProblem(await call('GET', '/inventory/SKU-TEE', { apiKey: secret }), 401, 'AUTH.API_KEY_UNKNOWN');
    expectProblem(
      await call('GET', '/inventory/SKU-TEE', { apiKey: keys.supplierAcme }),
      403,
      'AUTH.ROLE_NOT_ALLOWED',
    );
    expectProblem(
      await call('POST', '/orders', {
        apiKey: keys.ops,
        body: order('SKU-TEE', 1),
        headers: { 'idempotency-key': 'ops' },
      }),
      403,
      'AUTH.ROLE_NOT_ALLOWED',
    );
    const feed = { feedSeq: 1, items: [{ sku: 'SKU-TEE', available: 1, leadTimeDays: 1 }] };
    expectProblem(
      await call('POST', '/suppliers/SUP-ACME/stock', { apiKey: keys.supplierFleet, body: feed }),
      403,
      'AUTH.SCOPE_NOT_ALLOWED',
    );
    expectProblem(
      await call('PUT', '/locations/WH-DARTFORD/stock/SKU-TEE', {
        apiKey: keys.staffOxford,
        body: { onHand: 1, safetyStock: 0 },
      }),
      403,
      'AUTH.SCOPE_NOT_ALLOWED',
    );
    // Authorization comes before parsing: a stranger learns nothing about the body.
    expectProblem(await call('PUT', '/locations/X', { body: '{not json' }), 401);
  });
});

describe('locations and stock', () => {
  it('validates location bodies naming each bad field, and rejects malformed JSON and other media types', async () => {
    const before = await itemCount();
    const invalid = await call('PUT', '/locations/ST-NEW', {
      apiKey: keys.ops,
      body: { type: 'kiosk', name: '', lat: 91, lng: 0, fulfils: [] },
    });
    expectProblem(invalid, 422, 'REQUEST.VALIDATION_FAILED');
    expect(invalid.json.errors?.map((error) => error.pointer).sort()).toEqual([
      '/fulfils',
      '/lat',
      '/name',
      '/type',
    ]);
    expect(invalid.json.errors?.[0]).toEqual({
      pointer: expect.any(String),
      field: expect.any(String),
      message: expect.any(String),
    });
    expectProblem(
      await call('PUT', '/locations/ST-NEW', { apiKey: keys.ops, body: '{"type":' }),
      400,
      'REQUEST.MALFORMED_JSON',
    );
    expectProblem(
      await call('PUT', '/locations/ST-NEW', {
        apiKey: keys.ops,
        body: 'type=store',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      415,
    );
    expectProblem(await call('PUT', '/locations/ST-NEW', { apiKey: keys.ops }), 422);
    expectProblem(await call('PUT', '/locations/bad%20id', { apiKey: keys.ops, body: {} }), 400);
    expect(await itemCount()).toBe(before);
  });

  it('refuses what the contract does not declare: unknown fields, query parameters, a body where none is taken', async () => {
    const before = await itemCount();
    const location = { type: 'store', name: 'Strict', lat: 51.5, lng: -0.1, fulfils: ['pickup'] };
    const typo = await call('PUT', '/locations/ST-STRICT', {
      apiKey: keys.ops,
      body: { ...location, nmae: 'x' },
    });
    expectProblem(typo, 422, 'REQUEST.VALIDATION_FAILED');
    expect(typo.json.errors).toEqual([{ pointer: '/nmae', field: 'nmae', message: 'unknown field' }]);
    const proto = await call('PUT', '/locations/ST-STRICT', {
      apiKey: keys.ops,
      body: `${JSON.stringify(location).slice(0, -1)},"__proto__":{"x":1}}`,
    });
    expect(proto.json.errors?.map((error) => error.pointer)).toEqual(['/__proto__']);
    const stock = await call('PUT', '/locations/ST-OXFORD/stock/SKU-TEE', {
      apiKey: keys.ops,
      body: { onHand: 5, safetyStock: 2, reorderpoint: 3 },
    });
    expect(stock.json.errors?.map((error) => error.pointer)).toEqual(['/reorderpoint']);
    const nested = await postOrder(
      order('SKU-TEE', 1, {
        fulfilment: { type: 'delivery', address: { ...deliveryTo, floor: 2 } },
        lines: [{ sku: 'SKU-TEE', qty: 1, giftWrap: true }],
      }),
      'strict-nested',
    );
    expectProblem(nested, 422, 'REQUEST.VALIDATION_FAILED');
    expect(nested.json.errors?.map((error) => error.pointer).sort()).toEqual([
      '/fulfilment/address/floor',
      '/lines/0/giftWrap',
    ]);
    const query = await call('GET', '/inventory/SKU-TEE', { apiKey: keys.ops, query: { limit: '5' } });
    expectProblem(query, 400, 'REQUEST.VALIDATION_FAILED');
    expect(query.json.errors?.map((error) => error.pointer)).toEqual(['/limit']);
    const forged = await call('GET', '/ops/executions', {
      apiKey: keys.ops,
      query: { status: 'FAILED', nextTokn: 'x' },
    });
    expect(forged.json.errors?.map((error) => error.pointer)).toEqual(['/nextTokn']);
    expectProblem(await call('GET', '/inventory/SKU-TEE', { apiKey: keys.ops, body: '{}' }), 400);
    expectProblem(
      await call('POST', '/ops/executions/web.nope/redrive', { apiKey: keys.ops, body: { force: true } }),
      400,
    );
    expect(await itemCount()).toBe(before);
  });

  it('refuses a blank reason to reject a purchase order as the body it is, before looking the order up', async () => {
    const blank = await call('POST', '/suppliers/SUP-ACME/purchase-orders/PO-NONE/reject', {
      apiKey: keys.supplierAcme,
      body: { reason: '   ' },
    });
    expectProblem(blank, 422, 'REQUEST.VALIDATION_FAILED');
    expect(blank.json.errors?.map((error) => error.pointer)).toEqual(['/reason']);
  });

  it('refuses a body whose strings are not Unicode (a lone surrogate), and keeps characters beyond the BMP', async () => {
    const before = await itemCount();
    const location = { type: 'store', name: 'Café \ud83d', lat: 51.5, lng: -0.1, fulfils: ['pickup'] };
    const lone = await call('PUT', '/locations/ST-UNICODE', { apiKey: keys.ops, body: location });
    expectProblem(lone, 400, 'REQUEST.MALFORMED_JSON');
    expect(lone.json.errors?.map((error) => error.pointer)).toEqual(['/name']);
    const loneKey = await call('PUT', '/locations/ST-UNICODE', {
      apiKey: keys.ops,
      body: { ...location, name: 'Café', '\udc00': 1 },
    });
    expectProblem(loneKey, 400, 'REQUEST.MALFORMED_JSON');
    // Nested 100,000 deep: JSON.parse accepts it, and the checks walk it without a stack overflow (a 500).
    const deep = (inner: string) => `${'['.repeat(100_000)}${inner}${']'.repeat(100_000)}`;
    const deepLone = await call('PUT', '/locations/ST-UNICODE', {
      apiKey: keys.ops,
      body: `{"name":${deep('"\\ud800"')}}`,
    });
    expectProblem(deepLone, 400, 'REQUEST.MALFORMED_JSON');
    expect(deepLone.json.errors?.[0]?.pointer).toBe(`/name${'/0'.repeat(100_000)}`);
    expectProblem(await call('PUT', '/locations/ST-UNICODE', { apiKey: keys.ops, body: deep('') }), 422);
    expect(await itemCount()).toBe(before);
    const paired = await call('PUT', '/locations/ST-UNICODE', {
      apiKey: keys.ops,
      body: { ...location, name: 'Café 😀' },
    });
    expect(paired.status).toBe(200);
    expect(paired.json.name).toBe('Café 😀');
  });

  it("keeps a location's dispatch settings, and refuses a clock that is not one", async () => {
    const before = await itemCount();
    const location = { type: 'store', name: 'Dispatch', lat: 51.5, lng: -0.1, fulfils: ['pickup'] };
    const wrong = await call('PUT', '/locations/ST-CLOCK', {
      apiKey: keys.ops,
      body: { ...location, timeZone: 'Europe/Atlantis', sameDayCutoff: '25:00', pickWithinMinutes: 0 },
    });
    expectProblem(wrong, 422, 'REQUEST.VALIDATION_FAILED');
    expect(wrong.json.errors?.map((error) => error.pointer).sort()).toEqual([
      '/pickWithinMinutes',
      '/sameDayCutoff',
      '/timeZone',
    ]);
    expect(await itemCount()).toBe(before);
    const settings = {
      timeZone: 'Europe/Dublin',
      sameDayCutoff: '15:30',
      pickWithinMinutes: 45,
      acceptsTransfers: true,
      pickupHoldHours: 48,
    };
    const saved = await call('PUT', '/locations/ST-CLOCK', {
      apiKey: keys.ops,
      body: { ...location, ...settings },
    });
    expect(saved.status).toBe(200);
    expect(saved.json).toMatchObject(settings);
  });

  it("lists a store's open tasks to its own staff only, oldest due first, and refuses a forged page token", async () => {
    const tasks = (apiKey: string, locationId = 'ST-OXFORD', query: Record<string, string> = {}) =>
      call('GET', `/locations/${locationId}/tasks`, { apiKey, query });
    expect((await tasks(keys.staffOxford)).json).toEqual({ items: [] });
    const planned = planShipments({
      orderId: 'web.TASKS-1',
      fulfilment: { type: 'pickup', storeId: 'ST-OXFORD' },
      route: 0,
      allocations: [{ sku: 'SKU-TEE', qty: 2, locationId: 'ST-OXFORD' }],
      settings: { 'ST-OXFORD': { pickWithinMinutes: 30 } },
      now: new Date('2026-01-12T10:00:00.000Z'),
    });
    const tableRef = { document: table.document, tableName: table.tableName };
    await transactWrite(
      tableRef,
      'createShipments',
      shipmentPuts(tableRef, 'web.TASKS-1', planned, {
        at: '2026-01-12T10:00:00.000Z',
        actor: 'test',
        step: 'CreateShipments',
      }),
    );
    const listed = await tasks(keys.staffOxford, 'ST-OXFORD', { limit: '10' });
    expect(listed.status).toBe(200);
    expect(listed.json).toEqual({
      items: [
        {
          taskId: 'web.TASKS-1-0-0.pick',
          kind: 'pick',
          shipmentId: 'web.TASKS-1-0-0',
          orderId: 'web.TASKS-1',
          lines: [{ sku: 'SKU-TEE', qty: 2 }],
          dueBy: '2026-01-12T10:30:00.000Z',
        },
      ],
    });
    expect((await tasks(keys.ops)).status).toBe(200);
    expectProblem(await tasks(keys.staffOxford, 'ST-CAMDEN'), 403);
    expectProblem(await tasks(keys.channel), 403);
    expectProblem(await tasks(keys.staffOxford, 'ST-OXFORD', { nextToken: 'Zm9yZ2Vk' }), 400);
    expectProblem(await tasks(keys.staffOxford, 'ST-OXFORD', { limit: '0' }), 400);
  });

  it('records cycle counts: 404 for an unknown location, figures with available net of safety stock', async () => {
    expectProblem(
      await call('PUT', '/locations/NOWHERE/stock/SKU-TEE', {
        apiKey: keys.ops,
        body: { onHand: 1, safetyStock: 0 },
      }),
      404,
      'INVENTORY.LOCATION_NOT_FOUND',
    );
    const invalid = await call('PUT', '/locations/ST-OXFORD/stock/SKU-TEE', {
      apiKey: keys.ops,
      body: { onHand: -1, safetyStock: 1.5 },
    });
    expectProblem(invalid, 422);
    expect(invalid.json.errors?.map((error) => error.pointer).sort()).toEqual(['/onHand', '/safetyStock']);
    const saved = await call('PUT', '/locations/ST-OXFORD/stock/SKU-CAP', {
      apiKey: keys.staffOxford,
      body: { onHand: 4, safetyStock: 1 },
    });
    expect(saved.status).toBe(200);
    expect(saved.json).toMatchObject({
      sku: 'SKU-CAP',
      locationId: 'ST-OXFORD',
      onHand: 4,
      reserved: 0,
      available: 3,
      safetyStock: 1,
      inbound: 0,
    });
  });

  it('reports inventory per location with totals, and zeros for an unknown sku', async () => {
    const inventory = await call('GET', '/inventory/SKU-TEE', { apiKey: keys.channel });
    expect(inventory.status).toBe(200);
    expect(inventory.json).toMatchObject({
      sku: 'SKU-TEE',
      locations: expect.arrayContaining([
        {
          locationId: 'ST-OXFORD',
          onHand: 5,
          reserved: 0,
          available: 3,
          inbound: 0,
          safetyStock: 2,
          damaged: 0,
        },
      ]),
      suppliers: [],
    });
    expect((await call('GET', '/inventory/SKU-NONE', { apiKey: keys.ops })).json).toEqual({
      sku: 'SKU-NONE',
      locations: [],
      totals: { onHand: 0, reserved: 0, available: 0, inbound: 0 },
      suppliers: [],
    });
  });
  it('switches a hot SKU to shards (ops only), reads sum the shards, and the rebalancer runs on schedule', async () => {
    const path = '/locations/WH-DARTFORD/stock/SKU-FLASH/shards';
    expectProblem(
      await call('PUT', '/locations/ST-OXFORD/stock/SKU-TEE/shards', {
        apiKey: keys.staffOxford,
        body: { shards: 4 },
      }),
      403,
      'AUTH.ROLE_NOT_ALLOWED',
    );
    const invalid = await call('PUT', path, { apiKey: keys.ops, body: { shards: 33 } });
    expectProblem(invalid, 422);
    expect(invalid.json.errors?.map((error) => error.pointer)).toEqual(['/shards']);
    expectProblem(
      await call('PUT', path, { apiKey: keys.ops, body: { shards: 4 } }),
      404,
      'INVENTORY.STOCK_NOT_FOUND',
    );
    expectProblem(
      await call('PUT', '/locations/NOWHERE/stock/SKU-FLASH/shards', {
        apiKey: keys.ops,
        body: { shards: 4 },
      }),
      404,
      'INVENTORY.LOCATION_NOT_FOUND',
    );
    await call('PUT', '/locations/WH-DARTFORD/stock/SKU-FLASH', {
      apiKey: keys.ops,
      body: { onHand: 21, safetyStock: 1 },
    });
    const switched = await call('PUT', path, { apiKey: keys.ops, body: { shards: 4 } });
    expect(switched.status).toBe(200);
    expect(switched.json).toMatchObject({
      sku: 'SKU-FLASH',
      locationId: 'WH-DARTFORD',
      onHand: 21,
      reserved: 0,
      available: 20,
      shards: 4,
      head: { available: 0, reserved: 0 },
      shardFigures: [0, 1, 2, 3].map((shard) => ({ shard, available: 5, reserved: 0 })),
    });
    // A cycle count on sharded stock: the gain lands on the head, reads still sum everything.
    await call('PUT', '/locations/WH-DARTFORD/stock/SKU-FLASH', {
      apiKey: keys.ops,
      body: { onHand: 25, safetyStock: 1 },
    });
    const inventory = await call('GET', '/inventory/SKU-FLASH', { apiKey: keys.ops });
    expect(inventory.json).toMatchObject({
      locations: [{ locationId: 'WH-DARTFORD', onHand: 25, reserved: 0, available: 24, shards: 4 }],
      totals: { onHand: 25, reserved: 0, available: 24 },
    });
    const rebalanced = await handlers.of('rebalanceStockShards')({}, lambdaContext('rebalanceStockShards'));
    expect(rebalanced).toMatchObject({ rebalanced: 1, moved: 4, conflicts: 0 });
    const after = await call('PUT', path, { apiKey: keys.ops, body: { shards: 4 } });
    expect(after.json).toMatchObject({
      available: 24,
      head: { available: 0 },
      shardFigures: [0, 1, 2, 3].map((shard) => ({ shard, available: 6, reserved: 0 })),
    });
  });
});

describe('orders', () => {
  it('requires an Idempotency-Key and validates the body naming each bad line, writing nothing', async () => {
    const before = await itemCount();
    expectProblem(await postOrder(order('SKU-TEE', 1)), 400, 'REQUEST.IDEMPOTENCY_KEY_REQUIRED');
    // Two keys (API Gateway joins a repeated header with a comma), blank, too long or not ASCII: refused.
    for (const key of ['key-a,key-b', '   ', 'k'.repeat(256), 'clé'])
      expectProblem(await postOrder(order('SKU-TEE', 1), key), 400, 'REQUEST.IDEMPOTENCY_KEY_REQUIRED');
    const duplicate = await postOrder(
      {
        ...order('SKU-TEE', 1),
        lines: [
          { sku: 'SKU-TEE', qty: 1 },
          { sku: 'SKU-TEE', qty: 2 },
        ],
      },
      'dup',
    );
    expectProblem(duplicate, 422);
    expect(duplicate.json.errors).toEqual([
      { pointer: '/lines/1/sku', field: 'lines[1].sku', message: expect.stringContaining('duplicate') },
    ]);
    const invalid = await postOrder(
      { customerId: 'c', fulfilment: { type: 'pickup' }, lines: [{ sku: 'bad sku', qty: 0 }] },
      'bad',
    );
    expectProblem(invalid, 422);
    expect(invalid.json.errors?.map((error) => error.pointer).sort()).toEqual([
      '/fulfilment/storeId',
      '/lines/0/qty',
      '/lines/0/sku',
    ]);
    const noAddress = await postOrder(
      { customerId: 'c', fulfilment: { type: 'same_day' }, lines: [{ sku: 'SKU-TEE', qty: 1 }] },
      'na',
    );
    expect(noAddress.json.errors?.map((error) => error.pointer)).toEqual(['/fulfilment/address']);
    expectProblem(await postOrder({ ...order('SKU-TEE', 1), lines: [] }, 'empty'), 422);
    // Prices: integers in minor units, every line or none, and only with the currency they are in.
    const pricing = async (body: Record<string, unknown>, key: string) =>
      (await postOrder({ ...order('SKU-TEE', 1), ...body }, key)).json.errors?.map((error) => error.pointer);
    expect(
      await pricing({ lines: [{ sku: 'SKU-TEE', qty: 1, unitPrice: 12.5 }], currency: 'GBP' }, 'p1'),
    ).toEqual(['/lines/0/unitPrice']);
    expect(await pricing({ lines: [{ sku: 'SKU-TEE', qty: 1, unitPrice: 1250 }] }, 'p2')).toEqual([
      '/currency',
    ]);
    expect(await pricing({ currency: 'GBP' }, 'p3')).toEqual(['/currency']);
    expect(
      await pricing({ lines: [{ sku: 'SKU-TEE', qty: 1, unitPrice: 1250 }], currency: 'gbp' }, 'p4'),
    ).toEqual(['/currency']);
    expect(
      await pricing(
        {
          lines: [
            { sku: 'SKU-TEE', qty: 1, unitPrice: 1250 },
            { sku: 'SKU-CAP', qty: 1 },
          ],
          currency: 'GBP',
        },
        'p5',
      ),
    ).toEqual(['/lines']);
    expect(await itemCount()).toBe(before);
  });

  it("sets a SKU's return policy (ops only), refusing a bad one with the field named", async () => {
    const put = (body: unknown, apiKey = keys.ops) => call('PUT', '/skus/SKU-POLICY', { apiKey, body });
    const set = await put({ returnable: true, returnWindowDays: 14 });
    expect(set).toMatchObject({
      status: 200,
      json: { sku: 'SKU-POLICY', returnable: true, returnWindowDays: 14, updatedAt: expect.any(String) },
    });
    const tableRef = { document: table.document, tableName: table.tableName };
    const policies = await getSkuPolicies(tableRef, ['SKU-POLICY', 'SKU-NONE']);
    expect([...policies]).toEqual([['SKU-POLICY', { returnable: true, returnWindowDays: 14 }]]);
    expect((await put({ returnable: false })).json).not.toHaveProperty('returnWindowDays');
    expect((await getSkuPolicies(tableRef, ['SKU-POLICY'])).get('SKU-POLICY')).toEqual({ returnable: false });
    expectProblem(await put({ returnable: true, returnWindowDays: -1 }), 422);
    expectProblem(await put({ returnable: 'yes' }), 422);
    expectProblem(await put({ returnable: true, window: 3 }), 422);
    expectProblem(await put({ returnable: true }, keys.channel), 403);
  });

  it('keeps the price of each line and the currency the channel charged in', async () => {
    const body = {
      ...order('SKU-TEE', 2, { orderId: 'ord-priced' }),
      currency: 'GBP',
      lines: [{ sku: 'SKU-TEE', qty: 2, unitPrice: 1999 }],
    };
    expect((await postOrder(body, 'key-priced')).status).toBe(202);
    const view = await call('GET', '/orders/ord-priced', { apiKey: keys.channel });
    expect(view.json).toMatchObject({
      currency: 'GBP',
      lines: [{ sku: 'SKU-TEE', qty: 2, unitPrice: 1999 }],
    });
  });

  it('accepts an order once per key, starts its workflow and reserves it', async () => {
    const body = order('SKU-TEE', 2, { orderId: 'ord-h1' });
    const first = await postOrder(body, 'key-h1');
    expect(first).toMatchObject({ status: 202, json: { orderId: 'ord-h1', status: 'ACCEPTED' } });
    const again = await postOrder(
      { lines: body.lines, fulfilment: body.fulfilment, customerId: body.customerId, orderId: 'ord-h1' },
      'key-h1',
    );
    expect(again).toMatchObject({ status: 202, json: first.json });
    expectProblem(
      await postOrder(order('SKU-TEE', 3, { orderId: 'ord-h1' }), 'key-h1'),
      409,
      'ORDERS.IDEMPOTENCY_KEY_REUSED',
    );
    expectProblem(await postOrder(body, 'key-other'), 409, 'ORDERS.ALREADY_EXISTS');

    // Reserved, then handed to dispatch: its shipment is created and the order is PICKING.
    const reserved = await eventually(async () => {
      const view = await call('GET', '/orders/web.ord-h1', { apiKey: keys.ops });
      return view.json.status === 'PICKING' ? view : undefined;
    });
    expect(reserved.json).toMatchObject({
      orderId: 'web.ord-h1',
      channelId: 'web',
      status: 'PICKING',
      fulfilment: body.fulfilment,
      lines: [{ sku: 'SKU-TEE', qty: 2 }],
      allocations: [{ sku: 'SKU-TEE', qty: 2, locationId: 'WH-DARTFORD' }],
      shipments: [
        {
          shipmentId: 'web.ord-h1-0-0',
          type: 'delivery',
          locationId: 'WH-DARTFORD',
          status: 'PICKING',
          lines: [{ sku: 'SKU-TEE', qty: 2 }],
        },
      ],
      returns: [],
    });
    expect(
      (reserved.json.timeline as { status: string; actor: string; step: string }[]).map((entry) => [
        entry.status,
        entry.actor,
        entry.step,
      ]),
    ).toEqual([
      ['ACCEPTED', 'channel:web', 'CreateOrder'],
      ['RESERVED', 'workflow:fulfilment', 'ReserveStock'],
      ['PICKING', 'workflow:fulfilment', 'CreateShipments'],
    ]);
    // The order is RESERVED once the reservation commits; the task (and so the execution) ends a little later,
    // after checking whether the stock it took needs replenishing.
    const execution = await eventually(async () => {
      const described = await sfn.send(
        new DescribeExecutionCommand({
          executionArn: `${fulfilmentArn.replace(':stateMachine:', ':execution:')}:web.ord-h1`,
        }),
      );
      return described.status === 'RUNNING' ? undefined : described;
    });
    expect(execution.status).toBe('SUCCEEDED');
    // Onhand below what is now reserved is refused.
    expectProblem(
      await call('PUT', '/locations/WH-DARTFORD/stock/SKU-TEE', {
        apiKey: keys.ops,
        body: { onHand: 1, safetyStock: 0 },
      }),
      409,
      'INVENTORY.ON_HAND_BELOW_RESERVED',
    );
  });

  it('generates an order id when none is given and replays it for the same key', async () => {
    const first = await postOrder(order('SKU-TEE', 1), 'key-gen');
    const again = await postOrder(order('SKU-TEE', 1), 'key-gen');
    expect(first.status).toBe(202);
    expect(first.json.orderId).toMatch(/^ord_/);
    expect(again.json).toEqual(first.json);
  });

  it('answers an unknown order with 404', async () => {
    expectProblem(await call('GET', '/orders/ord-none', { apiKey: keys.channel }), 404, 'ORDERS.NOT_FOUND');
    // Ops name orders by their system-wide id: a channel's own name alone is ambiguous.
    expectProblem(await call('GET', '/orders/ord-h1', { apiKey: keys.ops }), 404, 'ORDERS.NOT_FOUND');
  });

  it("keeps each channel to its own orders: another channel's order is a 404 and stays untouched", async () => {
    await postOrder(order('SKU-TEE', 1, { orderId: 'ord-mine' }), 'key-mine');
    await eventually(async () => {
      const view = await call('GET', '/orders/ord-mine', { apiKey: keys.channel });
      return view.json.status === 'PICKING' ? view : undefined;
    });
    const before = await itemCount();
    const missing = await call('GET', '/orders/ord-none', { apiKey: keys.otherChannel });
    for (const [method, path] of [
      ['GET', '/orders/ord-mine'],
      ['GET', '/orders/web.ord-mine'],
      ['POST', '/orders/ord-mine/cancel'],
      ['POST', '/orders/web.ord-mine/cancel'],
    ] as const) {
      const answer = await call(method, path, { apiKey: keys.otherChannel });
      // The same answer as for an order that does not exist, so ids cannot be probed.
      expect({ status: answer.status, code: answer.json.code }).toEqual({
        status: missing.status,
        code: missing.json.code,
      });
    }
    expect(await itemCount()).toBe(before);
    expect((await call('GET', '/orders/ord-mine', { apiKey: keys.channel })).json).toMatchObject({
      orderId: 'ord-mine',
      channelId: 'web',
      status: 'PICKING',
    });

    // Order ids are unique per channel: the other channel may use the same one for its own order.
    const theirs = await call('POST', '/orders', {
      apiKey: keys.otherChannel,
      body: order('SKU-TEE', 1, { orderId: 'ord-mine' }),
      headers: { 'Idempotency-Key': 'key-mine' },
    });
    expect(theirs).toMatchObject({ status: 202, json: { orderId: 'ord-mine', status: 'ACCEPTED' } });
    const ownView = await call('GET', '/orders/ord-mine', { apiKey: keys.otherChannel });
    expect(ownView.json).toMatchObject({ orderId: 'ord-mine', channelId: 'marketplace' });
    expect((await call('GET', '/orders/marketplace.ord-mine', { apiKey: keys.ops })).status).toBe(200);
  });

  it('cancels a reserved order (stock back on sale), replays a repeat, and refuses once it has shipped', async () => {
    await postOrder(order('SKU-TEE', 1, { orderId: 'ord-h-cancel' }), 'key-h-cancel');
    await eventually(async () => {
      const view = await call('GET', '/orders/web.ord-h-cancel', { apiKey: keys.ops });
      return view.json.status === 'PICKING' ? view : undefined;
    });
    const cancelled = await call('POST', '/orders/ord-h-cancel/cancel', { apiKey: keys.channel });
    expect(cancelled).toMatchObject({
      status: 202,
      json: { orderId: 'ord-h-cancel', status: 'CANCELLED', releasedHolds: 1, withdrawnBackorders: 0 },
    });
    // A cancelled order holds nothing: its view lists no allocations, and the timeline says what was released.
    const view = await call('GET', '/orders/ord-h-cancel', { apiKey: keys.channel });
    expect(view.json).toMatchObject({ status: 'CANCELLED', allocations: [] });
    expect(view.json.shortfall).toBeUndefined();
    expect((view.json.timeline as { status?: string; reason?: string }[]).at(-1)).toMatchObject({
      status: 'CANCELLED',
      reason: 'cancelled by channel:web; released 1 × SKU-TEE at WH-DARTFORD',
    });
    expect(await call('POST', '/orders/web.ord-h-cancel/cancel', { apiKey: keys.ops })).toMatchObject({
      status: 202,
      json: { status: 'CANCELLED', releasedHolds: 0 },
    });
    expectProblem(
      await call('POST', '/orders/web.ord-h-cancel/cancel', { apiKey: keys.ops, body: { reason: 1 } }),
      422,
      'REQUEST.VALIDATION_FAILED',
    );
    expectProblem(
      await call('POST', '/orders/web.ord-none/cancel', { apiKey: keys.ops }),
      404,
      'ORDERS.NOT_FOUND',
    );

    await postOrder(order('SKU-TEE', 1, { orderId: 'ord-h-shipped' }), 'key-h-shipped');
    await eventually(async () => {
      const view = await call('GET', '/orders/web.ord-h-shipped', { apiKey: keys.ops });
      return view.json.status === 'PICKING' ? view : undefined;
    });
    // Dispatch is a later workflow: move the order along its life cycle directly.
    for (const status of ['PICKING', 'PACKED', 'IN_TRANSIT'] as const) {
      await transitionOrder(table, {
        orderId: 'web.ord-h-shipped',
        status,
        step: `Test${status}`,
        actor: 'test',
        now: new Date(),
      });
    }
    expectProblem(
      await call('POST', '/orders/ord-h-shipped/cancel', { apiKey: keys.channel }),
      409,
      'ORDERS.CANNOT_BE_CANCELLED',
    );
  });
});

describe('supplier stock feed', () => {
  it('queues a valid feed, names the bad item of an invalid one, and the ingest applies it by feedSeq', async () => {
    const invalid = await call('POST', '/suppliers/SUP-ACME/stock', {
      apiKey: keys.supplierAcme,
      body: {
        feedSeq: 1,
        items: [
          { sku: 'SKU-TEE', available: 1, leadTimeDays: 1 },
          { sku: 'SKU-TEE', available: -5, leadTimeDays: 1 },
        ],
      },
    });
    expectProblem(invalid, 422);
    expect(invalid.json.errors?.map((error) => error.pointer)).toEqual(['/items/1/available']);

    const feed = { feedSeq: 7, items: [{ sku: 'SKU-TEE', available: 300, leadTimeDays: 3, unitCost: 4.2 }] };
    expect(
      await call('POST', '/suppliers/SUP-ACME/stock', { apiKey: keys.supplierAcme, body: feed }),
    ).toMatchObject({
      status: 202,
      json: { status: 'queued' },
    });
    expect(
      (await call('POST', '/suppliers/SUP-FLEET/stock', { apiKey: keys.ops, body: { ...feed, feedSeq: 1 } }))
        .status,
    ).toBe(202);
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    expect(received.Messages).toHaveLength(2);
    const records = (received.Messages ?? []).map((message, index) => ({
      messageId: message.MessageId ?? String(index),
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'x',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:supplierStockFeed',
      awsRegion: 'us-east-1',
    }));
    const older = {
      ...records[0]!,
      messageId: 'older',
      body: JSON.stringify({ ...JSON.parse(records[0]!.body), feedSeq: 3 }),
    };
    const poison = { ...records[0]!, messageId: 'poison', body: '{"supplierId":' };
    const event: SQSEvent = { Records: [...records, older, poison] };
    const result = await handlers.of('ingestSupplierStock')(event, lambdaContext('ingestSupplierStock'));
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'poison' }] });
    const inventory = await call('GET', '/inventory/SKU-TEE', { apiKey: keys.ops });
    expect(inventory.json.suppliers).toEqual([
      {
        supplierId: 'SUP-ACME',
        available: 300,
        leadTimeDays: 3,
        unitCost: 4.2,
        feedSeq: 7,
        updatedAt: expect.any(String),
      },
      {
        supplierId: 'SUP-FLEET',
        available: 300,
        leadTimeDays: 3,
        unitCost: 4.2,
        feedSeq: 1,
        updatedAt: expect.any(String),
      },
    ]);
  });
});

describe('operations', () => {
  it('lists failed executions with the failed state, redrives them, and refuses what cannot be redriven', async () => {
    stepFunctions.setFault({
      stateMachine: 'fulfilment',
      state: 'ReserveStock',
      error: 'TransientError',
      cause: 'injected',
      times: 10,
    });
    expect((await postOrder(order('SKU-TEE', 1, { orderId: 'ord-fail' }), 'key-fail')).status).toBe(202);
    const failed = await eventually(async () => {
      const list = await call('GET', '/ops/executions', { apiKey: keys.ops });
      const items = list.json.items as { executionId: string }[];
      return items.some((item) => item.executionId === 'web.ord-fail') ? list : undefined;
    });
    expect((failed.json.items as unknown[])[0]).toMatchObject({
      executionId: 'web.ord-fail',
      workflow: 'fulfilment',
      status: 'FAILED',
      failedState: 'ReserveStock',
      error: 'TransientError',
      input: { orderId: 'web.ord-fail' },
    });
    expectProblem(
      await call('GET', '/ops/executions', { apiKey: keys.ops, query: { status: 'BROKEN' } }),
      400,
    );
    expectProblem(await call('GET', '/ops/executions', { apiKey: keys.channel }), 403);
    // A forged page token is the client's mistake: 400, never a 500.
    const forged = (cursor: unknown) => Buffer.from(JSON.stringify(cursor)).toString('base64url');
    for (const nextToken of [
      'garbage!',
      forged({ machine: 99 }),
      forged({ machine: -1 }),
      forged({ machine: 0.5 }),
      forged({ machine: 0, token: 'not-a-step-functions-token' }),
    ]) {
      expectProblem(
        await call('GET', '/ops/executions', { apiKey: keys.ops, query: { nextToken } }),
        400,
        'REQUEST.VALIDATION_FAILED',
      );
    }

    const redriven = await call('POST', '/ops/executions/web.ord-fail/redrive', { apiKey: keys.ops });
    expect(redriven).toMatchObject({
      status: 202,
      json: {
        executionArn: expect.stringContaining(':execution:fulfilment:web.ord-fail'),
        status: 'RUNNING',
      },
    });
    await eventually(async () => {
      const view = await call('GET', '/orders/web.ord-fail', { apiKey: keys.ops });
      return view.json.status === 'PICKING' ? true : undefined;
    });
    const succeeded = await eventually(async () => {
      const list = await call('GET', '/ops/executions', { apiKey: keys.ops, query: { status: 'SUCCEEDED' } });
      return (list.json.items as { executionId: string }[]).some(
        (item) => item.executionId === 'web.ord-fail',
      )
        ? true
        : undefined;
    });
    expect(succeeded).toBe(true);
    expectProblem(
      await call('POST', '/ops/executions/web.ord-fail/redrive', { apiKey: keys.ops }),
      409,
      'OPS.EXECUTION_NOT_REDRIVABLE',
    );
    expectProblem(
      await call('POST', '/ops/executions/ord-unknown/redrive', { apiKey: keys.ops }),
      404,
      'OPS.EXECUTION_NOT_FOUND',
    );
  });
});
