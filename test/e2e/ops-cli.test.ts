import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOpsCli } from '../../cli/ops';
import type { LocalCloud } from '../../local/cloud';
import { e2eHttp, startE2eCloud } from '../support/e2e-http';

/**
 * The operations CLI against an in-process local cloud: rehearse a failure with a fault, find it, clear the
 * fault, redrive it, and the order completes; plus dead letters, bad usage and an API refusal.
 */
let cloud: LocalCloud;
const { api, expectStatus, waitFor, orderIn, placeOrder } = e2eHttp(() => cloud);
const sku = `SKU-CLI-${Date.now().toString(36)}`;
const warehouse = `WH-CLI-${Date.now().toString(36)}`;
const stateDir = mkdtempSync(join(tmpdir(), 'o2o-cli-'));

/** Runs one CLI command in-process; the local cloud is found through the endpoints file, as after npm start. */
async function ops(...argv: string[]): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  const code = await runOpsCli(argv, { print: (line) => lines.push(line), fetch, stateDir });
  return { code, output: lines.join('\n') };
}

beforeAll(async () => {
  ({ cloud } = await startE2eCloud([]));
  writeFileSync(
    join(stateDir, 'endpoints.json'),
    JSON.stringify({ api: cloud.endpoints.api, keys: cloud.keys }),
  );
  const key = cloud.keys.ops;
  const location = { type: 'warehouse', name: 'CLI', lat: 51.5, lng: -0.1, fulfils: ['delivery'] };
  await expectStatus(api(`/locations/${warehouse}`, { method: 'PUT', key, body: location }), 200);
  await expectStatus(
    api(`/locations/${warehouse}/stock/${sku}`, { method: 'PUT', key, body: { onHand: 5, safetyStock: 0 } }),
    200,
  );
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
});

describe('npm run ops', () => {
  it('finds a failed execution, and redrives it once the fault is cleared', async () => {
    expect(
      await ops('faults', 'set', '--workflow', 'fulfilment', '--state', 'ReserveStock', '--times', '10'),
    ).toMatchObject({ code: 0, output: expect.stringContaining('fault set') });
    const orderId = await placeOrder([{ sku, qty: 1 }]);
    const listed = await waitFor(async () => {
      const result = await ops('executions', '--status', 'FAILED');
      return result.output.includes(orderId) ? result : undefined;
    });
    expect(listed.code).toBe(0);
    const row = listed.output.split('\n').find((line) => line.startsWith(orderId)) ?? '';
    expect(row).toMatch(/fulfilment\s+FAILED\s+ReserveStock\s+TransientError/);

    expect(await ops('faults', 'clear')).toEqual({ code: 0, output: 'faults cleared' });
    expect(await ops('redrive', orderId)).toMatchObject({
      code: 0,
      output: expect.stringContaining('redriven'),
    });
    await orderIn(orderId, 'PICKING');
    expect((await ops('executions', '--json')).output).not.toContain(orderId);
    // The default lists FAILED ones and says so, so an empty list never reads as "nothing ran".
    const byDefault = await ops('executions');
    expect(byDefault.output).not.toContain(orderId);
    expect(byDefault.output.split('\n')[0]).toMatch(/FAILED executions \(the default; --status/);
    const succeeded = await waitFor(async () => {
      const result = await ops('executions', '--status', 'SUCCEEDED');
      return result.output.includes(orderId) ? result : undefined;
    });
    expect(succeeded.output.split('\n')[0]).toMatch(/^\d+ SUCCEEDED executions:$/);
  }, 120_000);

  it('shows the dead-letter queues, refuses bad usage with 2 and reports an API refusal with 1', async () => {
    expect(await ops('dead-letters')).toEqual({
      code: 0,
      output: 'supplierStockFeed: ~0 dead letter(s)\nchannelEvents: ~0 dead letter(s)',
    });
    expect((await ops('launch')).code).toBe(2);
    expect((await ops('faults', 'set', '--state', 'ReserveStock')).code).toBe(2);
    const refused = await ops('redrive', 'no-such-execution');
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/^404 /);
    // No API there: one line saying so, not a stack trace.
    const unreachable = await ops('dead-letters', '--api', 'http://127.0.0.1:9', '--key', 'k');
    expect(unreachable.code).toBe(1);
    expect(unreachable.output).toMatch(
      /^Cannot reach the API at http:\/\/127\.0\.0\.1:9 .*Is npm start running\?/,
    );
    expect(unreachable.output.split('\n')).toHaveLength(1);
  });

  it('runs as `npm run ops` against the given API and key', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        'cli/main.ts',
        'dead-letters',
        '--api',
        cloud.endpoints.api,
        '--key',
        cloud.keys.ops,
      ],
      { env: { ...process.env, LOCAL_STATE_DIR: join(stateDir, 'none') } },
    );
    expect(stdout.trim()).toBe('supplierStockFeed: ~0 dead letter(s)\nchannelEvents: ~0 dead letter(s)');
  });
});
