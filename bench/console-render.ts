import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Page } from 'playwright-core';
import { acceptOrder } from '../functions/adapters/dynamodb/orders';
import { startLocalCloud } from '../local/cloud';
import { localCredentials, localRegion, stateMachineArn } from '../local/emulators/protocol/identity';
import { launchBrowser } from '../test/support/browser';
import type { Benchmark } from './harness';

const orderCount = 10_000;
const failedCount = 1_000;
const runsPerPage = 5;

/** A page of the console, and what shows once it has rendered with its data. */
interface ConsolePage {
  readonly name: string;
  readonly hash: (ids: { orderId: string }) => string;
  readonly ready: string;
  /** Some pages need a form filled first (the inventory's SKU). */
  readonly act?: (page: Page) => Promise<void>;
}

const pages: readonly ConsolePage[] = [
  {
    name: 'executions (failed, 100 a page)',
    hash: () => '#/executions',
    ready: 'table caption, p:has-text("No executions match.")',
  },
  {
    name: 'execution graph',
    hash: ({ orderId }) => `#/executions/fulfilment/${orderId}`,
    ready: '[data-testid="execution-status"]',
  },
  { name: 'order', hash: ({ orderId }) => `#/orders/${orderId}`, ready: '[data-testid="order-status"]' },
  {
    name: 'inventory',
    hash: () => '#/inventory',
    ready: 'td:has-text("WH-DARTFORD")',
    act: async (page) => {
      await page.getByLabel('SKU').fill('SKU-TSHIRT-M');
      await page.getByRole('button', { name: 'Show stock' }).click();
    },
  },
  { name: 'shipments', hash: () => '#/shipments', ready: 'caption:has-text("Late")' },
  { name: 'returns', hash: () => '#/returns', ready: 'caption:has-text("Requested")' },
  { name: 'dead letters', hash: () => '#/dead-letters', ready: 'h2:has-text("supplierStockFeed")' },
  { name: 'KPIs', hash: () => '#/kpis', ready: 'canvas[aria-label^="Failed executions"]' },
  { name: 'keys', hash: () => '#/keys', ready: 'tr[data-principal]' },
];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** Render time of each page: from navigation to its data on screen, `runsPerPage` times (median, max). */
async function measure(page: Page, ids: { orderId: string }): Promise<Map<string, number[]>> {
  const timings = new Map<string, number[]>();
  for (const target of pages) {
    for (let run = 0; run < runsPerPage; run++) {
      await page.evaluate(() => {
        (globalThis as unknown as { location: { hash: string } }).location.hash = '#/blank';
      });
      const started = performance.now();
      await page.evaluate((hash) => {
        (globalThis as unknown as { location: { hash: string } }).location.hash = hash;
      }, target.hash(ids));
      await target.act?.(page);
      await page.locator(target.ready).first().waitFor({ timeout: 30_000 });
      timings.set(target.name, [...(timings.get(target.name) ?? []), performance.now() - started]);
    }
  }
  return timings;
}

/**
 * The ops console's page render times with the demo world (the baseline) against the same world with
 * 10,000 more orders in the table and 1,000 failed executions, in one run: a real headless Chromium on the
 * local cloud, each page timed from navigation until its data is on screen.
 */
export const consoleRenderBenchmark: Benchmark = {
  name: 'console-render',
  description: `ops console page render, demo world (baseline) vs ${orderCount.toLocaleString()} orders and ${failedCount} failed executions`,
  async run() {
    const cloud = await startLocalCloud({ seedDemoData: true, prewarm: true });
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(`${cloud.endpoints.api}/console`);
      await page.getByLabel('Ops API key').fill(cloud.keys.ops);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Executions' }).waitFor();
      // The baseline: the demo world and one bench order, whose execution runs (its graph is a succeeded one).
      await seedOrders(cloud.endpoints.dynamodb, cloud.tableName, 0, 1);
      await startExecutions(cloud.endpoints.stepfunctions, 0, 1);
      const baseline = await measure(page, { orderId: 'web-shop.bench-order-0' });
      await seedOrders(cloud.endpoints.dynamodb, cloud.tableName, 1, orderCount);
      cloud.stepFunctions.setFault({
        stateMachine: 'fulfilment',
        state: 'ReserveStock',
        error: 'Bench.Fault',
        times: failedCount,
      });
      await startExecutions(cloud.endpoints.stepfunctions, 1, failedCount + 1);
      const loaded = await measure(page, { orderId: 'web-shop.bench-order-1' });
      const rows = pages.map((target) => {
        const before = baseline.get(target.name) ?? [];
        const after = loaded.get(target.name) ?? [];
        return {
          page: target.name,
          'demo world p50 ms': median(before),
          [`+${orderCount / 1000}k orders p50 ms`]: median(after),
          [`+${orderCount / 1000}k orders max ms`]: Math.max(...after),
        };
      });
      const slowest = Math.max(...pages.flatMap((target) => loaded.get(target.name) ?? []));
      return {
        rows,
        notes: [
          `${orderCount} orders written through the product's own acceptOrder (order, timeline, idempotency record); ${failedCount} fulfilment executions failed by an injected fault`,
          `slowest render with the load: ${slowest.toFixed(0)} ms (goal: under 1,000 ms); ${runsPerPage} runs per page`,
        ],
        details: { baseline: Object.fromEntries(baseline), loaded: Object.fromEntries(loaded) },
      };
    } finally {
      await browser.close();
      await cloud.stop();
    }
  },
};

/** Orders `from` to `to` (exclusive) through the product's own write path, 32 at a time. */
async function seedOrders(endpoint: string, tableName: string, from: number, to: number): Promise<void> {
  const document = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint, region: localRegion, credentials: localCredentials }),
  );
  let next = from;
  const worker = async () => {
    for (let index = next++; index < to; index = next++) {
      const channelOrderId = `bench-order-${index}`;
      await acceptOrder(
        { document, tableName },
        {
          principalId: 'channel:web-shop',
          idempotencyKey: `bench-${index}`,
          requestHash: `bench-${index}`,
          orderId: `web-shop.${channelOrderId}`,
          channelOrderId,
          body: {
            customerId: `bench-customer-${index % 500}`,
            fulfilment: { type: 'pickup', storeId: 'ST-CAMDEN' },
            lines: [{ sku: 'SKU-TSHIRT-M', qty: 1 + (index % 3) }],
          } as never,
          now: new Date(),
        },
      );
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
}

/** Starts the fulfilment executions of orders `from` to `to` (exclusive), 50 at a time. */
async function startExecutions(endpoint: string, from: number, to: number): Promise<void> {
  const sfn = new SFNClient({ endpoint, region: localRegion, credentials: localCredentials });
  for (let index = from; index < to; index += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, to - index) }, (_, offset) => {
        const orderId = `web-shop.bench-order-${index + offset}`;
        return sfn.send(
          new StartExecutionCommand({
            stateMachineArn: stateMachineArn('fulfilment'),
            name: orderId,
            input: JSON.stringify({ orderId, round: 0 }),
          }),
        );
      }),
    );
  }
}
