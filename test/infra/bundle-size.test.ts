/**
 * What each Lambda bundle loads at cold start, with the deployment's own bundler: every function stays under
 * the budget, the code that only the credential chain or the OpenAPI document needs stays out of the
 * functions that never run it, and every asset loads on its own. Bytes are deterministic; no timing here
 * (`npm run bench -- bundle-size` measures load times).
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coldImport, functionEnvironment } from '../../bench/bundle-size';
import { formatTable } from '../../bench/harness';
import type { FunctionDefinition, Grant } from '../../functions/contracts/system';
import {
  bundleHandlers,
  bytesByPackage,
  type FunctionBundle,
  INIT_BYTES_BUDGET,
} from '../../infra/defaults/bundle';
import { repositoryRoot, systemDefinition } from '../../local/system-resolution';

const definitions = Object.entries(systemDefinition.functions) as [string, FunctionDefinition][];
const kb = (bytes: number) => Number((bytes / 1024).toFixed(1));

/** Packages the SDK's default credential chain imports lazily: in Lambda the credentials are in the environment. */
const lazyCredentialPackages = [
  '@aws-sdk/nested-clients',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/credential-provider-http',
  '@smithy/credential-provider-imds',
  '@aws-sdk/token-providers',
];

describe('Lambda bundles', () => {
  let outdir: string;
  let bundles: ReadonlyMap<string, FunctionBundle>;

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'o2o-bundles-'));
    bundles = bundleHandlers(
      new Map(definitions.map(([name, definition]) => [name, resolve(repositoryRoot, definition.entry)])),
      outdir,
    );
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it(`loads at most ${kb(INIT_BYTES_BUDGET)} KB of JavaScript per function at cold start`, () => {
    const sorted = [...bundles].sort((a, b) => b[1].initBytes - a[1].initBytes);
    console.log(
      formatTable(
        sorted.map(([name, bundle]) => ({
          function: name,
          'init KB': kb(bundle.initBytes),
          'package KB': kb(bundle.packageBytes),
          'largest contributors (KB)': bytesByPackage(bundle.initInputs)
            .slice(0, 4)
            .map(([group, bytes]) => `${group} ${kb(bytes)}`)
            .join(', '),
        })),
      ),
    );
    expect(bundles.size).toBe(definitions.length);
    const over = sorted
      .filter(([, bundle]) => bundle.initBytes > INIT_BYTES_BUDGET)
      .map(([name, bundle]) => `${name}: ${kb(bundle.initBytes)} KB`);
    expect(over).toEqual([]);
  });

  it('leaves the lazily imported credential providers out of every cold start', () => {
    const loaded = [...bundles].flatMap(([name, bundle]) =>
      bytesByPackage(bundle.initInputs)
        .filter(([group]) => lazyCredentialPackages.includes(group))
        .map(([group]) => `${name}: ${group}`),
    );
    expect(loaded).toEqual([]);
  });

  it('loads only the SDK clients its grants let a function use', () => {
    const clientOf = (grant: Grant) =>
      'table' in grant
        ? '@aws-sdk/client-dynamodb'
        : 'queue' in grant
          ? '@aws-sdk/client-sqs'
          : '@aws-sdk/client-sfn';
    const unused = definitions.flatMap(([name, definition]) => {
      const granted = new Set<string>(definition.grants.map(clientOf));
      return bytesByPackage((bundles.get(name) as FunctionBundle).initInputs)
        .filter(([group]) => /^@aws-sdk\/client-/.test(group) && !granted.has(group))
        .map(([group]) => `${name}: ${group}`);
    });
    expect(unused).toEqual([]);
  });

  it('generates the OpenAPI document only in the function that serves it', () => {
    const withOpenApi = [...bundles]
      .filter(([, bundle]) =>
        Object.keys(bundle.initInputs).some((input) => input.endsWith('shared/openapi.ts')),
      )
      .map(([name]) => name);
    expect(withOpenApi).toEqual(['health']);
  });

  it('loads every asset on its own: index.mjs exports the handler with nothing but its directory', () => {
    const environmentOf = functionEnvironment();
    const isolated = mkdtempSync(join(tmpdir(), 'o2o-asset-'));
    try {
      for (const [name, definition] of definitions) {
        const dir = join(isolated, name);
        cpSync((bundles.get(name) as FunctionBundle).dir, dir, { recursive: true });
        expect(coldImport(join(dir, 'index.mjs'), environmentOf(definition)).handler, name).toBe('function');
      }
    } finally {
      rmSync(isolated, { recursive: true, force: true });
    }
  });
});
