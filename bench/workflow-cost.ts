import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { savePrincipal } from '../functions/adapters/dynamodb/principals';
import { functionDefaults, functions } from '../functions/contracts/system';
import { localCredentials, localRegion, stateMachineArn } from '../local/aws';
import { startLocalCloud } from '../local/cloud';
import { startDynamoDbLocal } from '../local/dynamodb/dynamodb-local';
import type { Benchmark } from './harness';

/** us-east-1 list prices used (Standard workflows, Lambda arm64, DynamoDB on-demand). */
const prices = {
  perTransition: 0.025 / 1000,
  perLambdaRequest: 0.2 / 1_000_000,
  perGbSecond: 0.0000133334,
  perWru: 0.625 / 1_000_000,
  perRru: 0.125 / 1_000_000,
};
const happyOrders = 30;
const backorderOrders = 8;

const readOperations = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);

/**
 * A proxy in front of DynamoDB Local that adds `ReturnConsumedCapacity: TOTAL` to every request and sums
 * what DynamoDB Local reports, split into read and write units by operation. Every caller (handlers and
 * the Step Functions service's direct integrations) goes through it, so nothing is estimated.
 */
async function capacityProxy(target: string) {
  const totals = { read: 0, write: 0, requests: 0 };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      let body = Buffer.concat(chunks).toString('utf8');
      try {
        const json = JSON.parse(body) as Record<string, unknown>;
        if (operation !== 'CreateTable' && operation !== 'DescribeTable' && operation !== 'UpdateTimeToLive')
          json.ReturnConsumedCapacity = 'TOTAL';
        body = JSON.stringify(json);
      } catch {
        // not JSON: forward unchanged
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (name === 'host' || name === 'content-length' || value === undefined) continue;
        headers[name] = Array.isArray(value) ? value.join(',') : value;
      }
      const answer = await fetch(`${target}${request.url ?? '/'}`, { method: request.method, headers, body });
      const text = await answer.text();
      try {
        const parsed = JSON.parse(text) as { ConsumedCapacity?: unknown };
        const consumed = [parsed.ConsumedCapacity ?? []].flat() as { CapacityUnits?: number }[];
        const units = consumed.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
        if (readOperations.has(operation)) totals.read += units;
        else totals.write += units;
        totals.requests++;
      } catch {
        // not JSON
      }
      response.writeHead(answer.status, Object.fromEntries(answer.headers.entries()));
      response.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    totals,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const memoryOf = (name: string): number =>
  (functions as Record<string, { memoryMb?: number }>)[name]?.memoryMb ?? functionDefaults.memoryMb;

/**
 * Per-order cost drivers of the happy path and the backorder path, measured on the local cloud: state
 * transitions (entered states in the executions' histories), Lambda requests and GB-s (runtime invocation
 * records, local durations), DynamoDB read/write units (reported by DynamoDB Local through a proxy); and
 * the AWS list-price cost per million orders they imply.
 */
export const workflowCostBenchmark: Benchmark = {
  name: 'workflow-cost',
  description: 'per-order transitions, Lambda requests, DynamoDB units and AWS cost per million orders',
  async run() {
    const dynamodb = await startDynamoDbLocal({});
    const proxy = await capacityProxy(dynamodb.endpoint);
    const cloud = await startLocalCloud({
      dynamodbEndpoint: proxy.url,
      prewarm: true,
      retryIntervalScale: 0,
    });
    const invocations: { functionName: string; durationMs: number }[] = [];
    cloud.runtime.onInvocation((record) => invocations.push(record));
    const sfn = new SFNClient({
      endpoint: cloud.endpoints.stepfunctions,
      region: localRegion,
      credentials: localCredentials,
    });
    const document = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: dynamodb.endpoint, region: localRegion, credentials: localCredentials }),
    );
    const api = async (
      path: string,
      key: string,
      method = 'GET',
      body?: unknown,
      headers: Record<string, string> = {},
    ) => {
      const response = await fetch(`${cloud.endpoints.api}${path}`, {
        method,
        headers: { 'content-type': 'application/json', 'x-api-key': key, ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = (await response.json()) as Record<string, unknown>;
      if (response.status >= 300)
        throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
      return json;
    };
    // Polls the table directly, not the API: the benchmark must not add its own Lambda requests.
    const statusOf = async (orderId: string) =>
      (
        await document.send(
          new GetCommand({ TableName: cloud.tableName, Key: { pk: `ORDER#${orderId}`, sk: 'ORDER' } }),
        )
      ).Item?.status as string | undefined;
    const until = async <T>(probe: () => Promise<T | undefined>): Promise<T> => {
      for (let i = 0; i < 6000; i++) {
        const value = await probe();
        if (value !== undefined) return value;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error('timed out');
    };
    const warehouse = 'WH-BENCH';
    const supplierId = 'SUP-BENCH';
    const staffKey = `stf_${randomUUID()}`;
    const supplierKey = `sup_${randomUUID()}`;
    await savePrincipal(document, cloud.tableName, {
      apiKey: staffKey,
      principalId: 'staff:bench',
      role: 'staff',
      scope: warehouse,
    });
    await savePrincipal(document, cloud.tableName, {
      apiKey: supplierKey,
      principalId: 'supplier:bench',
      role: 'supplier',
      scope: supplierId,
    });
    await api(`/locations/${warehouse}`, cloud.keys.ops, 'PUT', {
      type: 'warehouse',
      name: 'Bench',
      lat: 51.5,
      lng: -0.1,
      fulfils: ['delivery'],
    });
    await api(`/locations/${warehouse}/stock/SKU-HAPPY`, cloud.keys.ops, 'PUT', {
      onHand: 100_000,
      safetyStock: 0,
    });
    const order = (sku: string, qty: number) => ({
      customerId: 'bench',
      fulfilment: {
        type: 'delivery',
        address: { line1: '1', city: 'L', postalCode: 'E1', country: 'GB', lat: 51.5, lng: -0.1 },
      },
      lines: [{ sku, qty }],
    });
    const backorderSkus = Array.from({ length: backorderOrders }, (_, i) => `SKU-BO-${i}`);
    await api(`/suppliers/${supplierId}/stock`, supplierKey, 'POST', {
      feedSeq: 1,
      items: backorderSkus.map((sku) => ({ sku, available: 1000, leadTimeDays: 2, unitCost: 3 })),
    });
    await until(
      async () =>
        ((await api('/inventory/SKU-BO-0', cloud.keys.ops)).suppliers as unknown[]).length > 0 || undefined,
    );

    const transitionsOf = async (orderIds: readonly string[]) => {
      let total = 0;
      for (const workflow of ['fulfilment', 'procurement']) {
        const listed = await sfn.send(
          new ListExecutionsCommand({ stateMachineArn: stateMachineArn(workflow), maxResults: 1000 }),
        );
        for (const execution of listed.executions ?? []) {
          if (!orderIds.some((id) => execution.name?.startsWith(id))) continue;
          const history = await sfn.send(
            new GetExecutionHistoryCommand({ executionArn: execution.executionArn, maxResults: 1000 }),
          );
          total += (history.events ?? []).filter((event) => event.type?.endsWith('StateEntered')).length;
        }
      }
      return total;
    };
    /** An order is RESERVED before its reserve task returns: count only once its executions have ended. */
    const ended = (orderIds: readonly string[]) =>
      until(async () => {
        for (const workflow of ['fulfilment', 'procurement']) {
          const running = await sfn.send(
            new ListExecutionsCommand({
              stateMachineArn: stateMachineArn(workflow),
              statusFilter: 'RUNNING',
              maxResults: 1000,
            }),
          );
          if ((running.executions ?? []).some((e) => orderIds.some((id) => e.name?.startsWith(id))))
            return undefined;
        }
        return true;
      });
    const measure = async (variant: string, orders: number, drive: () => Promise<string[]>) => {
      const before = { ...proxy.totals };
      invocations.length = 0;
      const started = performance.now();
      const orderIds = await drive();
      const wallMs = performance.now() - started;
      await ended(orderIds);
      const perOrder = (n: number) => n / orders;
      const transitions = perOrder(await transitionsOf(orderIds));
      const lambdaRequests = perOrder(invocations.length);
      const gbSeconds = perOrder(
        invocations.reduce((sum, i) => sum + (i.durationMs / 1000) * (memoryOf(i.functionName) / 1024), 0),
      );
      const rru = perOrder(proxy.totals.read - before.read);
      const wru = perOrder(proxy.totals.write - before.write);
      const costPerMillion =
        1_000_000 *
        (transitions * prices.perTransition +
          lambdaRequests * prices.perLambdaRequest +
          gbSeconds * prices.perGbSecond +
          wru * prices.perWru +
          rru * prices.perRru);
      return {
        variant,
        orders,
        'transitions/order': transitions,
        'lambda req/order': lambdaRequests,
        'GB-s/order': Number(gbSeconds.toFixed(4)),
        'RRU/order': rru,
        'WRU/order': wru,
        'SFN $/1M': 1_000_000 * transitions * prices.perTransition,
        'total $/1M orders': costPerMillion,
        'orders/s': orders / (wallMs / 1000),
      };
    };
    try {
      const happy = await measure('happy path (RESERVED)', happyOrders, async () => {
        const ids = await Promise.all(
          Array.from({ length: happyOrders }, async (_, i) => {
            const { orderId } = (await api('/orders', cloud.keys.channel, 'POST', order('SKU-HAPPY', 1), {
              'idempotency-key': `h-${i}`,
            })) as { orderId: string };
            await until(async () => ((await statusOf(orderId)) === 'RESERVED' ? true : undefined));
            return orderId;
          }),
        );
        return ids;
      });
      const backorder = await measure(
        'backorder path (PO → receipt → RESERVED)',
        backorderOrders,
        async () => {
          const ids: string[] = [];
          for (const sku of backorderSkus) {
            const { orderId } = (await api('/orders', cloud.keys.channel, 'POST', order(sku, 2), {
              'idempotency-key': `b-${sku}`,
            })) as { orderId: string };
            const po = await until(async () => {
              const { items } = (await api(`/suppliers/${supplierId}/purchase-orders`, supplierKey)) as {
                items: { poId: string; status: string; lines: { sku: string }[] }[];
              };
              return items.find((item) => item.status === 'OPEN' && item.lines[0]?.sku === sku);
            });
            await api(`/suppliers/${supplierId}/purchase-orders/${po.poId}/confirm`, supplierKey, 'POST', {
              lines: [{ sku, qty: 2 }],
              eta: '2026-12-01',
            });
            await api(`/locations/${warehouse}/receipts`, staffKey, 'POST', {
              poId: po.poId,
              lines: [{ sku, qty: 2 }],
            });
            await until(async () => ((await statusOf(orderId)) === 'RESERVED' ? true : undefined));
            ids.push(orderId);
          }
          return ids;
        },
      );
      return {
        rows: [happy, backorder],
        notes: [
          `prices (us-east-1 list): Standard $0.025/1k transitions; Lambda $0.20/1M requests + $0.0000133334/GB-s (arm64); DynamoDB on-demand $0.625/M WRU, $0.125/M RRU`,
          'transitions = entered states in the histories of the order’s fulfilment and procurement executions',
          'Lambda = every invocation in the window incl. authorizer, API and task functions (the supplier list poll of the backorder driver included); GB-s from local durations × configured memory',
          'DynamoDB units = ConsumedCapacity reported by DynamoDB Local for every request (proxy adds ReturnConsumedCapacity=TOTAL)',
          'backorder orders run one at a time (driver waits for each PO); happy orders concurrently; orders/s is the local cloud, not AWS',
        ],
      };
    } finally {
      await cloud.stop();
      await proxy.close();
      await dynamodb.stop();
    }
  },
};
