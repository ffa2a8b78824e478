import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One benchmark: runs, returns rows for a printed table, and any extra facts for the JSON record. */
export interface Benchmark {
  readonly name: string;
  readonly description: string;
  run(): Promise<BenchmarkResult>;
}

export interface BenchmarkResult {
  /** Rows of the table; every row has the same keys, the first column names the variant (baseline included). */
  readonly rows: readonly Record<string, string | number>[];
  readonly notes?: readonly string[];
  readonly details?: unknown;
}

export function formatTable(rows: readonly Record<string, string | number>[]): string {
  if (rows.length === 0) return '(no rows)';
  const columns = Object.keys(rows[0] as object);
  const cell = (value: string | number | undefined) =>
    typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toFixed(2)) : (value ?? '');
  const widths = columns.map((column) =>
    Math.max(column.length, ...rows.map((row) => cell(row[column]).length)),
  );
  const line = (values: string[]) =>
    `| ${values.map((value, i) => value.padEnd(widths[i] as number)).join(' | ')} |`;
  return [
    line(columns),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...rows.map((row) => line(columns.map((column) => cell(row[column])))),
  ].join('\n');
}

/** Runs the benchmarks in order, prints each table and writes bench/results/<name>.json. */
export async function runBenchmarks(benchmarks: readonly Benchmark[], resultsDir: string): Promise<void> {
  mkdirSync(resultsDir, { recursive: true });
  for (const benchmark of benchmarks) {
    console.log(`\n## ${benchmark.name}: ${benchmark.description}\n`);
    const started = Date.now();
    const result = await benchmark.run();
    console.log(formatTable(result.rows));
    for (const note of result.notes ?? []) console.log(`  ${note}`);
    const file = join(resultsDir, `${benchmark.name}.json`);
    writeFileSync(
      file,
      `${JSON.stringify({ name: benchmark.name, description: benchmark.description, ranAt: new Date().toISOString(), durationMs: Date.now() - started, node: process.version, ...result }, null, 2)}\n`,
    );
    console.log(`  → ${file}`);
  }
}
