import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { buildSync } from 'esbuild';
import { functionDefaults } from '../../functions/contracts/system';

/** docs/architecture.md, toolchain: Lambda runs nodejs22.x (the dev machines run Node 20; the bundle targets node22). */
export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_22_X;
export const LAMBDA_ARCHITECTURE = lambda.Architecture.ARM_64;
export const DEFAULT_MEMORY_MB = functionDefaults.memoryMb;
export const DEFAULT_TIMEOUT = Duration.seconds(functionDefaults.timeoutSeconds);
export const LOG_RETENTION = RetentionDays.ONE_MONTH;
/** The bundle is `index.mjs` exporting `handler` (definition entries export `handler`). */
export const HANDLER = 'index.handler';

/**
 * Bundles every handler with ONE in-process esbuild call (local, no Docker): one self-contained ESM file
 * per function with every dependency, AWS SDK included, so the deployed SDK is the one the tests ran
 * against; minified, with source maps (NODE_OPTIONS=--enable-source-maps). The banner gives CommonJS
 * dependencies a `require` inside the ESM bundle.
 *
 * Why not NodejsFunction: with an npm lockfile it shells out to `npx --no-install esbuild` once per
 * function (~1.6 s each here, 21 s for 13 trivial handlers); one esbuild call bundles them all in well
 * under a second. Writes to `outdir` (emptied first; the app's cloud assembly directory keeps it out of
 * the source tree) and returns the asset directory of each key.
 */
export function bundleHandlers<K extends string>(
  entries: ReadonlyMap<K, string>,
  outdir: string,
): ReadonlyMap<K, string> {
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
    banner: {
      js: "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);",
    },
  });
  if (result.errors.length > 0) {
    throw new Error(`bundling failed: ${result.errors.map((e) => e.text).join('; ')}`);
  }
  const dirs = new Map<K, string>();
  for (const key of entries.keys()) dirs.set(key, join(outdir, key));
  return dirs;
}
