import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterQueueName } from '../../functions/contracts/system';
import type { LocalCloud } from '../../local/cloud';
import { localCredentials, localRegion, stateMachineArn } from '../../local/emulators/protocol/identity';
import { type AxeViolation, seriousViolations } from '../support/accessibility';
import { launchBrowser, screenshotDir } from '../support/browser';
import { e2eHttp, startE2eCloud } from '../support/e2e-http';

/**
 * The ops console in a real headless Chromium, against the local cloud's public ops API: a failed step found,
 * seen on the graph, fixed and redriven; a dead letter replayed; a key issued and revoked; a KPI chart checked
 * against numbers the test counts itself. axe-core checks every page; each page leaves a screenshot in
 * test-artifacts/console/.
 */
let cloud: LocalCloud;
let sfn: SFNClient;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const http = e2eHttp(() => cloud);
const { api, expectStatus, placeOrder, waitFor } = http;
const tag = randomBytes(3).toString('hex');
const store = `ST-CON-${tag}`;
const sku = `SKU-CON-${tag}`;
const shots = screenshotDir();
const violations: Record<string, AxeViolation[]> = {};
const pickup = { type: 'pickup', storeId: store };
const customer = { customerId: `cust-con-${tag}` };
const placed: string[] = [];

const ops = () => cloud.keys.ops;
const console_ = () => `${cloud.endpoints.api}/console`;
const fault = (times: number) =>
  expectStatus(
    api('/ops/faults', {
      method: 'PUT',
      key: ops(),
      body: { workflow: 'fulfilment', state: 'ReserveStock', error: 'Injected.Fault', times },
    }),
    200,
  );

/** Checks the page with axe-core and saves its screenshot: every page the scenario visits gets both. */
async function visited(name: string): Promise<void> {
  violations[name] = await seriousViolations(page);
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

async function open(hash: string): Promise<void> {
  // Runs in the page: `location` is the browser's (this file is typed for Node).
  await page.evaluate((target) => {
    (globalThis as unknown as { location: { hash: string } }).location.hash = target;
  }, hash);
}

beforeAll(async () => {
  ({ cloud, sfn } = await startE2eCloud([]));
  await expectStatus(
    api(`/locations/${store}`, {
      method: 'PUT',
      key: ops(),
      body: { type: 'store', name: 'Console store', lat: 51.52, lng: -0.1, fulfils: ['pickup'] },
    }),
    200,
  );
  await expectStatus(
    api(`/locations/${store}/stock/${sku}`, {
      method: 'PUT',
      key: ops(),
      body: { onHand: 10, safetyStock: 0 },
    }),
    200,
  );
  browser = await launchBrowser();
  // The console's CSP refuses inline scripts; axe-core is injected as one, so this context bypasses it.
  context = await browser.newContext({ bypassCSP: true, viewport: { width: 1400, height: 1000 } });
  page = await context.newPage();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await cloud?.stop();
});

describe('the ops console in a browser', () => {
  it('refuses a key that is not an operator’s, and signs in with the ops key', async () => {
    await page.goto(console_());
    await visited('01-sign-in');
    await page.getByLabel('Ops API key').fill(cloud.keys.channel);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('403');
    await page.getByLabel('Ops API key').fill(ops());
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Executions' }).waitFor();
    // The key is in session storage, never in the URL.
    expect(page.url()).not.toContain(ops());
    expect(
      await page.evaluate(() =>
        Object.values((globalThis as unknown as { sessionStorage: Record<string, string> }).sessionStorage),
      ),
    ).toEqual([ops()]);
  });

  it('lists a failed execution with its step and error, shows the fault is a rehearsal, highlights the failed state; redriven, the order is RESERVED', async () => {
    await fault(2);
    const orderId = await placeOrder([{ sku, qty: 1 }], pickup, undefined, customer);
    placed.push(orderId);
    const row = page.locator(`tr[data-execution="${orderId}"]`);
    await row.waitFor({ timeout: 30_000 });
    expect(await row.textContent()).toMatch(/ReserveStock.*Injected\.Fault/);
    await page.getByText('Fault injection is active').waitFor();
    // The workflow filter asks the API for that workflow's executions only.
    await page.getByLabel('Workflow').selectOption('procurement');
    await page.getByText('No executions match.').waitFor();
    await page.getByLabel('Workflow').selectOption('');
    await row.waitFor();
    await visited('02-executions');

    await row.getByRole('link', { name: orderId }).first().click();
    const failedNode = page.locator('[data-state="ReserveStock"][data-status="FAILED"]');
    await failedNode.waitFor();
    expect(await page.locator('g.node.failed').count()).toBe(1);
    expect(
      await page.locator('[data-state="RecordReserved"], [data-status="NOT_REACHED"]').count(),
    ).toBeGreaterThan(0);
    await failedNode.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.state-panel').textContent()).toContain('Injected.Fault');
    await visited('03-execution-failed');

    await expectStatus(api('/ops/faults', { method: 'DELETE', key: ops() }), 204);
    await page.getByRole('button', { name: 'Redrive', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('execution-status').textContent(), { timeout: 60_000 })
      .toBe('SUCCEEDED');
    expect(await page.locator('[data-state="ReserveStock"]').getAttribute('data-status')).toBe('SUCCEEDED');
    await visited('04-execution-redriven');

    await open(`#/orders/${orderId}`);
    await page.getByTestId('order-status').waitFor();
    await expect.poll(() => page.locator('.timeline').textContent()).toContain('RESERVED');
    expect(['RESERVED', 'PICKING']).toContain(await page.getByTestId('order-status').textContent());
    await visited('05-order');
  });

  it('replays a dead letter: listed on its queue, moved back, applied by the ingest', async () => {
    const sqs = new SQSClient({
      endpoint: cloud.endpoints.sqs,
      region: localRegion,
      credentials: localCredentials,
    });
    const { QueueUrl } = await sqs.send(
      new GetQueueUrlCommand({ QueueName: deadLetterQueueName('supplierStockFeed') }),
    );
    const supplierId = `SUP-CON-${tag}`;
    const feed = {
      supplierId,
      feedSeq: 1,
      receivedAt: new Date().toISOString(),
      items: [{ sku, available: 7, leadTimeDays: 2 }],
    };
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify(feed) }));
    await open('#/dead-letters');
    const count = page.locator('[data-queue="supplierStockFeed"] [data-testid="dead-letter-count"]');
    await expect.poll(() => count.textContent(), { timeout: 20_000 }).toBe('1');
    await visited('06-dead-letters');
    await page.getByRole('button', { name: 'Replay supplierStockFeed' }).click();
    const applied = await waitFor(async () => {
      const stock = await http.inventory(sku);
      return (stock.suppliers as { supplierId: string }[]).find(
        (supplier) => supplier.supplierId === supplierId,
      );
    });
    expect(applied).toMatchObject({ available: 7 });
    await expect.poll(() => count.textContent(), { timeout: 20_000 }).toBe('0');
  });

  it('issues a staff key for a new location, which works at once, and revokes it: 401 from then on', async () => {
    await open('#/keys');
    await page.getByLabel('Role').selectOption('staff');
    await page.getByLabel(/^Scope/).fill(store);
    await page.getByLabel('Name').fill('Console store staff');
    await page.getByRole('button', { name: 'Issue key' }).click();
    const issued = page.getByTestId('issued-key');
    const apiKey = (await issued.locator('output').textContent()) ?? '';
    expect(apiKey).toMatch(/^o2o_/);
    const principalId = ((await issued.textContent()) ?? '').match(/for (staff:[0-9a-f]{12})/)?.[1] ?? '';
    const tasks = () => api(`/locations/${store}/tasks?limit=5`, { key: apiKey });
    expect((await tasks()).status).toBe(200);
    await visited('07-keys');
    page.once('dialog', (dialog) => void dialog.accept());
    await page
      .locator(`tr[data-principal="${principalId}"]`)
      .getByRole('button', { name: /^Revoke/ })
      .click();
    await expect
      .poll(() => page.locator(`tr[data-principal="${principalId}"]`).textContent())
      .toContain('REVOKED');
    expect((await tasks()).status).toBe(401);
  });

  it('charts failed executions by workflow exactly as Step Functions counts them', async () => {
    await fault(1);
    const stillFailed = await placeOrder([{ sku, qty: 1 }], pickup, undefined, customer);
    placed.push(stillFailed);
    await waitFor(async () =>
      (await http.failedExecutions()).some((e) => e.executionId === stillFailed) ? true : undefined,
    );
    const counted: Record<string, number> = {};
    for (const workflow of ['fulfilment', 'procurement', 'dispatch', 'returns']) {
      const { executions = [] } = await sfn.send(
        new ListExecutionsCommand({ stateMachineArn: stateMachineArn(workflow), statusFilter: 'FAILED' }),
      );
      counted[workflow] = executions.length;
    }
    expect(counted.fulfilment).toBeGreaterThanOrEqual(1);
    await open('#/kpis');
    const chart = page.locator('canvas[aria-label^="Failed executions by workflow"]');
    await chart.waitFor();
    expect(JSON.parse((await chart.getAttribute('data-series')) ?? '{}')).toEqual(counted);
    await visited('08-kpis');
  });

  it('shows the business views, and every page passes axe-core with no serious or critical violation', async () => {
    await open('#/inventory');
    await page.getByLabel('SKU').fill(sku);
    await page.getByRole('button', { name: 'Show stock' }).click();
    await page.getByRole('cell', { name: store }).waitFor();
    // The supplier feed replayed from the dead-letter queue shows beside the stock.
    await page.getByRole('cell', { name: `SUP-CON-${tag}` }).waitFor();
    await visited('09-inventory');
    // A customer's orders, newest first; the one still failed at ReserveStock is still ACCEPTED.
    await open('#/orders');
    await page.getByLabel(/^Customer id/).fill(customer.customerId);
    await page.getByRole('button', { name: 'Search orders' }).click();
    await page.getByText('2 order(s), newest first').waitFor();
    const listed = await page.locator('table tbody tr td:first-child').allTextContents();
    expect(listed).toEqual([...placed].reverse());
    await page.getByLabel('Status').selectOption('ACCEPTED');
    await page.getByRole('button', { name: 'Search orders' }).click();
    await page.getByText('1 order(s), newest first').waitFor();
    expect(await page.locator('table tbody tr td:first-child').allTextContents()).toEqual([placed[1]]);
    await visited('13-order-search');
    await open('#/purchase-orders');
    await page.getByLabel('Supplier id').fill(`SUP-CON-${tag}`);
    await page.getByRole('button', { name: 'Show purchase orders' }).click();
    await page.getByText(`SUP-CON-${tag}: 0 purchase order(s)`).waitFor();
    await visited('12-purchase-orders');
    await open('#/shipments');
    await page.getByRole('heading', { name: 'Shipments needing attention' }).waitFor();
    await visited('10-shipments');
    await open('#/returns');
    await page.getByRole('heading', { name: 'Returns', exact: true }).waitFor();
    await visited('11-returns');
    expect(Object.keys(violations)).toHaveLength(13);
    expect(Object.values(violations).flat()).toEqual([]);
  });
});
