import { startLocalCloud } from '../local/cloud';
import { deliveryTo } from '../test/support/fixtures';
import type { Benchmark } from './harness';

const orderCount = 40;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/**
 * Latency from POST /orders to RESERVED (and handed to dispatch: PICKING) on the local cloud: one order at a time (the baseline) against
 * the same number posted concurrently. It measures the local cloud, not AWS.
 */
export const orderLatencyBenchmark: Benchmark = {
  name: 'order-latency',
  description: `POST /orders → RESERVED on the local cloud, ${orderCount} orders sequential (baseline) vs concurrent`,
  async run() {
    const cloud = await startLocalCloud({ seedDemoData: true, prewarm: true });
    try {
      const post = async (i: number, prefix: string) => {
        const started = performance.now();
        const response = await fetch(`${cloud.endpoints.api}/orders`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-api-key': cloud.keys.channel,
            'idempotency-key': `${prefix}-${i}`,
          },
          body: JSON.stringify({
            customerId: `bench-${i}`,
            fulfilment: {
              type: 'delivery',
              address: deliveryTo,
            },
            lines: [{ sku: 'SKU-TSHIRT-M', qty: 1 }],
          }),
        });
        const { orderId } = (await response.json()) as { orderId: string };
        for (;;) {
          const order = (await (
            await fetch(`${cloud.endpoints.api}/orders/${orderId}`, {
              headers: { 'x-api-key': cloud.keys.channel },
            })
          ).json()) as { status: string };
          if (order.status !== 'ACCEPTED' && order.status !== 'RESERVED')
            return { ms: performance.now() - started, status: order.status };
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      };
      const summarise = (variant: string, results: { ms: number; status: string }[], wallMs: number) => {
        const sorted = results.map((r) => r.ms).sort((a, b) => a - b);
        return {
          variant,
          orders: results.length,
          reserved: results.filter((r) => r.status === 'PICKING').length,
          'p50 ms': percentile(sorted, 50),
          'p95 ms': percentile(sorted, 95),
          'max ms': sorted.at(-1) ?? 0,
          'orders/s': results.length / (wallMs / 1000),
        };
      };
      let started = performance.now();
      const sequential: { ms: number; status: string }[] = [];
      for (let i = 0; i < orderCount; i++) sequential.push(await post(i, 'seq'));
      const sequentialRow = summarise('sequential (baseline)', sequential, performance.now() - started);
      started = performance.now();
      const concurrent = await Promise.all(Array.from({ length: orderCount }, (_, i) => post(i, 'par')));
      const concurrentRow = summarise('concurrent', concurrent, performance.now() - started);
      return { rows: [sequentialRow, concurrentRow], notes: ['latency includes 20 ms polling granularity'] };
    } finally {
      await cloud.stop();
    }
  },
};
