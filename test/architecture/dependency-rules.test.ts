import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { repositoryRoot } from '../../local/system-resolution';

/**
 * Each dependency rule in .dependency-cruiser.cjs is shown to fire on a planted violation: a scratch project
 * with the real configuration and two files, one importing the other across the forbidden boundary.
 */
const plantedViolations: [rule: string, from: string, to: string][] = [
  ['app-is-above-adapters', 'functions/adapters/dynamodb/orders.ts', 'functions/app/cancel-order.ts'],
  ['app-is-above-adapters', 'functions/shared/env.ts', 'functions/app/replenishment.ts'],
  [
    'shared-is-glue-without-adapters',
    'functions/shared/auth.ts',
    'functions/adapters/dynamodb/principals.ts',
  ],
  [
    'adapters-and-shared-not-handlers',
    'functions/adapters/errors.ts',
    'functions/handlers/orders/get-order.api.ts',
  ],
  ['core-is-pure', 'functions/core/stock.ts', 'functions/adapters/dynamodb/stock.ts'],
  ['contracts-is-a-leaf', 'functions/contracts/api.ts', 'functions/core/stock.ts'],
  ['functions-never-import-infra-or-cdk', 'functions/handlers/platform/health.api.ts', 'infra/app.ts'],
  [
    'emulators-are-generic',
    'local/emulators/stepfunctions/validation/index.ts',
    'functions/contracts/system.ts',
  ],
  ['emulators-are-generic', 'local/emulators/sqs/engine.ts', 'local/cloud.ts'],
  ['infra-never-imports-runtime-code', 'infra/app.ts', 'local/cloud.ts'],
  ['local-does-not-import-infra', 'local/cloud.ts', 'infra/app.ts'],
];

const scratch = mkdtempSync(join(tmpdir(), 'depcruise-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function plant(from: string, to: string): string {
  const dir = mkdtempSync(join(scratch, 'case-'));
  copyFileSync(join(repositoryRoot, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'esnext', moduleResolution: 'bundler' } }),
  );
  const target = `./${relative(dirname(from), to).replace(/\.ts$/, '')}`.replace('./../', '../');
  for (const [file, text] of [
    [from, `import { value } from '${target}';\nexport const used = value;\n`],
    [to, 'export const value = 1;\n'],
  ] as const) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

async function cruise(dir: string, roots: readonly string[]): Promise<{ code: number; output: string }> {
  const bin = join(repositoryRoot, 'node_modules/.bin/depcruise');
  try {
    const { stdout } = await promisify(execFile)(
      bin,
      ['--config', '.dependency-cruiser.cjs', ...new Set(roots)],
      {
        cwd: dir,
      },
    );
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, output: failed.stdout };
  }
}

describe('dependency rules fire on planted violations', () => {
  it.each(plantedViolations)('%s: %s → %s', async (rule, from, to) => {
    const { code, output } = await cruise(
      plant(from, to),
      [from, to].map((file) => file.split('/')[0] as string),
    );
    expect(code).not.toBe(0);
    expect(output).toContain(rule);
  });

  it('the same scratch project without the violation passes', async () => {
    const dir = plant('functions/app/cancel-order.ts', 'functions/adapters/dynamodb/orders.ts');
    expect((await cruise(dir, ['functions'])).code).toBe(0);
  });
});
