import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
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
 * The most JavaScript a function may load at cold start; test/infra/bundle-size.test.ts holds every function
 * to it. Issue 10 asked for 300 KB, which the bundled AWS SDK alone rules out: a DynamoDB client loads
 * ~215 KB (smithy core, protocol, signing, retries, endpoints), zod ~100 KB, Powertools ~40 KB
 * (docs/architecture.md, Lambda bundles). The largest function loads ~495 KB: HTTP handlers import only their area's route contracts (contracts/api-*.ts) to stay under it.
 */
export const INIT_BYTES_BUDGET = 500 * 1024;

/**
 * Bundles every handler with ONE in-process esbuild call (local, no Docker) and lays out one self-contained
 * asset per function: `index.mjs` (its handler module) and the chunks it imports, with every dependency, AWS
 * SDK included, so the deployed SDK is the one the tests ran against; minified, with source maps
 * (NODE_OPTIONS=--enable-source-maps). The banner gives CommonJS dependencies a `require` inside ESM.
 *
 * Code splitting keeps what a function only imports lazily (`import()`) out of its cold start: the SDK's
 * default credential chain imports its SSO, INI-file, process, web-identity and container providers (and
 * the STS/SSO clients they use) that way, and in Lambda the credentials come from the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, set from the execution role:
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime),
 * so they never load. Chunks are shared between functions at build time; each asset gets copies of its own.
 *
 * Why not NodejsFunction: with an npm lockfile it shells out to `npx --no-install esbuild` once per
 * function (~1.6 s each here, 21 s for 13 trivial handlers); one esbuild call bundles them all in seconds.
 * Writes to `outdir` (emptied first; the app's cloud assembly directory keeps it out of the source tree)
 * and returns each key's asset and its weight.
 */
export function bundleHandlers<K extends string>(
  entries: ReadonlyMap<K, string>,
  outdir: string,
): ReadonlyMap<K, FunctionBundle> {
  rmSync(outdir, { recursive: true, force: true });
  const build = join(outdir, '.esbuild');
  const result = buildSync({
    entryPoints: Object.fromEntries(entries),
    outdir: build,
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
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
    const asset = assetOf(result.metafile, build, `${key}.mjs`);
    const dir = join(outdir, key);
    for (const [output, file] of asset.files) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      copyFileSync(output, join(dir, file));
      // The entry's map keeps its name: index.mjs's sourceMappingURL comment names it.
      copyFileSync(`${output}.map`, join(dir, `${relative(build, output)}.map`));
    }
    bundles.set(key, { dir, ...asset.weight });
  }
  rmSync(build, { recursive: true, force: true });
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

/** One function's files (built output → path in its asset, the entry becoming `index.mjs`) and their weight. */
function assetOf(metafile: Metafile, build: string, entryName: string) {
  // Metafile paths are relative to esbuild's working directory.
  const entry = relative(process.cwd(), join(build, entryName));
  const fileOf = (output: string) => (output === entry ? 'index.mjs' : relative(build, resolve(output)));
  const bytesOf = (outputs: readonly string[]) =>
    outputs.reduce((sum, output) => sum + (metafile.outputs[output]?.bytes ?? 0), 0);
  const init = importedOutputs(metafile, entry, false);
  const all = importedOutputs(metafile, entry, true);
  const initInputs: Record<string, number> = {};
  for (const output of init)
    for (const [input, { bytesInOutput }] of Object.entries(metafile.outputs[output]?.inputs ?? {}))
      initInputs[input] = (initInputs[input] ?? 0) + bytesInOutput;
  return {
    files: all.map((output) => [resolve(output), fileOf(output)] as const),
    weight: {
      initFiles: init.map(fileOf),
      initBytes: bytesOf(init),
      packageBytes: bytesOf(all),
      initInputs,
    },
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
