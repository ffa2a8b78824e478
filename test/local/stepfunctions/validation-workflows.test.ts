import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startStepFunctionsService } from '../../../local/emulators/stepfunctions/service';
import {
  optimizedIntegrations,
  parseResource,
  sdkIntegrationPatterns,
  validateDefinition,
} from '../../../local/emulators/stepfunctions/validation';
import { createResolver, repositoryRoot, systemDefinition } from '../../../local/system-resolution';
import { synthesizeSystem } from '../../infra/synth';
import { type DeployedDefinition, deployedDefinitions } from '../../support/deployed-definitions';
import { testInvoker } from './harness';

/**
 * "No workflow uses an integration pattern that the AWS table lacks": the ASL sources, the definitions the
 * local cloud runs (placeholders resolved locally) and the definitions as deployed (CloudFormation's
 * DefinitionSubstitutions applied to the synthesized templates) all validate OK with the very validator
 * and table the local Step Functions service uses.
 */
const workflowFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return workflowFiles(path);
    return entry.name.endsWith('.asl.json') ? [path] : [];
  });

const sources = workflowFiles(join(repositoryRoot, 'workflows')).map((path) => ({
  file: relative(repositoryRoot, path),
  definition: readFileSync(path, 'utf8'),
}));

/** Every Task Resource in a definition, nested branches and processors included. */
const resourcesOf = (definition: string): string[] => {
  const found: string[] = [];
  JSON.parse(definition, (key, value: unknown) => {
    if (key === 'Resource' && typeof value === 'string') found.push(value);
    return value;
  });
  return found;
};

/** The same table the validator uses: each Resource's service, action and pattern is one of its rows. */
const inTable = (resource: string): boolean => {
  const target = parseResource(resource);
  if (!target) return false;
  if (target.kind === 'aws-sdk') return sdkIntegrationPatterns.includes(target.pattern);
  if (target.kind !== 'optimized') return true;
  const row = optimizedIntegrations.find((r) => r.service === target.service);
  return row?.actions[target.action]?.includes(target.pattern) ?? false;
};

describe('No workflow uses an integration pattern that the AWS table lacks', () => {
  it('finds the workflow sources', () => {
    expect(sources.map((s) => s.file).sort()).toEqual(
      Object.values(systemDefinition.workflows)
        .map((w) => w.definitionFile)
        .sort(),
    );
  });

  it.each(sources)('$file validates OK, and every Task resource is in the table', async ({ definition }) => {
    expect(await validateDefinition(definition, { severity: 'WARNING' })).toEqual({
      result: 'OK',
      diagnostics: [],
      truncated: false,
    });
    expect(resourcesOf(definition).filter((resource) => !inTable(resource))).toEqual([]);
  });

  it('the definitions the local cloud runs (resolved by local/system-resolution) validate OK', async () => {
    const resolver = createResolver((queue) => `http://127.0.0.1:9324/000000000000/${queue}`);
    for (const [name, workflow] of Object.entries(systemDefinition.workflows)) {
      const result = await validateDefinition(resolver.definitionOf(workflow));
      expect({ name, ...result }).toEqual({ name, result: 'OK', diagnostics: [], truncated: false });
    }
  });

  describe('the definitions as deployed (synthesized CDK app, DefinitionSubstitutions applied)', () => {
    let deployed: DeployedDefinition[];
    beforeAll(async () => {
      deployed = deployedDefinitions((await synthesizeSystem()).templates);
    }, 180_000);

    it('has one state machine per workflow, with no placeholder left', () => {
      expect(deployed).toHaveLength(Object.keys(systemDefinition.workflows).length);
      for (const { definition } of deployed) expect(definition).not.toMatch(/\$\{\w+\}/);
    });

    it('each validates OK for its type, and every Task resource is in the table', async () => {
      for (const { logicalId, definition, type } of deployed) {
        const result = await validateDefinition(definition, { type });
        expect({ logicalId, ...result }).toEqual({
          logicalId,
          result: 'OK',
          diagnostics: [],
          truncated: false,
        });
        expect(resourcesOf(definition).filter((resource) => !inTable(resource))).toEqual([]);
      }
    });
  });
});

describe('a planted optimized dynamodb:updateItem.waitForTaskToken', () => {
  const [fulfilment] = sources.filter((s) => s.file.endsWith('fulfilment.asl.json'));
  const planted = (fulfilment?.definition ?? '').replace(
    'arn:aws:states:::aws-sdk:dynamodb:updateItem.waitForTaskToken',
    'arn:aws:states:::dynamodb:updateItem.waitForTaskToken',
  );

  it('fails with INVALID_RESOURCE naming the state', async () => {
    expect(planted).toContain('arn:aws:states:::dynamodb:updateItem.waitForTaskToken');
    const { result, diagnostics } = await validateDefinition(planted);
    expect(result).toBe('FAIL');
    expect(diagnostics).toEqual([
      {
        severity: 'ERROR',
        code: 'INVALID_RESOURCE',
        message: expect.stringMatching(
          /^State "AwaitBackorderAllocation": .*\.waitForTaskToken.*dynamodb:updateItem/,
        ),
        location: '/States/AwaitBackorderAllocation/Resource',
      },
    ]);
  });

  it('stops the local Step Functions service from starting, naming the machine, the state and the rule', async () => {
    await expect(
      startStepFunctionsService({
        stateMachines: [{ name: 'fulfilment', definition: planted }],
        invoker: testInvoker({}),
      }),
    ).rejects.toThrow(
      /^state machine "fulfilment": State "AwaitBackorderAllocation": .*\[INVALID_RESOURCE at \/States\/AwaitBackorderAllocation\/Resource\]$/,
    );
  });
});
