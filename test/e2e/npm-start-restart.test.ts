import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  type ExecutionStatus,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { afterAll, describe, expect, it } from 'vitest';
import { deliveryTo } from '../support/fixtures';
import {
  type Endpoints,
  eventually,
  type RunningLocalCloud,
  spawnLocalCloud,
} from '../support/local-cloud-process';

/**
 * `npm start -- --persist` keeps data, keys' principals and execution records across restarts, and a restart
 * never fails a waiting execution. `npm start -- --persist` stopped (SIGTERM) and killed (kill -9) while a backorder waits for its supplier:
 * AWS never fails an execution because the service restarted, and neither does the local cloud. The
 * waiting executions carry on with the tokens they parked, and the backorder completes.
 */
const stateDir = mkdtempSync(join(tmpdir(), 'o2o-restart-'));
let running: RunningLocalCloud | undefined;

afterAll(async () => {
  await running?.stop();
  await killDynamoDbLocalOf(stateDir);
  rmSync(stateDir, { recursive: true, force: true });
});

const supplier = 'SUP-ACME-APPAREL';
const workflows = ['fulfilment', 'procurement'] as const;
const arnOf = (kind: 'stateMachine' | 'execution', name: string) =>
  `arn:aws:states:us-east-1:000000000000:${kind}:${name}`;

const api = async (
  endpoints: Endpoints,
  path: string,
  key: string,
  body?: unknown,
  idempotencyKey = path,
) => {
  const response = await fetch(`${endpoints.api}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key, 'idempotency-key': idempotencyKey },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

const sfnOf = (endpoints: Endpoints) =>
  new SFNClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    endpoint: endpoints.stepfunctions,
  });

/** Waits until the execution waits for a callback: its last event is the parked task's TaskSubmitted. */
async function parked(sfn: SFNClient, executionArn: string, state: string) {
  await eventually(async () => {
    const { events = [] } = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 10 }),
    );
    const entered = events.find((event) => event.type === 'TaskStateEntered');
    return events[0]?.type === 'TaskSubmitted' && entered?.stateEnteredEventDetails?.name === state
      ? true
      : undefined;
  }, 60_000);
}

async function executionsIn(sfn: SFNClient, status: ExecutionStatus) {
  const lists = await Promise.all(
    workflows.map((workflow) =>
      sfn.send(
        new ListExecutionsCommand({
          stateMachineArn: arnOf('stateMachine', workflow),
          statusFilter: status,
        }),
      ),
    ),
  );
  return lists.flatMap((list) => list.executions ?? []).map((execution) => execution.name);
}

/** The DynamoDB Local processes serving the data directory of `dir` (the JVM, and any process watching it). */
function dynamoDbLocalOf(dir: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        return commandLine.includes('DynamoDBLocal') && commandLine.includes(join(dir, 'dynamodb'));
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

/** Clean-up whatever happens to the test: ends any DynamoDB Local still on the data directory. */
async function killDynamoDbLocalOf(dir: string): Promise<void> {
  for (const pid of dynamoDbLocalOf(dir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // it ended by itself meanwhile
    }
  }
  await eventually(async () => (dynamoDbLocalOf(dir).length === 0 ? true : undefined));
}

const exited = (cloud: RunningLocalCloud) =>
  new Promise<void>((resolve) => {
    if (cloud.process.exitCode !== null || cloud.process.signalCode !== null) resolve();
    else cloud.process.once('exit', () => resolve());
  });

describe('npm start --persist: restarts never fail a waiting execution', () => {
  it('a backorder waiting for its supplier survives SIGTERM and kill -9, and completes', async () => {
    running = await spawnLocalCloud(['--persist'], stateDir);
    let endpoints = running.endpoints;
    const placed = await api(endpoints, '/orders', endpoints.keys.channel, {
      customerId: 'cust-restart',
      fulfilment: { type: 'delivery', address: deliveryTo },
      lines: [{ sku: 'SKU-TSHIRT-M', qty: 500 }],
    });
    expect(placed.status).toBe(202);
    const channelOrderId = placed.body.orderId as string;
    // Executions and purchase orders are named after the system-wide id (<channel>.<its order id>).
    const orderId = `web-shop.${channelOrderId}`;
    const order = async () =>
      (await api(endpoints, `/orders/${channelOrderId}`, endpoints.keys.channel)).body as { status: string };
    const backorderPo = async () => {
      const { body } = await api(
        endpoints,
        `/suppliers/${supplier}/purchase-orders`,
        endpoints.keys.supplier[supplier] as string,
      );
      const items = body.items as { poId: string; status: string; locationId: string; lines: unknown[] }[];
      return items.find((po) => po.poId.startsWith(orderId));
    };
    const po = await eventually(backorderPo, 60_000);
    expect((await order()).status).toBe('BACKORDERED');
    const fulfilment = arnOf('execution', `fulfilment:${orderId}`);
    const procurement = await eventually(async () => {
      const { executions = [] } = await sfnOf(endpoints).send(
        new ListExecutionsCommand({ stateMachineArn: arnOf('stateMachine', 'procurement') }),
      );
      return executions.find((execution) => execution.name?.startsWith(orderId))?.executionArn;
    });
    await parked(sfnOf(endpoints), fulfilment, 'AwaitBackorderAllocation');
    await parked(sfnOf(endpoints), procurement, 'AwaitSupplierDecision');
    // Beside it, a reserved pickup order whose execution has finished: its data and record must survive too.
    const firstKeys = endpoints.keys;
    const pickup = await api(
      endpoints,
      '/orders',
      endpoints.keys.channel,
      {
        customerId: 'cust-persist',
        fulfilment: { type: 'pickup', storeId: 'ST-CAMDEN' },
        lines: [{ sku: 'SKU-HOODIE-L', qty: 1 }],
      },
      'pickup-order',
    );
    expect(pickup.status).toBe(202);
    const pickupId = pickup.body.orderId as string;
    const pickupExecution = arnOf('execution', `fulfilment:web-shop.${pickupId}`);
    const pickupStatus = async () =>
      (await sfnOf(endpoints).send(new DescribeExecutionCommand({ executionArn: pickupExecution }))).status;
    // The reserve task ends a little after the order is RESERVED: stop once the execution has finished.
    await eventually(async () => ((await pickupStatus()) === 'RUNNING' ? undefined : true), 60_000);
    const reservedAtCamden = async () =>
      (
        (await api(endpoints, '/inventory/SKU-HOODIE-L', endpoints.keys.ops)).body.locations as {
          locationId: string;
          reserved: number;
        }[]
      ).find((location) => location.locationId === 'ST-CAMDEN')?.reserved;
    const reservedBefore = await reservedAtCamden();
    expect(reservedBefore).toBeGreaterThanOrEqual(1);

    // A clean stop while both wait; the supplier confirms after the restart (the token it answers is old).
    expect(await running.stop()).toBe(0);
    running = await spawnLocalCloud(['--persist'], stateDir);
    endpoints = running.endpoints;
    expect(await executionsIn(sfnOf(endpoints), 'FAILED')).toEqual([]);
    // Keys printed by the first run stay valid; the pickup order, its hold and its execution record are kept.
    const kept = await api(endpoints, `/orders/${pickupId}`, firstKeys.channel);
    expect(kept.body.status).toBe('PICKING');
    expect(await reservedAtCamden()).toBe(reservedBefore);
    expect(await pickupStatus()).toBe('SUCCEEDED');
    const confirmed = await api(
      endpoints,
      `/suppliers/${supplier}/purchase-orders/${po.poId}/confirm`,
      endpoints.keys.supplier[supplier] as string,
      { lines: po.lines, eta: '2030-01-01' },
    );
    expect(confirmed.status).toBe(200);
    await parked(sfnOf(endpoints), procurement, 'AwaitGoodsReceipt');

    // kill -9 while both wait again; the goods arrive after the restart.
    const killed = running;
    running = undefined;
    killed.process.kill('SIGKILL');
    await exited(killed);
    // No orphaned JVM: its watchdog stops it when the killed process's pipe closes.
    await eventually(async () => (dynamoDbLocalOf(stateDir).length === 0 ? true : undefined), 20_000);
    running = await spawnLocalCloud(['--persist'], stateDir);
    endpoints = running.endpoints;
    expect(await executionsIn(sfnOf(endpoints), 'FAILED')).toEqual([]);
    const received = await api(
      endpoints,
      `/locations/${po.locationId}/receipts`,
      endpoints.keys.staff[po.locationId] as string,
      { poId: po.poId, lines: po.lines },
    );
    expect(received.status).toBe(202);

    await eventually(async () => ((await order()).status === 'PICKING' ? true : undefined), 60_000);
    const succeeded = await eventually(async () => {
      const names = await executionsIn(sfnOf(endpoints), 'SUCCEEDED');
      return names.includes(orderId) && names.some((name) => name?.startsWith(`${orderId}-`))
        ? names
        : undefined;
    }, 60_000);
    expect(succeeded).toContain(orderId);
    expect(await executionsIn(sfnOf(endpoints), 'FAILED')).toEqual([]);
  }, 600_000);
});
