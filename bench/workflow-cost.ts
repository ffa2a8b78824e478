import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { loadOrderPartition } from '../functions/adapters/dynamodb/orders';
import { savePrincipal } from '../functions/adapters/dynamodb/principals';
import { listPurchaseOrders } from '../functions/adapters/dynamodb/procurement/purchase-orders';
import { orderIdOf } from '../functions/contracts/order-ids';
import { functionDefaults, functions } from '../functions/contracts/system';
import { type LocalCloud, type LocalCloudOptions, startLocalCloud } from '../local/cloud';
import { demoChannels } from '../local/demo-data';
import { startDynamoDbLocal } from '../local/emulators/dynamodb/dynamodb-local';
import { localCredentials, localRegion, stateMachineArn } from '../local/emulators/protocol/identity';
import type { Benchmark } from './harness';
import { capacityProxy } from './workflow-cost/capacity-proxy';
import { lambdaParkDefinition, parkFunctionName, withParkFunction } from './workflow-cost/lambda-park';
import { lifecycleDrivers, lifecycleLocations, lifecycleSku } from './workflow-cost/lifecycles';

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
/** Orders per dispatch lifecycle (run concurrently). */
const lifecycleOrders = 10;
/** Up to the hand-off to dispatch: fulfilment and procurement. Whole lifecycles add dispatch. */
const toDispatch = ['fulfilment', 'procurement'];
const wholeLifecycle = [...toDispatch, 'dispatch'];

const memoryOf = (name: string): number =>
  (functions as Record<string, { memoryMb?: number }>)[name]?.memoryMb ?? functionDefaults.memoryMb;

/** Which way the three callback states park their task token. */
interface Design {
  readonly label: string;
  readonly variant?: (
    dynamodb: DynamoDBClient,
    record: (i: Invocation) => void,
  ) => LocalCloudOptions['workflowVariant'];
}
interface Invocation {
  functionName: string;
  durationMs: number;
}

const designs: readonly Design[] = [
  { label: 'aws-sdk:dynamodb:updateItem.waitForTaskToken (chosen)' },
  {
    label: `lambda:invoke.waitForTaskToken → ${parkFunctionName} (alternative)`,
    variant: (dynamodb, record) => ({
      definition: (_workflow, asl) => lambdaParkDefinition(asl),
      invoker: (runtime) => withParkFunction(runtime, dynamodb, record),
    }),
  },
];

/**
 * Per-order cost drivers of the happy path and the backorder path, measured on the local cloud for each way
 * of parking callback tokens, beside the figures recorded before issue 8 (the optimized DynamoDB integration,
 * which AWS refuses): state transitions (entered states in the executions' histories), Lambda requests and
 * GB-s (runtime invocation records, local durations), DynamoDB read/write units (reported by DynamoDB Local
 * through a proxy); and the AWS list-price cost per million orders they imply.
 */
export const workflowCostBenchmark: Benchmark = {
  name: 'workflow-cost',
  description: 'per-order transitions, Lambda requests, DynamoDB units and AWS cost per million orders',
  async run() {
    const dynamodb = await startDynamoDbLocal({});
    const proxy = await capacityProxy(dynamodb.endpoint);
    const rows: Record<string, string | number>[] = baselineRows();
    /** Per design and path: invocations by function and DynamoDB requests/units by operation, to explain the table. */
    const details: unknown[] = [];
    try {
      for (const design of designs)
        rows.push(...(await measureDesign(design, proxy, dynamodb.endpoint, details)));
    } finally {
      await proxy.close();
      await dynamodb.stop();
    }
    return {
      rows,
      details,
      notes: [
        `before = ${baseline.design}, recorded ${baseline.recordedAt.slice(0, 10)} at ${baseline.commit} (bench/baselines)`,
        `prices (us-east-1 list): Standard $0.025/1k transitions; Lambda $0.20/1M requests + $0.0000133334/GB-s (arm64); DynamoDB on-demand $0.625/M WRU, $0.125/M RRU`,
        'transitions = entered states in the histories of the order’s fulfilment and procurement executions; lifecycles add its dispatch executions (one per shipment) and re-route rounds',
        'happy and backorder paths end when dispatch has parked its pick wait (that write is counted); lifecycles end when every execution has ended',
        'lifecycles: every staff step over the API with the store’s key; the channel’s read of the pickup code is counted',
        'delivery by carrier: BookCarrier calls the sandbox carrier’s API; its signed tracking webhooks (picked up, out for delivery, delivered) are API requests, counted',
        'return: the order was collected before the window; counted: the request, the receipt, the refund answer (API), the returns execution, its refund.requested event and every write (return item, stock, order timeline and status, KPI counters)',
        'every path includes its channel events: the stream-triggered publisher, the event-log writes and the signed deliveries to the channel’s webhook (stream reads are not billed as RRU)',
        'Lambda = every invocation in the window incl. authorizer, API and task functions; GB-s from local durations × configured memory',
        'the backorder driver finds each PO by reading the table directly (uncounted), then confirms and receives it over the API (counted), as a supplier and a warehouse would',
        'task tokens parked on the order and PO items: the local tokens (~225 chars, signed like AWS’s, which are longer still) push those items past 1 KB, so their writes cost 2 WCU',
        'DynamoDB units = ConsumedCapacity reported by DynamoDB Local for every request (proxy adds ReturnConsumedCapacity=TOTAL)',
        'backorder orders run one at a time (driver waits for each PO); happy orders concurrently; orders/s is the local cloud, not AWS',
      ],
    };
  },
};

const baseline = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('./baselines/workflow-cost-before-issue-8.json', import.meta.url)),
    'utf8',
  ),
) as { recordedAt: string; commit: string; design: string; rows: Record<string, string | number>[] };

function baselineRows(): Record<string, string | number>[] {
  return baseline.rows.map(({ variant, ...figures }) => ({
    design: 'before: dynamodb:updateItem.waitForTaskToken (undeployable)',
    path: String(variant),
    ...figures,
    'dispatch transitions/shipment': 'n/a',
  }));
}

async function measureDesign(
  design: Design,
  proxy: Awaited<ReturnType<typeof capacityProxy>>,
  directEndpoint: string,
  details: unknown[],
): Promise<Record<string, string | number>[]> {
  const invocations: Invocation[] = [];
  const record = (invocation: Invocation) => invocations.push(invocation);
  const parkClient = new DynamoDBClient({
    endpoint: proxy.url,
    region: localRegion,
    credentials: localCredentials,
  });
  const cloud = await startLocalCloud({
    dynamodbEndpoint: proxy.url,
    prewarm: true,
    retryIntervalScale: 0,
    // Designs are compared like for like: a duplicate feed delivery would add an ingest invocation by chance.
    sqsDelivery: { mode: 'exact' },
    // Deliveries are booked with the sandbox carriers and every channel event is delivered, as in npm start.
    carrierSandbox: { tickMs: 100 },
    channelReceiver: { channels: [demoChannels[0]] },
    workflowVariant: design.variant?.(parkClient, record),
  });
  cloud.runtime.onInvocation(record);
  try {
    const world = await benchWorld(cloud, directEndpoint);
    const breakdowns: unknown[] = [];
    const measure = costMeter(cloud, proxy, invocations, breakdowns, world.eventsSettled);
    const happy = await measure(happyOrders, () => world.happyOrders(happyOrders));
    const backorder = await measure(backorderOrders, () => world.backorderOrders());
    const rows = [
      { design: design.label, path: 'happy path (RESERVED)', ...happy },
      { design: design.label, path: 'backorder path (PO → receipt → RESERVED)', ...backorder },
    ];
    // Whole dispatch lifecycles: the chosen design only (the alternative differs in parking, not in dispatch).
    if (!design.variant) {
      const measured = [
        [
          'lifecycle: delivery by carrier (pick, pack, booking, webhooks, DELIVERED)',
          world.lifecycles.delivery,
        ],
        ['lifecycle: BOPIS at a stocked store (pick, pack, code, collect)', world.lifecycles.bopis],
        ['lifecycle: store rejects → re-routed → collected elsewhere', world.lifecycles.rejectAndReroute],
      ] as const;
      for (const [path, drive] of measured)
        rows.push({
          design: design.label,
          path,
          ...(await measure(lifecycleOrders, () => drive(lifecycleOrders), wholeLifecycle)),
        });
      // A return of each of a batch of collected orders: only the return is measured (its own workflow, the
      // routes it takes, its refund.requested), not the order that came before it.
      const collected = await world.lifecycles.bopis(lifecycleOrders);
      const sfn = sfnOf(cloud);
      await until(() => executionsEnded(sfn, collected, wholeLifecycle));
      sfn.destroy();
      await until(() => world.eventsSettled(collected));
      await quiet(invocations);
      rows.push({
        design: design.label,
        path: 'return: dropped off at another store, received resellable, refunded, closed',
        ...(await measure(lifecycleOrders, () => world.lifecycles.returned(collected), ['returns'])),
      });
    }
    details.push({ design: design.label, paths: breakdowns });
    return rows;
  } finally {
    await cloud.stop();
    parkClient.destroy();
  }
}

const sfnOf = (cloud: LocalCloud) =>
  new SFNClient({
    endpoint: cloud.endpoints.stepfunctions,
    region: localRegion,
    credentials: localCredentials,
  });

/** Runs `drive` (which returns the order ids it placed) and reports that window's figures per order. */
function costMeter(
  cloud: LocalCloud,
  proxy: Awaited<ReturnType<typeof capacityProxy>>,
  invocations: Invocation[],
  breakdowns: unknown[],
  eventsSettled: (orderIds: readonly string[]) => Promise<true | undefined>,
) {
  const sfn = new SFNClient({
    endpoint: cloud.endpoints.stepfunctions,
    region: localRegion,
    credentials: localCredentials,
  });
  return async (
    orders: number,
    drive: () => Promise<string[]>,
    workflows: readonly string[] = toDispatch,
  ) => {
    const before = { ...proxy.totals, byOperation: structuredClone(proxy.totals.byOperation) };
    invocations.length = 0;
    const started = performance.now();
    const orderIds = await drive();
    const wallMs = performance.now() - started;
    await until(() => executionsEnded(sfn, orderIds, workflows));
    // The channel events the orders caused are published and delivered after the fact: count them too.
    await until(() => eventsSettled(orderIds));
    await quiet(invocations);
    const perOrder = (n: number) => n / orders;
    const transitions = perOrder(await transitionsOf(sfn, orderIds, workflows));
    const dispatch = workflows.includes('dispatch') ? await dispatchTransitions(sfn, orderIds) : undefined;
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
    const byFunction: Record<string, number> = {};
    for (const { functionName } of invocations)
      byFunction[functionName] = (byFunction[functionName] ?? 0) + 1;
    const byOperation = Object.fromEntries(
      Object.entries(proxy.totals.byOperation).map(([operation, now]) => {
        const then = before.byOperation[operation] ?? { requests: 0, units: 0, refused: 0 };
        return [
          operation,
          {
            requests: now.requests - then.requests,
            units: now.units - then.units,
            refused: now.refused - then.refused,
          },
        ];
      }),
    );
    breakdowns.push({
      orders,
      workflows,
      invocationsByFunction: byFunction,
      dynamodbByOperation: byOperation,
    });
    return {
      orders,
      'transitions/order': transitions,
      'dispatch transitions/shipment': dispatch ? dispatch.transitions / dispatch.shipments : 'n/a',
      'lambda req/order': lambdaRequests,
      'GB-s/order': Number(gbSeconds.toFixed(4)),
      'RRU/order': rru,
      'WRU/order': wru,
      'SFN $/1M': 1_000_000 * transitions * prices.perTransition,
      'total $/1M orders': costPerMillion,
      'orders/s': orders / (wallMs / 1000),
    };
  };
}

const until = async <T>(probe: () => Promise<T | undefined>): Promise<T> => {
  for (let i = 0; i < 6000; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('timed out');
};

/** Waits until no function has been invoked for half a second (the stream and the queue are drained). */
async function quiet(invocations: readonly Invocation[]): Promise<void> {
  let seen = -1;
  while (seen !== invocations.length) {
    seen = invocations.length;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const orderExecutions = async (
  sfn: SFNClient,
  orderIds: readonly string[],
  workflows: readonly string[],
  statusFilter?: 'RUNNING',
) => {
  const found = [];
  for (const workflow of workflows) {
    const listed = await sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: stateMachineArn(workflow),
        statusFilter,
        maxResults: 1000,
      }),
    );
    found.push(...(listed.executions ?? []).filter((e) => orderIds.some((id) => e.name?.startsWith(id))));
  }
  return found;
};

/** An order is RESERVED before its reserve task returns: count only once its executions have ended. */
const executionsEnded = async (sfn: SFNClient, orderIds: readonly string[], workflows: readonly string[]) =>
  (await orderExecutions(sfn, orderIds, workflows, 'RUNNING')).length === 0 ? true : undefined;

/** Transitions of the orders' dispatch executions, and how many shipments (executions) they are. */
async function dispatchTransitions(sfn: SFNClient, orderIds: readonly string[]) {
  const executions = await orderExecutions(sfn, orderIds, ['dispatch']);
  return { transitions: await transitionsOf(sfn, orderIds, ['dispatch']), shipments: executions.length };
}

async function transitionsOf(
  sfn: SFNClient,
  orderIds: readonly string[],
  workflows: readonly string[],
): Promise<number> {
  let total = 0;
  for (const execution of await orderExecutions(sfn, orderIds, workflows)) {
    const history = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: execution.executionArn, maxResults: 1000 }),
    );
    total += (history.events ?? []).filter((event) => event.type?.endsWith('StateEntered')).length;
  }
  return total;
}

/** A warehouse, a supplier and their keys, and the two ways of ordering that the benchmark measures. */
async function benchWorld(cloud: LocalCloud, uncountedDynamodbEndpoint: string) {
  // Straight to DynamoDB Local, past the counting proxy: the benchmark's own reads must not count.
  const document = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: uncountedDynamodbEndpoint,
      region: localRegion,
      credentials: localCredentials,
    }),
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
  const reserved = (orderId: string) =>
    until(async () => {
      const { Item } = await document.send(
        new GetCommand({ TableName: cloud.tableName, Key: { pk: `ORDER#${orderId}`, sk: 'ORDER' } }),
      );
      // Reserved and handed to dispatch: its shipments exist, and their dispatch waits for the pick (its
      // token parked), so that write falls in this window too.
      if (Item?.status !== 'PICKING') return undefined;
      const { shipments } = await loadOrderPartition({ document, tableName: cloud.tableName }, orderId);
      return shipments.every((shipment) => shipment.tokenStatus === 'PICKING') ? true : undefined;
    });
  const warehouse = 'WH-BENCH';
  const supplierId = 'SUP-BENCH';
  const staffKey = `stf_${randomUUID()}`;
  const storeKeys = Object.fromEntries(
    Object.keys(lifecycleLocations).map((id) => [id, `stf_${randomUUID()}`]),
  );
  for (const [locationId, apiKey] of Object.entries(storeKeys))
    await savePrincipal(document, cloud.tableName, {
      apiKey,
      principalId: `staff:${locationId}`,
      role: 'staff',
      scope: locationId,
    });
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
  for (const sku of ['SKU-HAPPY', lifecycleSku])
    await api(`/locations/${warehouse}/stock/${sku}`, cloud.keys.ops, 'PUT', {
      onHand: 100_000,
      safetyStock: 0,
    });
  for (const [locationId, { onHand, ...location }] of Object.entries(lifecycleLocations)) {
    await api(`/locations/${locationId}`, cloud.keys.ops, 'PUT', { name: locationId, ...location });
    await api(`/locations/${locationId}/stock/${lifecycleSku}`, cloud.keys.ops, 'PUT', {
      onHand,
      safetyStock: 0,
    });
  }
  const delivery = {
    type: 'delivery',
    address: { line1: '1', city: 'L', postalCode: 'E1', country: 'GB', lat: 51.5, lng: -0.1 },
  };
  const order = (sku: string, qty: number, fulfilment: unknown = delivery) => ({
    customerId: 'bench',
    fulfilment,
    lines: [{ sku, qty }],
  });
  // The system-wide id (the channel's own name, under its channel): executions and the order item use it.
  const place = async (sku: string, qty: number, fulfilment?: unknown) =>
    orderIdOf(
      demoChannels[0],
      (
        (await api('/orders', cloud.keys.channel, 'POST', order(sku, qty, fulfilment), {
          'idempotency-key': randomUUID(),
        })) as { orderId: string }
      ).orderId,
    );
  const backorderSkus = Array.from({ length: backorderOrders }, (_, i) => `SKU-BO-${i}`);
  await api(`/suppliers/${supplierId}/stock`, supplierKey, 'POST', {
    feedSeq: Date.now(),
    items: backorderSkus.map((sku) => ({ sku, available: 1000, leadTimeDays: 2, unitCost: 3 })),
  });
  await until(
    async () =>
      ((await api('/inventory/SKU-BO-0', cloud.keys.ops)).suppliers as unknown[]).length > 0 || undefined,
  );

  /** Every event the orders caused so far is delivered (read past the proxy: the benchmark's own reads). */
  const eventsSettled = async (orderIds: readonly string[]) => {
    for (const orderId of orderIds) {
      const { Items } = await document.send(
        new QueryCommand({
          TableName: cloud.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `EVENTS#${orderId}` },
        }),
      );
      if ((Items ?? []).length === 0 || (Items ?? []).some((item) => item.pending)) return undefined;
    }
    return true as const;
  };

  return {
    eventsSettled,
    lifecycles: lifecycleDrivers(
      { cloud, document, api, place, until, staffKey: { ...storeKeys, [warehouse]: staffKey } },
      warehouse,
    ),
    happyOrders: (count: number) =>
      Promise.all(
        Array.from({ length: count }, async () => {
          const orderId = await place('SKU-HAPPY', 1);
          await reserved(orderId);
          return orderId;
        }),
      ),
    backorderOrders: async () => {
      const ids: string[] = [];
      for (const sku of backorderSkus) {
        const orderId = await place(sku, 2);
        const po = await until(async () =>
          (await listPurchaseOrders({ document, tableName: cloud.tableName }, supplierId)).find(
            (item) => item.status === 'OPEN' && item.lines[0]?.sku === sku,
          ),
        );
        await api(`/suppliers/${supplierId}/purchase-orders/${po.poId}/confirm`, supplierKey, 'POST', {
          lines: [{ sku, qty: 2 }],
          eta: '2026-12-01',
        });
        await api(`/locations/${warehouse}/receipts`, staffKey, 'POST', {
          poId: po.poId,
          lines: [{ sku, qty: 2 }],
        });
        await reserved(orderId);
        ids.push(orderId);
      }
      return ids;
    },
  };
}
