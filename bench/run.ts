/**
 * `npm run bench [name…]`: runs the benchmarks (all, or the named ones), prints a table per benchmark
 * and writes JSON under bench/results/. Benchmarks are measurements, never timed tests.
 */
import { fileURLToPath } from 'node:url';
import { bundleSizeBenchmark } from './bundle-size';
import { consoleRenderBenchmark } from './console-render';
import { e2eLoadBenchmark } from './e2e-load';
import { type Benchmark, runBenchmarks } from './harness';
import { orderLatencyBenchmark } from './order-latency';
import { reservationsBenchmark } from './reservations';
import { workflowCostBenchmark } from './workflow-cost';

const all: Benchmark[] = [
  orderLatencyBenchmark,
  reservationsBenchmark,
  workflowCostBenchmark,
  e2eLoadBenchmark,
  bundleSizeBenchmark,
  consoleRenderBenchmark,
];

const wanted = process.argv.slice(2);
const selected = wanted.length ? all.filter((benchmark) => wanted.includes(benchmark.name)) : all;
if (selected.length === 0) {
  console.error(`unknown benchmark(s) ${wanted.join(', ')}; known: ${all.map((b) => b.name).join(', ')}`);
  process.exit(2);
}
await runBenchmarks(selected, fileURLToPath(new URL('./results', import.meta.url)));
process.exit(0);
