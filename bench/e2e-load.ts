import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from '../functions/contracts/keys';
import { orderIdOf } from '../functions/contracts/order-ids';
import { type LocalCloud, startLocalCloud } from '../local/cloud';
import { demoChannels } from '../local/demo-data';
import { startDynamoDbLocal } from '../local/emulators/dynamodb/dynamodb-local';
import { localCredentials, localRegion, stateMachineArn } from '../local/emulators/protocol/identity';
import { deliveryTo } from '../test/support/fixtures';
import {
  type CapacityTotals,
  ownCpuMs,
  percentile,
  processCpuMs,
  startProxyProcess,
} from './e2e-load/measures';
import type { Benchmark } from './harness';

/**
 * Issue 10 item 13: 1,000 orders through the real local stack (gateway, authorizer, Lambda workers, Step
 * Functions, DynamoDB Local) at 10 and at 50 concurrent clients. Time to RESERVED is read from the order
 * item itself (its updatedAt when, reserved, it was handed to dispatch: PICKING), so the bench does not poll
 * the API and load it.
 * DynamoDB requests and units are counted by a capacity proxy in its own process; node CPU is this
 * process (local cloud and the driver's HTTP client), Java CPU is DynamoDB Local's JVM.
 */
const orders = Number(process.env.E2E_LOAD_ORDERS ?? 1000);
/**
 * Orders placed first and not measured: the JVM's JIT compiles DynamoDB Local's hot paths during the first
 * few hundred requests, and that one-off CPU would otherwise be billed to whichever concurrency runs first.
 */
const warmUpOrders = Number(process.env.E2E_LOAD_WARMUP ?? 300);
const concurrencies = (process.env.E2E_LOAD_CONCURRENCY ?? '10,50').split(',').map(Number);
const skuCount = 20;
const baselineFile = fileURLToPath(new URL('./baselines/e2e-load-before-item-13.json', import.meta.url));

export const e2eLoadBenchmark: Benchmark = {
  name: 'e2e-load',
  description: `${orders} orders (qty 1, ${skuCount} SKUs, one warehouse) through the local stack at concurrency ${concurrencies.join(' and ')}, after ${warmUpOrders} warm-up orders; before (baseline file) vs now`,
  async run() {
    const dynamodb = await startDynamoDbLocal({});
    const proxy = await startProxyProcess(dynamodb.endpoint);
    const cloud = await startLocalCloud({ dynamodbEndpoint: proxy.url, prewarm: true });
    const aws = { region: localRegion, credentials: localCredentials };
    const direct = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamodb.endpoint, ...aws }));
    const sfn = new SFNClient({ endpoint: cloud.endpoints.stepfunctions, ...aws });
    try {
      const skus = await stockWarehouse(cloud, orders * concurrencies.length + warmUpOrders);
      if (warmUpOrders > 0) {
        const warmUp = await placeOrders(cloud, skus, 10, warmUpOrders);
        await settle(direct, cloud.tableName, warmUp.placed);
      }
      const rows: Record<string, string | number>[] = [...baselineRows()];
      /** DynamoDB requests and units per order, by operation: where the units go. */
      const details: Record<string, unknown> = {};
      for (const concurrency of concurrencies) {
        const before = { node: ownCpuMs(), java: processCpuMs(dynamodb.pid), capacity: await proxy.totals() };
        const failedBefore = await failedExecutions(sfn);
        const run = await placeOrders(cloud, skus, concurrency, orders);
        const settled = await settle(direct, cloud.tableName, run.placed);
        const after = { node: ownCpuMs(), java: processCpuMs(dynamodb.pid), capacity: await proxy.totals() };
        const reserved = settled.reservedMs.sort((a, b) => a - b);
        const posts = run.postMs.sort((a, b) => a - b);
        const per = (value: number) => value / orders;
        const units = (field: keyof Pick<CapacityTotals, 'read' | 'write' | 'requests'>) =>
          per(after.capacity[field] - before.capacity[field]);
        details[`concurrency ${concurrency}`] = perOperation(before.capacity, after.capacity, orders);
        rows.push({
          variant: 'now',
          concurrency,
          'orders/s': orders / ((settled.endedAt - run.startedAt) / 1000),
          'POST p50 ms': percentile(posts, 50),
          'POST p95 ms': percentile(posts, 95),
          'POST p99 ms': percentile(posts, 99),
          'RESERVED p50 ms': percentile(reserved, 50),
          'RESERVED p95 ms': percentile(reserved, 95),
          'node CPU ms/order': per(after.node - before.node),
          'java CPU ms/order':
            after.java !== undefined && before.java !== undefined ? per(after.java - before.java) : 'n/a',
          'DDB req/order': units('requests'),
          'RRU/order': units('read'),
          'WRU/order': units('write'),
          'not 202': run.refused,
          'not RESERVED': settled.notReserved,
          'failed executions': (await failedExecutions(sfn)) - failedBefore,
        });
      }
      return {
        rows,
        details,
        notes: [
          'Targets (2 cores): ≥ 60 orders/s at concurrency 50 with 0 failed executions; POST p99 ≤ 250 ms at concurrency 10.',
          'node CPU includes the driver (its HTTP client); the capacity proxy runs in its own process and is not counted.',
          `Baseline rows: ${existsSync(baselineFile) ? baselineFile : 'none yet'} (the same bench run at the commit before the item 13 levers: authorizer cache, no idempotency pre-read, fewer replenishment reads).`,
        ],
      };
    } finally {
      await cloud.stop();
      proxy.stop();
      await dynamodb.stop();
    }
  },
};

function perOperation(before: CapacityTotals, after: CapacityTotals, orders: number) {
  return Object.fromEntries(
    Object.entries(after.byOperation).map(([operation, figures]) => {
      const earlier = before.byOperation[operation] ?? { requests: 0, units: 0, refused: 0 };
      return [
        operation,
        {
          requestsPerOrder: (figures.requests - earlier.requests) / orders,
          unitsPerOrder: (figures.units - earlier.units) / orders,
          refusedPerOrder: (figures.refused - earlier.refused) / orders,
        },
      ];
    }),
  );
}

function baselineRows(): Record<string, string | number>[] {
  if (!existsSync(baselineFile)) return [];
  const recorded = JSON.parse(readFileSync(baselineFile, 'utf8')) as {
    ranAt: string;
    rows: Record<string, string | number>[];
  };
  return recorded.rows
    .filter((row) => row.variant === 'now')
    .map((row) => ({ ...row, variant: `before (${recorded.ranAt.slice(0, 10)})` }));
}

async function stockWarehouse(cloud: LocalCloud, units: number): Promise<string[]> {
  const api = (path: string, body: unknown) =>
    fetch(`${cloud.endpoints.api}${path}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-api-key': cloud.keys.ops },
      body: JSON.stringify(body),
    }).then(async (response) => {
      if (response.status !== 200)
        throw new Error(`PUT ${path}: ${response.status} ${await response.text()}`);
    });
  await api('/locations/WH-LOAD', {
    type: 'warehouse',
    name: 'Load DC',
    lat: 51.5,
    lng: -0.1,
    fulfils: ['delivery'],
  });
  const skus = Array.from({ length: skuCount }, (_, index) => `SKU-LOAD-${index}`);
  for (const sku of skus)
    await api(`/locations/WH-LOAD/stock/${sku}`, {
      onHand: Math.ceil(units / skuCount) + 10,
      safetyStock: 0,
    });
  return skus;
}

async function placeOrders(cloud: LocalCloud, skus: readonly string[], concurrency: number, count: number) {
  const placed: { orderId: string; sentAt: number }[] = [];
  const postMs: number[] = [];
  let refused = 0;
  let next = 0;
  const startedAt = Date.now();
  const client = async () => {
    for (let index = next++; index < count; index = next++) {
      const channelOrderId = `load-${randomUUID()}`;
      const sentAt = Date.now();
      const started = performance.now();
      const response = await fetch(`${cloud.endpoints.api}/orders`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-api-key': cloud.keys.channel,
          'idempotency-key': channelOrderId,
        },
        body: JSON.stringify({
          orderId: channelOrderId,
          customerId: `load-${index}`,
          fulfilment: {
            type: 'delivery',
            address: deliveryTo,
          },
          lines: [{ sku: skus[index % skus.length], qty: 1 }],
        }),
      });
      await response.arrayBuffer();
      postMs.push(performance.now() - started);
      if (response.status === 202)
        placed.push({ orderId: orderIdOf(demoChannels[0], channelOrderId), sentAt });
      else refused++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return { placed, postMs, refused, startedAt };
}

/** Polls the order items directly (not through the proxy) until none is ACCEPTED, or 5 minutes pass. */
async function settle(
  document: DynamoDBDocumentClient,
  tableName: string,
  placed: readonly { orderId: string; sentAt: number }[],
) {
  const sentAt = new Map(placed.map((order) => [order.orderId, order.sentAt]));
  const reservedMs: number[] = [];
  let pending = placed.map((order) => order.orderId);
  let notReserved = 0;
  const deadline = Date.now() + 300_000;
  while (pending.length > 0 && Date.now() < deadline) {
    const still: string[] = [];
    for (let start = 0; start < pending.length; start += 100) {
      const batch = pending.slice(start, start + 100);
      const { Responses, UnprocessedKeys } = await document.send(
        new BatchGetCommand({
          RequestItems: { [tableName]: { Keys: batch.map((id) => keys.order(id)), ConsistentRead: true } },
        }),
      );
      const found = new Map((Responses?.[tableName] ?? []).map((item) => [String(item.orderId), item]));
      for (const id of batch) {
        const item = found.get(id);
        // RESERVED is on the way: the order is settled once handed to dispatch (PICKING).
        if (!item || item.status === 'ACCEPTED' || item.status === 'RESERVED') still.push(id);
        else if (item.status === 'PICKING')
          reservedMs.push(Date.parse(String(item.updatedAt)) - (sentAt.get(id) as number));
        else notReserved++;
      }
      if (UnprocessedKeys && Object.keys(UnprocessedKeys).length > 0) throw new Error('unprocessed keys');
    }
    pending = still;
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { reservedMs, notReserved: notReserved + pending.length, endedAt: Date.now() };
}

async function failedExecutions(sfn: SFNClient): Promise<number> {
  let count = 0;
  for (const machine of ['fulfilment', 'procurement']) {
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(
        new ListExecutionsCommand({
          stateMachineArn: stateMachineArn(machine),
          statusFilter: 'FAILED',
          nextToken,
        }),
      );
      count += page.executions?.length ?? 0;
      nextToken = page.nextToken;
    } while (nextToken);
  }
  return count;
}
