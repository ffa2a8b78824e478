import { execFileSync, spawnSync } from 'node:child_process';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  RedriveExecutionCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import {
  GetQueueAttributesCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queues as definedQueues } from '../../functions/contracts/system';
import { demoChannels } from '../../local/demo-data';
import { deliveryTo } from '../support/fixtures';
import { eventually, type RunningLocalCloud, spawnLocalCloud } from '../support/local-cloud-process';

/** End to end over HTTP on a freshly started `npm start` (its own DynamoDB Local, SQS, Step Functions, gateway). */
let cloud: RunningLocalCloud;
const aws = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

beforeAll(async () => {
  cloud = await spawnLocalCloud();
  console.info(`npm start ready in ${cloud.startupMs} ms`);
}, 200_000);

afterAll(async () => {
  await cloud?.stop();
});

const api = (
  path: string,
  init: { method?: string; key?: string; body?: unknown; headers?: Record<string, string> } = {},
) =>
  fetch(`${cloud.endpoints.api}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      'content-type': 'application/json',
      ...(init.key ? { 'x-api-key': init.key } : {}),
      ...init.headers,
    },
    body:
      init.body === undefined
        ? undefined
        : typeof init.body === 'string'
          ? init.body
          : JSON.stringify(init.body),
  });

const deliveryOrder = (sku: string, qty: number) => ({
  customerId: 'cust-e2e',
  fulfilment: {
    type: 'delivery',
    address: deliveryTo,
  },
  lines: [{ sku, qty }],
});

async function orderStatus(orderId: string): Promise<{ status: string; allocations: unknown[] }> {
  const response = await api(`/orders/${orderId}`, { key: cloud.endpoints.keys.channel });
  return (await response.json()) as { status: string; allocations: unknown[] };
}

/**
 * npm start runs the real Retry intervals: a task failing beyond its budget (6 attempts, backoff 2 from 1 s,
 * at most 20 s apart, full jitter) fails the execution up to ~31 s later, so waits for FAILED allow 90 s.
 */
const retryBudgetMs = 90_000;

describe('npm start', () => {
  it('serves health and the OpenAPI document without a key', async () => {
    expect((await api('/health')).status).toBe(200);
    const spec = (await (await api('/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/orders', '/orders/{orderId}', '/inventory/{sku}']),
    );
  });

  it('reserves an order posted with the demo channel key', async () => {
    const posted = Date.now();
    const response = await api('/orders', {
      method: 'POST',
      key: cloud.endpoints.keys.channel,
      headers: { 'idempotency-key': 'e2e-order-1' },
      body: deliveryOrder('SKU-TSHIRT-M', 2),
    });
    expect(response.status).toBe(202);
    const { orderId } = (await response.json()) as { orderId: string };
    const reserved = await eventually(async () => {
      const order = await orderStatus(orderId);
      return order.status === 'PICKING' ? order : undefined;
    });
    console.info(`order ${orderId} reserved and PICKING ${Date.now() - posted} ms after POST`);
    expect(reserved.allocations).toEqual([{ sku: 'SKU-TSHIRT-M', qty: 2, locationId: 'WH-DARTFORD' }]);
    // The demo's second channel sees none of the web shop's orders (the same 404 as a missing one).
    const { channels } = cloud.endpoints.keys;
    expect(Object.keys(channels)).toEqual(['web-shop', 'marketplace']);
    expect(channels['web-shop']).toBe(cloud.endpoints.keys.channel);
    const elsewhere = await api(`/orders/${orderId}`, { key: channels.marketplace });
    expect(elsewhere.status).toBe(404);

    const inventory = (await (
      await api('/inventory/SKU-TSHIRT-M', { key: cloud.endpoints.keys.ops })
    ).json()) as {
      locations: { locationId: string; reserved: number; available: number }[];
      suppliers: { supplierId: string }[];
    };
    expect(inventory.locations.find((l) => l.locationId === 'WH-DARTFORD')).toMatchObject({
      reserved: 2,
      available: 118,
    });
    // The demo supplier feed went through the API, SQS and the ingest function.
    await eventually(async () => {
      const current = (await (
        await api('/inventory/SKU-TSHIRT-M', { key: cloud.endpoints.keys.ops })
      ).json()) as typeof inventory;
      return current.suppliers.some((s) => s.supplierId === 'SUP-ACME-APPAREL') ? true : undefined;
    });
  });

  it('answers auth and validation failures with problem+json and writes nothing', async () => {
    const missing = await api('/orders', {
      method: 'POST',
      body: deliveryOrder('SKU-TSHIRT-M', 1),
      headers: { 'idempotency-key': 'x' },
    });
    // No key at all: the gateway refuses it before the authorizer, as API Gateway does for a missing identity
    // source; an unknown key reaches the authorizer and the route answers problem+json.
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ message: 'Unauthorized' });
    const unknown = await api('/orders', {
      method: 'POST',
      key: 'nope',
      body: deliveryOrder('SKU-TSHIRT-M', 1),
      headers: { 'idempotency-key': 'x' },
    });
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
    // The demo couriers' webhook signing secrets are not API keys.
    for (const secret of Object.values(cloud.endpoints.keys.courierSigningSecret)) {
      expect((await api('/inventory/SKU-TSHIRT-M', { key: secret })).status).toBe(401);
    }
    const wrongRole = await api('/orders', {
      method: 'POST',
      key: cloud.endpoints.keys.staff['ST-CAMDEN'],
      body: deliveryOrder('SKU-TSHIRT-M', 1),
      headers: { 'idempotency-key': 'x' },
    });
    expect(wrongRole.status).toBe(403);
    const otherSupplier = await api('/suppliers/SUP-ACME-APPAREL/stock', {
      method: 'POST',
      key: cloud.endpoints.keys.supplier['SUP-FLEET-FOOTWEAR'],
      body: { feedSeq: 1, items: [{ sku: 'SKU-TSHIRT-M', available: 1, leadTimeDays: 1 }] },
    });
    expect(otherSupplier.status).toBe(403);
    const invalid = await api('/orders', {
      method: 'POST',
      key: cloud.endpoints.keys.channel,
      headers: { 'idempotency-key': 'e2e-invalid' },
      body: { customerId: 'c', fulfilment: { type: 'delivery' }, lines: [{ sku: 'SKU-TSHIRT-M', qty: -1 }] },
    });
    expect([400, 422]).toContain(invalid.status);
    const problem = (await invalid.json()) as { errors: { pointer?: string; field?: string }[] };
    expect(JSON.stringify(problem.errors)).toContain('lines');
    const malformed = await api('/orders', {
      method: 'POST',
      key: cloud.endpoints.keys.channel,
      headers: { 'idempotency-key': 'e2e-malformed' },
      body: '{"customerId":',
    });
    expect(malformed.status).toBe(400);
    const sfn = new SFNClient({ ...aws, endpoint: cloud.endpoints.stepfunctions });
    const executions = await sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:fulfilment',
      }),
    );
    // Only the one valid order above started a workflow.
    expect(executions.executions?.length).toBe(1);
  });

  it('lets the AWS SDK clients list, inspect and redrive executions, and use the queues', {
    timeout: 180_000,
  }, async () => {
    const sfn = new SFNClient({ ...aws, endpoint: cloud.endpoints.stepfunctions });
    const machines = await sfn.send(new ListStateMachinesCommand({}));
    const fulfilmentArn = machines.stateMachines?.find((m) => m.name === 'fulfilment')
      ?.stateMachineArn as string;
    expect(fulfilmentArn).toBeDefined();

    // Fault injection (local only) fails ReserveStock with an error its Retry does not match, so it fails at
    // once: npm start keeps AWS's real retry intervals (a TransientError would take ~40 s of backoff), and
    // exhausting a Retry budget is the redrive suites' business (test/e2e/redrive-*.test.ts).
    const inject = await api('/ops/faults', {
      method: 'PUT',
      key: cloud.endpoints.keys.ops,
      body: { workflow: 'fulfilment', state: 'ReserveStock', error: 'Injected.Fault', times: 1 },
    });
    expect(inject.status).toBe(200);
    const response = await api('/orders', {
      method: 'POST',
      key: cloud.endpoints.keys.channel,
      headers: { 'idempotency-key': 'e2e-redrive' },
      body: deliveryOrder('SKU-SNEAKER-42', 1),
    });
    const { orderId } = (await response.json()) as { orderId: string };
    const failed = await eventually(async () => {
      const list = await sfn.send(
        new ListExecutionsCommand({ stateMachineArn: fulfilmentArn, statusFilter: 'FAILED' }),
      );
      return list.executions?.find((e) => e.name === `web-shop.${orderId}`);
    }, retryBudgetMs);
    const opsList = (await (
      await api('/ops/executions?status=FAILED', { key: cloud.endpoints.keys.ops })
    ).json()) as {
      items: { executionId: string; failedState: string; error: string }[];
    };
    expect(opsList.items.find((i) => i.executionId === `web-shop.${orderId}`)).toMatchObject({
      failedState: 'ReserveStock',
      error: 'Injected.Fault',
    });
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: failed.executionArn }));
    expect(history.events?.map((e) => e.type)).toEqual(
      expect.arrayContaining(['ExecutionStarted', 'TaskStateEntered', 'ExecutionFailed']),
    );

    expect((await api('/ops/faults', { method: 'DELETE', key: cloud.endpoints.keys.ops })).status).toBe(204);
    await sfn.send(new RedriveExecutionCommand({ executionArn: failed.executionArn }));
    await eventually(async () => {
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn: failed.executionArn }));
      return described.status === 'SUCCEEDED' ? described : undefined;
    });
    expect((await orderStatus(orderId)).status).toBe('PICKING');

    const sqs = new SQSClient({ ...aws, endpoint: cloud.endpoints.sqs });
    const queues = await sqs.send(new ListQueuesCommand({}));
    expect(queues.QueueUrls?.map((url) => url.split('/').pop())).toEqual(
      expect.arrayContaining(['supplierStockFeed', 'supplierStockFeed-dlq']),
    );
    const dlq = queues.QueueUrls?.find((url) => url.endsWith('-dlq')) as string;
    await sqs.send(new SendMessageCommand({ QueueUrl: dlq, MessageBody: 'hello' }));
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, WaitTimeSeconds: 1 }));
    expect(received.Messages?.[0]?.Body).toBe('hello');
    const attributes = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['All'] }),
    );
    expect(attributes.Attributes?.ApproximateNumberOfMessagesNotVisible).toBe('1');
  });

  it('is usable from boto3 (the AWS CLI speaks the same protocol): list, history, redrive, queues', {
    timeout: 180_000,
  }, async (context) => {
    if (spawnSync('python3', ['-c', 'import boto3']).status !== 0) return context.skip();
    // A failed execution for boto3 to redrive: ReserveStock fails at once (an error its Retry does not match).
    await api('/ops/faults', {
      method: 'PUT',
      key: cloud.endpoints.keys.ops,
      body: { workflow: 'fulfilment', state: 'ReserveStock', error: 'Injected.Fault', times: 1 },
    });
    const response = await api('/orders', {
      method: 'POST',
      key: cloud.endpoints.keys.channel,
      headers: { 'idempotency-key': 'e2e-boto3-redrive' },
      body: deliveryOrder('SKU-TSHIRT-M', 1),
    });
    const { orderId } = (await response.json()) as { orderId: string };
    await eventually(async () => {
      const failed = (await (
        await api('/ops/executions?status=FAILED', { key: cloud.endpoints.keys.ops })
      ).json()) as {
        items: { executionId: string }[];
      };
      return failed.items.some((item) => item.executionId === `web-shop.${orderId}`) ? true : undefined;
    }, retryBudgetMs);
    await api('/ops/faults', { method: 'DELETE', key: cloud.endpoints.keys.ops });

    const script = `
import boto3, json, sys, time
kw = dict(region_name='us-east-1', aws_access_key_id='local', aws_secret_access_key='local')
sfn = boto3.client('stepfunctions', endpoint_url=sys.argv[1], **kw)
sqs = boto3.client('sqs', endpoint_url=sys.argv[2], **kw)
arn = sfn.list_state_machines()['stateMachines'][0]['stateMachineArn']
failed = sfn.list_executions(stateMachineArn=arn, statusFilter='FAILED')['executions']
target = [e for e in failed if e['name'] == sys.argv[3]][0]['executionArn']
hist = sfn.get_execution_history(executionArn=target)['events']
sfn.redrive_execution(executionArn=target)
status = 'RUNNING'
for _ in range(200):
    status = sfn.describe_execution(executionArn=target)['status']
    if status != 'RUNNING': break
    time.sleep(0.1)
urls = sqs.list_queues()['QueueUrls']
dlq = [u for u in urls if u.endswith('-dlq')][0]
sqs.send_message(QueueUrl=dlq, MessageBody='from-boto3')
received = sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=1, MaxNumberOfMessages=10)['Messages']
print(json.dumps({'events': len(hist), 'status': status, 'queues': len(urls), 'bodies': [m['Body'] for m in received]}))
`;
    const out = execFileSync(
      'python3',
      ['-c', script, cloud.endpoints.stepfunctions, cloud.endpoints.sqs, `web-shop.${orderId}`],
      {
        encoding: 'utf8',
      },
    );
    const parsed = JSON.parse(out) as { events: number; status: string; queues: number; bodies: string[] };
    expect(parsed.events).toBeGreaterThan(0);
    expect(parsed.status).toBe('SUCCEEDED');
    // Every queue of the definition and its DLQ.
    expect(parsed.queues).toBe(2 * Object.keys(definedQueues).length);
    expect(parsed.bodies).toContain('from-boto3');
    expect((await orderStatus(orderId)).status).toBe('PICKING');
  });

  it('is usable from the AWS CLI', async (context) => {
    if (spawnSync('aws', ['--version']).status !== 0) return context.skip();
    const aws = (endpoint: string, ...args: string[]) =>
      JSON.parse(
        execFileSync(
          'aws',
          ['--endpoint-url', endpoint, '--region', 'us-east-1', '--output', 'json', ...args],
          {
            encoding: 'utf8',
            env: { ...process.env, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' },
          },
        ),
      ) as Record<string, { name?: string; status?: string }[] | string[]>;
    const machines = aws(cloud.endpoints.stepfunctions, 'stepfunctions', 'list-state-machines');
    expect(machines.stateMachines?.map((machine) => (machine as { name: string }).name)).toContain(
      'fulfilment',
    );
    const executions = aws(
      cloud.endpoints.stepfunctions,
      'stepfunctions',
      'list-executions',
      '--state-machine-arn',
      'arn:aws:states:us-east-1:000000000000:stateMachine:fulfilment',
      '--status-filter',
      'SUCCEEDED',
    );
    expect(executions.executions?.length).toBeGreaterThan(0);
    const queues = aws(cloud.endpoints.sqs, 'sqs', 'list-queues');
    expect(queues.QueueUrls?.length).toBe(2 * Object.keys(definedQueues).length);
  });

  /** The order the same-day test delivered: the return test takes it back. */
  let deliveredSameDay: string | undefined;

  it('delivers a same-day order through a sandbox courier, and the demo receiver prints its events', async () => {
    const { keys } = cloud.endpoints;
    const staff = keys.staff['ST-OXFORD-ST'] as string;
    const placed = await api('/orders', {
      method: 'POST',
      key: keys.channel,
      headers: { 'idempotency-key': 'same-day-demo' },
      body: {
        customerId: 'cust-e2e',
        fulfilment: { type: 'same_day', address: { ...deliveryTo, lat: 51.515, lng: -0.13 } },
        lines: [{ sku: 'SKU-TSHIRT-M', qty: 1 }],
      },
    });
    const { orderId } = (await placed.json()) as { orderId: string };
    const shipment = await eventually(async () => {
      const view = (await (await api(`/orders/${orderId}`, { key: keys.channel })).json()) as {
        shipments?: { shipmentId: string; locationId: string; status: string }[];
      };
      return view.shipments?.find((candidate) => candidate.status === 'PICKING');
    }, 60_000);
    expect(shipment.locationId).toBe('ST-OXFORD-ST');
    const step = (action: string, body: unknown) =>
      api(`/shipments/${shipment.shipmentId}/${action}`, { method: 'POST', key: staff, body });
    expect((await step('picked', { lines: [{ sku: 'SKU-TSHIRT-M', qty: 1 }] })).status).toBe(200);
    expect((await step('packed', { parcels: [{ weightGrams: 400 }] })).status).toBe(200);
    // The demo's own clock: picked up, out for delivery and delivered, two seconds apart.
    await eventually(
      async () => ((await orderStatus(orderId)).status === 'DELIVERED' ? true : undefined),
      60_000,
    );
    await eventually(
      async () => (cloud.output().includes(`shipment.delivered         ${orderId}`) ? true : undefined),
      30_000,
    );
    for (const type of ['order.reserved', 'shipment.in_transit'])
      expect(cloud.output()).toContain(`${type.padEnd(26)} ${orderId}`);
    deliveredSameDay = orderId;
  });

  it('takes the delivered order back: a courier collects it for ST-CAMDEN, staff receive it, the refund closes it', async () => {
    const { keys } = cloud.endpoints;
    // The order the previous test delivered.
    expect(deliveredSameDay).toBeDefined();
    const asked = await api(`/orders/${deliveredSameDay}/returns`, {
      method: 'POST',
      key: keys.channel,
      headers: { 'idempotency-key': 'same-day-return' },
      body: {
        lines: [{ sku: 'SKU-TSHIRT-M', qty: 1, reason: 'no_longer_needed' }],
        method: 'courier_pickup',
        pickupAddress: { ...deliveryTo, lat: 51.515, lng: -0.13 },
        storeId: 'ST-CAMDEN',
      },
    });
    expect(asked.status).toBe(202);
    const { returnId } = (await asked.json()) as { returnId: string };
    const view = async () =>
      (await (await api(`/returns/${returnId}`, { key: keys.channel })).json()) as {
        status: string;
        pickup?: { arrivedAt?: string; carrierId?: string };
      };
    // The demo courier collects it and brings it to Camden, two seconds a step.
    await eventually(async () => ((await view()).pickup?.arrivedAt ? true : undefined), 60_000);
    expect((await view()).status).toBe('IN_TRANSIT');
    // Staff name it by the system-wide id: the channel's id, then the channel's own.
    const staffReturnId = `${demoChannels[0]}.${returnId}`;
    const received = await api(`/returns/${staffReturnId}/received`, {
      method: 'POST',
      key: keys.staff['ST-CAMDEN'] as string,
      body: { locationId: 'ST-CAMDEN', lines: [{ sku: 'SKU-TSHIRT-M', qty: 1, condition: 'resellable' }] },
    });
    expect(received.status).toBe(200);
    await eventually(async () => ((await view()).status === 'REFUND_PENDING' ? true : undefined), 30_000);
    await eventually(async () => (cloud.output().includes(`refund.requested`) ? true : undefined), 30_000);
    const refunded = await api(`/returns/${returnId}/refund`, {
      method: 'POST',
      key: keys.channel,
      body: { status: 'succeeded', reference: 'demo-refund-1' },
    });
    expect(refunded.status).toBe(200);
    await eventually(async () => ((await view()).status === 'CLOSED' ? true : undefined), 30_000);
  });

  it('stops everything on SIGTERM, leaving no Java process behind', async () => {
    const dynamodbPort = new URL(cloud.endpoints.dynamodb).port;
    const code = await cloud.stop();
    expect(code).toBe(0);
    await eventually(async () => {
      const java = spawnSync('pgrep', ['-f', `DynamoDBLocal.jar.*-port ${dynamodbPort}`]);
      return java.status === 1 ? true : undefined;
    }, 10_000);
  });
});
