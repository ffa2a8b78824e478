import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { savePrincipal } from '../../functions/adapters/dynamodb/principals';
import {
  maxLeadTimeDays,
  maxSupplierFeedItems,
  supplierStockMessageSchema,
} from '../../functions/contracts/schemas';
import { maxMoney, maxQuantity, maxSqsMessageBytes } from '../../functions/contracts/storable';
import { localCredentials, localRegion } from '../../local/emulators/protocol/identity';
import { type SqsService, startSqsService } from '../../local/emulators/sqs/service';
import { createTestTable, dynamodbEndpoint } from '../support/dynamodb';
import { deliveryTo, warehouse } from '../support/fixtures';
import { type ApiResponse, apiClient, loadHandlers, setFunctionEnvironment } from './harness';

/**
 * Every write route refuses up front what DynamoDB or its document client would refuse later: a number the
 * document client cannot marshal (beyond 2^53, e.g. `unitCost: 1e21`), one DynamoDB cannot store (closer to
 * zero than 1e-130), a quantity or price past the domain's bounds, an overlong id. The answer is a 422 naming
 * the field, and nothing is written or queued. Before this, the feed answered 202 and its ingest failed on
 * every delivery; the other routes answered 200 with absurd figures, or a 500.
 */
const keys = { ops: 'key-ops', channel: 'key-channel', staff: 'key-staff', supplier: 'key-supplier' };

let call: ReturnType<typeof apiClient>;
let sqsService: SqsService;
let sqs: SQSClient;
let table: Awaited<ReturnType<typeof createTestTable>>;

beforeAll(async () => {
  table = await createTestTable();
  sqsService = await startSqsService({ port: 0, queues: [{ name: 'supplierStockFeed' }] });
  setFunctionEnvironment({
    tableName: table.tableName,
    dynamodbEndpoint: dynamodbEndpoint(),
    sqsEndpoint: sqsService.url,
    queueUrl: sqsService.queueUrl('supplierStockFeed'),
  });
  call = apiClient(await loadHandlers());
  sqs = new SQSClient({ region: localRegion, credentials: localCredentials, endpoint: sqsService.url });
  const principals = [
    { apiKey: keys.ops, principalId: 'ops:alice', role: 'ops', scope: '*' },
    { apiKey: keys.channel, principalId: 'channel:web', role: 'channel', scope: '*' },
    { apiKey: keys.staff, principalId: 'staff:WH-1', role: 'staff', scope: 'WH-1' },
    { apiKey: keys.supplier, principalId: 'supplier:SUP-1', role: 'supplier', scope: 'SUP-1' },
  ] as const;
  for (const principal of principals) await savePrincipal(table.document, table.tableName, principal);
}, 60_000);

afterAll(async () => {
  sqs?.destroy();
  await sqsService?.close();
});

async function itemCount(): Promise<number> {
  const { Items } = await table.document.send(
    new ScanCommand({ TableName: table.tableName, ConsistentRead: true }),
  );
  return Items?.length ?? 0;
}

async function queuedMessages(): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: sqsService.queueUrl('supplierStockFeed'),
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
  );
}

/** A 422 problem naming exactly these JSON pointers. */
function expectRefused(response: ApiResponse, pointers: string[]) {
  expect(response.status, JSON.stringify(response.json)).toBe(422);
  expect(response.headers['content-type']).toBe('application/problem+json');
  expect(response.json.code).toBe('REQUEST.VALIDATION_FAILED');
  expect(response.json.errors?.map((error) => error.pointer).sort()).toEqual([...pointers].sort());
}

const goodItem = { sku: 'SKU-OK', available: 5, leadTimeDays: 2, unitCost: 4.2 };
const postFeed = (body: unknown) => call('POST', '/suppliers/SUP-1/stock', { apiKey: keys.supplier, body });

describe('the supplier feed refuses, item by item, what the ingest could not store', () => {
  it.each([
    {
      what: 'a unit cost the document client cannot marshal (1e21)',
      item: { unitCost: 1e21 },
      field: 'unitCost',
    },
    { what: 'a unit cost past the money bound', item: { unitCost: maxMoney + 1 }, field: 'unitCost' },
    { what: 'a unit cost DynamoDB cannot store (1e-200)', item: { unitCost: 1e-200 }, field: 'unitCost' },
    { what: 'a unit cost with more than 4 decimals', item: { unitCost: 0.00001 }, field: 'unitCost' },
    { what: 'a negative unit cost', item: { unitCost: -1 }, field: 'unitCost' },
    { what: 'a huge quantity', item: { available: maxQuantity + 1 }, field: 'available' },
    { what: 'a quantity past 2^53', item: { available: 2 ** 53 }, field: 'available' },
    { what: 'a lead time of centuries', item: { leadTimeDays: 100_000 }, field: 'leadTimeDays' },
    { what: 'a fractional quantity', item: { available: 1.5 }, field: 'available' },
    { what: 'a number sent as a string ("NaN")', item: { available: 'NaN' }, field: 'available' },
    { what: 'an overlong sku', item: { sku: 'S'.repeat(65) }, field: 'sku' },
    { what: 'a sku with spaces', item: { sku: 'SKU 1' }, field: 'sku' },
    { what: 'the same sku twice', item: { sku: goodItem.sku }, field: 'sku' },
  ])('$what: 422 naming /items/1/$field', async ({ item, field }) => {
    const refused = await postFeed({ feedSeq: 1, items: [goodItem, { ...goodItem, sku: 'SKU-2', ...item }] });
    expectRefused(refused, [`/items/1/${field}`]);
  });

  it('refuses JSON numbers that overflow to Infinity, and a feedSeq past 2^53', async () => {
    const overflow = `{"feedSeq":1,"items":[{"sku":"SKU-1","available":1e400,"leadTimeDays":1}]}`;
    expectRefused(await postFeed(overflow), ['/items/0/available']);
    expectRefused(await postFeed({ feedSeq: 2 ** 53, items: [goodItem] }), ['/feedSeq']);
  });

  it('names every bad item of one feed at once', async () => {
    const refused = await postFeed({
      feedSeq: 1,
      items: [
        goodItem,
        { ...goodItem, sku: 'SKU-A', unitCost: 1e21 },
        { ...goodItem, sku: 'SKU-B' },
        { ...goodItem, sku: 'SKU-C', available: 1e12, leadTimeDays: -1 },
      ],
    });
    expectRefused(refused, ['/items/1/unitCost', '/items/3/available', '/items/3/leadTimeDays']);
    expect(refused.json.errors?.find((error) => error.pointer === '/items/1/unitCost')?.field).toBe(
      'items[1].unitCost',
    );
  });

  it('queued nothing and wrote nothing for any refused feed (only the four principals, key and record each, are in the table)', async () => {
    expect(await queuedMessages()).toBe(0);
    expect(await itemCount()).toBe(8);
  });

  it('accepts the bounds themselves, and the largest feed it accepts fits in one SQS message', async () => {
    const largest = {
      supplierId: 'S'.repeat(64),
      feedSeq: Number.MAX_SAFE_INTEGER,
      receivedAt: new Date(0).toISOString(),
      items: Array.from({ length: maxSupplierFeedItems }, (_, index) => ({
        sku: `${index}`.padStart(64, 'S'),
        available: maxQuantity,
        leadTimeDays: maxLeadTimeDays,
        unitCost: maxMoney - 0.0001,
      })),
    };
    // The schema the API and the ingest share admits it; its JSON stays within SendMessage's limit.
    expect(supplierStockMessageSchema.safeParse(largest).success).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(largest))).toBeLessThanOrEqual(maxSqsMessageBytes);
    const { supplierId: _id, receivedAt: _at, ...body } = largest;
    expect((await postFeed(body)).status).toBe(202);
    expectRefused(await postFeed({ ...body, items: [...body.items, goodItem] }), ['/items']);
  });
});

describe('every other write route refuses numbers the store or the domain cannot take', () => {
  let itemsBefore = 0;
  beforeAll(async () => {
    itemsBefore = await itemCount();
  });

  it('PUT /locations/{id}: coordinates DynamoDB cannot store, reorder figures past the bound', async () => {
    const put = (body: unknown) => call('PUT', '/locations/WH-1', { apiKey: keys.ops, body });
    expectRefused(await put({ ...warehouse, lat: 1e-200, lng: -1e-200 }), ['/lat', '/lng']);
    expectRefused(await put({ ...warehouse, fulfils: ['same_day'], sameDayRadiusKm: 1e-200 }), [
      '/sameDayRadiusKm',
    ]);
    expectRefused(await put({ ...warehouse, reorderPoint: maxQuantity + 1, reorderQuantity: 2 ** 53 }), [
      '/reorderPoint',
      '/reorderQuantity',
    ]);
  });

  it('PUT /locations/{id}/stock/{sku}: counts past the bound', async () => {
    const refused = await call('PUT', '/locations/WH-1/stock/SKU-1', {
      apiKey: keys.ops,
      body: { onHand: maxQuantity + 1, safetyStock: 1e15, reorderPoint: 1e12, reorderQuantity: 1e10 },
    });
    expectRefused(refused, ['/onHand', '/safetyStock', '/reorderPoint', '/reorderQuantity']);
  });

  it('POST /orders: quantities past the bound and coordinates DynamoDB cannot store', async () => {
    const refused = await call('POST', '/orders', {
      apiKey: keys.channel,
      headers: { 'Idempotency-Key': 'huge' },
      body: {
        customerId: 'c-1',
        fulfilment: { type: 'delivery', address: { ...deliveryTo, lat: 1e-200 } },
        lines: [
          { sku: 'SKU-1', qty: maxQuantity + 1 },
          { sku: 'SKU-2', qty: 1 },
        ],
      },
    });
    expectRefused(refused, ['/fulfilment/address/lat', '/lines/0/qty']);
  });

  it('confirming and receiving purchase orders: quantities past the bound', async () => {
    const lines = [{ sku: 'SKU-1', qty: maxQuantity + 1 }];
    expectRefused(
      await call('POST', '/suppliers/SUP-1/purchase-orders/PO-1/confirm', {
        apiKey: keys.supplier,
        body: { lines, eta: '2030-01-01' },
      }),
      ['/lines/0/qty'],
    );
    expectRefused(
      await call('POST', '/locations/WH-1/receipts', { apiKey: keys.staff, body: { poId: 'PO-1', lines } }),
      ['/lines/0/qty'],
    );
  });

  it('wrote nothing for any refused request', async () => {
    expect(await itemCount()).toBe(itemsBefore);
  });
});
