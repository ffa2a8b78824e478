import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build, buildSync, type OutputFile } from 'esbuild';

/**
 * The ops console's static assets, bundled with esbuild: `npm start` serves them at /console from memory, and
 * the CDK app writes them to a directory it deploys to S3 behind CloudFront. No dev server, no framework CLI.
 */
export interface ConsoleAsset {
  readonly contentType: string;
  readonly body: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

const options = {
  entryPoints: [join(here, 'src/main.tsx')],
  bundle: true,
  write: false,
  outdir: join(here, 'out'),
  format: 'esm',
  target: 'es2022',
  platform: 'browser',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  legalComments: 'none',
  logLevel: 'silent',
} satisfies BuildOptions;

/** File name (`index.html`, `main.js`, `main.css`) → asset, for `npm start` to serve from memory. */
export async function buildConsole(): Promise<Map<string, ConsoleAsset>> {
  return assetsOf((await build(options)).outputFiles);
}

/**
 * The same files written to `outdir`, synchronously: the CDK app is built synchronously at synth, and
 * deploys this directory to S3 (infra/constructs/ops-console.ts).
 */
export function writeConsole(outdir: string): string {
  mkdirSync(outdir, { recursive: true });
  for (const [name, asset] of assetsOf(buildSync(options).outputFiles))
    writeFileSync(join(outdir, name), asset.body);
  return outdir;
}

function assetsOf(outputFiles: readonly OutputFile[]): Map<string, ConsoleAsset> {
  const assets = new Map<string, ConsoleAsset>([
    [
      'index.html',
      { contentType: contentTypes['.html'] as string, body: readFileSync(join(here, 'index.html'), 'utf8') },
    ],
  ]);
  for (const file of outputFiles) {
    const name = file.path.split('/').at(-1) as string;
    const extension = name.slice(name.lastIndexOf('.'));
    assets.set(name, { contentType: contentTypes[extension] ?? 'application/octet-stream', body: file.text });
  }
  return assets;
}
