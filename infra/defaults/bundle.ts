import { rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { buildSync, type Metafile } from 'esbuild';

/** One function's deployment asset and what it weighs. */
export interface FunctionBundle {
  /** The asset directory: `index.mjs` exporting `handler`, the chunks it imports, source maps. */
  readonly dir: string;
  /** The JavaScript files Lambda loads at cold start (`index.mjs` and what it imports statically), relative to `dir`. */
  readonly initFiles: readonly string[];
  /** Their bytes. */
  readonly initBytes: number;
  /** Every JavaScript file of the asset, chunks imported lazily (`import()`) included; source maps excluded. */
  readonly packageBytes: number;
  /** Bytes each source file puts into the JavaScript loaded at cold start (esbuild's metafile). */
  readonly initInputs: Readonly<Record<string, number>>;
}

/**
 * Bundles every handler with ONE in-process esbuild call (local, no Docker): one self-contained ESM file
 * per function with every dependency, AWS SDK included, so the deployed SDK is the one the tests ran
 * against; minified, with source maps (NODE_OPTIONS=--enable-source-maps). The banner gives CommonJS
 * dependencies a `require` inside the ESM bundle.
 *
 * Why not NodejsFunction: with an npm lockfile it shells out to `npx --no-install esbuild` once per
 * function (~1.6 s each here, 21 s for 13 trivial handlers); one esbuild call bundles them all in well
 * under a second. Writes to `outdir` (emptied first; the app's cloud assembly directory keeps it out of
 * the source tree) and returns each key's asset and its weight.
 */
export function bundleHandlers<K extends string>(
  entries: ReadonlyMap<K, string>,
  outdir: string,
): ReadonlyMap<K, FunctionBundle> {
  rmSync(outdir, { recursive: true, force: true });
  const entryPoints: Record<string, string> = {};
  for (const [key, entry] of entries) entryPoints[`${key}/index`] = entry;
  const result = buildSync({
    entryPoints,
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    legalComments: 'none',
    logLevel: 'silent',
    metafile: true,
    banner: {
      js: "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);",
    },
  });
  if (result.errors.length > 0) {
    throw new Error(`bundling failed: ${result.errors.map((e) => e.text).join('; ')}`);
  }
  const bundles = new Map<K, FunctionBundle>();
  for (const key of entries.keys()) {
    const dir = join(outdir, key);
    bundles.set(key, weigh(result.metafile, dir, join(dir, 'index.mjs')));
  }
  return bundles;
}

/** The files an output imports, transitively: statically only (what loads with it) or lazily too. */
function importedOutputs(metafile: Metafile, output: string, lazyToo: boolean): string[] {
  const seen = new Set<string>();
  const pending = [output];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (seen.has(next)) continue;
    seen.add(next);
    for (const imported of metafile.outputs[next]?.imports ?? []) {
      const chunk = metafile.outputs[imported.path];
      if (chunk && (lazyToo || imported.kind === 'import-statement')) pending.push(imported.path);
    }
  }
  return [...seen];
}

function weigh(metafile: Metafile, dir: string, entryFile: string): FunctionBundle {
  // Metafile paths are relative to esbuild's working directory.
  const key = relative(process.cwd(), entryFile);
  const absolute = (output: string) => resolve(process.cwd(), output);
  const bytesOf = (outputs: readonly string[]) =>
    outputs.reduce((sum, output) => sum + (metafile.outputs[output]?.bytes ?? 0), 0);
  const init = importedOutputs(metafile, key, false);
  const initInputs: Record<string, number> = {};
  for (const output of init)
    for (const [input, { bytesInOutput }] of Object.entries(metafile.outputs[output]?.inputs ?? {}))
      initInputs[input] = (initInputs[input] ?? 0) + bytesInOutput;
  return {
    dir,
    initFiles: init.map((output) => relative(dir, absolute(output))),
    initBytes: bytesOf(init),
    packageBytes: bytesOf(importedOutputs(metafile, key, true)),
    initInputs,
  };
}

/** Groups per-file bytes by npm package (`node_modules/<package>`), or by source folder for our own code. */
export function bytesByPackage(inputs: Readonly<Record<string, number>>): [string, number][] {
  const totals = new Map<string, number>();
  for (const [input, bytes] of Object.entries(inputs)) {
    const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
    const group = inPackage ?? input.split('/').slice(0, 2).join('/');
    totals.set(group, (totals.get(group) ?? 0) + bytes);
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}
