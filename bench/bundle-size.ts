import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FunctionDefinition } from '../functions/contracts/system';
import { bundleHandlers, bytesByPackage, type FunctionBundle } from '../infra/defaults/bundle';
import { serviceEnvironment } from '../local/binders/system-functions';
import { localAccountId } from '../local/emulators/protocol/identity';
import { createResolver, repositoryRoot, systemDefinition } from '../local/system-resolution';
import type { Benchmark } from './harness';

/** Cold imports per function; the table shows the median. */
const coldImports = 7;
const kb = (bytes: number) => Number((bytes / 1024).toFixed(1));

interface Measured {
  readonly function: string;
  readonly initBytes: number;
  readonly packageBytes: number;
  readonly gzipBytes: number;
  /** Wall time of the import (median). */
  readonly loadMs: number;
  /** CPU time the process spent on the import (median): steadier than wall time on a busy machine. */
  readonly loadCpuMs: number;
}

/**
 * What each Lambda bundle weighs and how long its module takes to load, beside the figures recorded before
 * issue 10 (bench/baselines). Bundles are built by the deployment's own bundler (infra/defaults/bundle.ts);
 * each is imported cold in a fresh `node` with the function's environment and the deployed NODE_OPTIONS, and
 * the time of the `import()` alone is taken (node's own start-up excluded).
 */
export const bundleSizeBenchmark: Benchmark = {
  name: 'bundle-size',
  description: `per-function bundle bytes and cold module-load time (median of ${coldImports} fresh imports)`,
  async run() {
    const outdir = mkdtempSync(join(tmpdir(), 'o2o-bundle-size-'));
    try {
      const definitions = Object.entries(systemDefinition.functions) as [string, FunctionDefinition][];
      const bundles = bundleHandlers(
        new Map(definitions.map(([name, definition]) => [name, resolve(repositoryRoot, definition.entry)])),
        outdir,
      );
      const environmentOf = functionEnvironment();
      const measured = definitions.map(([name, definition]) =>
        measure(name, bundles.get(name) as FunctionBundle, environmentOf(definition)),
      );
      const largest = [...bundles].sort((a, b) => b[1].initBytes - a[1].initBytes)[0] as [
        string,
        FunctionBundle,
      ];
      return {
        rows: measured.map(row),
        notes: [
          `before = ${baseline.command}, recorded ${baseline.recordedAt.slice(0, 10)} at ${baseline.commit} (bench/baselines)`,
          'KB = 1024 bytes of minified JavaScript; init = what Lambda loads at cold start (index.mjs and its static imports); package = every .mjs of the asset, lazily imported chunks included; gzip = init files gzipped one by one',
          `load = median of ${coldImports} cold import() of index.mjs, each in a fresh node ${process.version} with --enable-source-maps (as deployed) and the function's environment; CPU ms = the process's user+system time during the import (steadier than wall ms when the machine is busy)`,
          `largest: ${largest[0]} (${kb(largest[1].initBytes)} KB); top contributors: ${bytesByPackage(
            largest[1].initInputs,
          )
            .slice(0, 8)
            .map(([group, bytes]) => `${group} ${kb(bytes)} KB`)
            .join(', ')}`,
        ],
        details: {
          measured,
          contributors: Object.fromEntries(
            [...bundles].map(([name, bundle]) => [
              name,
              Object.fromEntries(bytesByPackage(bundle.initInputs)),
            ]),
          ),
        },
      };
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  },
};

/**
 * The environment a function runs with: its own, as the local cloud resolves the definition (the CDK app
 * gives the same), what the Lambda service adds, and the NODE_OPTIONS the CDK app sets. Nothing is called
 * while a module loads, so the endpoints lead nowhere.
 */
export function functionEnvironment() {
  const resolver = createResolver((queue) => `http://127.0.0.1/${localAccountId}/${queue}`);
  const nowhere = 'http://127.0.0.1:9';
  return (definition: FunctionDefinition): Record<string, string> => ({
    ...resolver.environmentOf(definition),
    ...serviceEnvironment({ dynamodb: nowhere, sqs: nowhere, stepfunctions: nowhere }),
    NODE_OPTIONS: '--enable-source-maps',
  });
}

/** Imports a module in a fresh `node` and reports the import's wall and CPU time, and the type of its `handler`. */
export function coldImport(
  moduleFile: string,
  environment: Record<string, string>,
): { wallMs: number; cpuMs: number; handler: string } {
  const script = `const cpu = process.cpuUsage(); const t = performance.now();
    const m = await import(${JSON.stringify(pathToFileURL(moduleFile).href)});
    const wallMs = performance.now() - t; const used = process.cpuUsage(cpu);
    console.log(JSON.stringify({ wallMs, cpuMs: (used.user + used.system) / 1000, handler: typeof m.handler }));`;
  return JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: environment }).toString(),
  );
}

function measure(name: string, bundle: FunctionBundle, environment: Record<string, string>): Measured {
  const imports = Array.from({ length: coldImports }, () => {
    const loaded = coldImport(join(bundle.dir, 'index.mjs'), environment);
    if (loaded.handler !== 'function') throw new Error(`${name}: index.mjs exports no handler`);
    return loaded;
  });
  const median = (values: number[]) =>
    Number((values.sort((a, b) => a - b)[Math.floor(values.length / 2)] as number).toFixed(1));
  return {
    function: name,
    initBytes: bundle.initBytes,
    packageBytes: bundle.packageBytes,
    gzipBytes: bundle.initFiles.reduce(
      (sum, file) => sum + gzipSync(readFileSync(join(bundle.dir, file))).length,
      0,
    ),
    loadMs: median(imports.map((i) => i.wallMs)),
    loadCpuMs: median(imports.map((i) => i.cpuMs)),
  };
}

const baseline = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('./baselines/bundle-size-before-issue-10.json', import.meta.url)),
    'utf8',
  ),
) as { recordedAt: string; commit: string; command: string; rows: Measured[] };

function row(live: Measured): Record<string, string | number> {
  const before = baseline.rows.find((recorded) => recorded.function === live.function);
  return {
    function: live.function,
    'before init KB': before ? kb(before.initBytes) : '-',
    'init KB': kb(live.initBytes),
    'package KB': kb(live.packageBytes),
    'before gzip KB': before ? kb(before.gzipBytes) : '-',
    'gzip KB': kb(live.gzipBytes),
    'before load CPU ms': before?.loadCpuMs ?? '-',
    'load CPU ms': live.loadCpuMs,
    'before load ms': before?.loadMs ?? '-',
    'load ms': live.loadMs,
  };
}
