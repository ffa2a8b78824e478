import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

export interface FunctionBundles {
  /** file: URL of each function's bundled module. */
  moduleUrl(functionName: string): string;
  remove(): void;
}

/**
 * Bundles every handler with esbuild, as the deployment does, in one build. Shared code goes to common
 * chunks (4× faster to build than one self-contained file per function; each worker still loads its own
 * copy, so functions stay isolated). A bundled worker starts ~3-4× faster than one transpiling TypeScript
 * module by module.
 * Each local cloud gets its own output directory, so parallel test runs never share files.
 */
export async function bundleFunctions(
  repositoryRoot: string,
  functions: readonly { name: string; entry: string }[],
): Promise<FunctionBundles> {
  const outdir = mkdtempSync(join(tmpdir(), 'o2o-lambda-'));
  await build({
    entryPoints: Object.fromEntries(functions.map((fn) => [fn.name, resolve(repositoryRoot, fn.entry)])),
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    logLevel: 'warning',
    // Some bundled CommonJS dependencies call require(); ESM output needs it defined.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
  return {
    moduleUrl: (functionName) => pathToFileURL(join(outdir, `${functionName}.mjs`)).href,
    remove: () => rmSync(outdir, { recursive: true, force: true }),
  };
}
