import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, type RunningLocalCloud, spawnLocalCloud } from '../support/local-cloud-process';

/** `npm start -- --persist`: data, keys' principals and workflow executions survive a restart. */
const stateDir = mkdtempSync(join(tmpdir(), 'o2o-persist-'));
let running: RunningLocalCloud | undefined;

afterAll(async () => {
  await running?.stop();
});

describe('npm start --persist', () => {
  it('keeps orders, stock and execution records across a restart', async () => {
    running = await spawnLocalCloud(['--persist'], stateDir);
    const first = running.endpoints;
    const response = await fetch(`${first.api}/orders`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': first.keys.channel,
        'idempotency-key': 'persist-1',
      },
      body: JSON.stringify({
        customerId: 'cust-persist',
        fulfilment: { type: 'pickup', storeId: 'ST-CAMDEN' },
        lines: [{ sku: 'SKU-HOODIE-L', qty: 1 }],
      }),
    });
    expect(response.status).toBe(202);
    const { orderId } = (await response.json()) as { orderId: string };
    await eventually(async () => {
      const order = (await (
        await fetch(`${first.api}/orders/${orderId}`, { headers: { 'x-api-key': first.keys.channel } })
      ).json()) as { status: string };
      return order.status === 'PICKING' ? order : undefined;
    });
    // The reserve task ends a little after the order is RESERVED (it then checks for replenishment): stop
    // once the execution has finished, so the restart finds it SUCCEEDED rather than cut off mid-task.
    const firstSfn = new SFNClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      endpoint: first.stepfunctions,
    });
    await eventually(async () => {
      const { status } = await firstSfn.send(
        new DescribeExecutionCommand({
          executionArn: `arn:aws:states:us-east-1:000000000000:execution:fulfilment:web-shop.${orderId}`,
        }),
      );
      return status === 'RUNNING' ? undefined : status;
    });
    expect(await running.stop()).toBe(0);

    running = await spawnLocalCloud(['--persist'], stateDir);
    const second = running.endpoints;
    // Keys printed by the first run stay valid: their principals are in the persisted table.
    const order = (await (
      await fetch(`${second.api}/orders/${orderId}`, { headers: { 'x-api-key': first.keys.channel } })
    ).json()) as {
      status: string;
    };
    expect(order.status).toBe('PICKING');
    const inventory = (await (
      await fetch(`${second.api}/inventory/SKU-HOODIE-L`, { headers: { 'x-api-key': second.keys.ops } })
    ).json()) as {
      locations: { locationId: string; reserved: number }[];
    };
    expect(inventory.locations.find((l) => l.locationId === 'ST-CAMDEN')?.reserved).toBe(1);
    const sfn = new SFNClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      endpoint: second.stepfunctions,
    });
    const execution = await sfn.send(
      new DescribeExecutionCommand({
        executionArn: `arn:aws:states:us-east-1:000000000000:execution:fulfilment:web-shop.${orderId}`,
      }),
    );
    expect(execution.status).toBe('SUCCEEDED');
  }, 400_000);
});
