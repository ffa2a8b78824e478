/**
 * Synthesizes the CDK app in-process ONCE per test worker (bundling, cdk-nag and CloudFormation
 * validation take seconds) and hands out the templates. The drift test uses `synthesizeTemplates()`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { buildApp } from '../../infra/build-app';

export type CfnTemplate = {
  readonly Resources: Record<string, CfnResourceJson>;
  readonly Outputs?: Record<string, { readonly Value: unknown }>;
};
export interface CfnResourceJson {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

export interface SynthesizedSystem {
  readonly built: ReturnType<typeof buildApp>;
  readonly assembly: CloudAssembly;
  readonly templates: {
    readonly stateful: CfnTemplate;
    readonly service: CfnTemplate;
    readonly console: CfnTemplate;
  };
  readonly templateFiles: { readonly stateful: string; readonly service: string; readonly console: string };
  readonly synthMillis: number;
}

let cached: Promise<SynthesizedSystem> | undefined;

export function synthesizeSystem(): Promise<SynthesizedSystem> {
  cached ??= Promise.resolve().then(() => {
    const started = Date.now();
    // The built-in CloudFormation validation plugin (a WASM engine, ~5-7 s) is off here: the suite runs
    // cfn-lint on the same templates. `npm run synth` keeps it on.
    const built = buildApp({ builtinCloudFormationValidation: false, treeMetadata: false });
    // Throws if cdk-nag (a validation plugin) reports any unacknowledged finding.
    const assembly = built.app.synth();
    const file = (stackName: string) => {
      const stack = assembly.getStackByName(stackName);
      return join(assembly.directory, stack.templateFile);
    };
    const templateFiles = {
      stateful: file(built.stateful.stackName),
      service: file(built.service.stackName),
      console: file(built.opsConsole.stackName),
    };
    const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as CfnTemplate;
    return {
      built,
      assembly,
      templates: {
        stateful: read(templateFiles.stateful),
        service: read(templateFiles.service),
        console: read(templateFiles.console),
      },
      templateFiles,
      synthMillis: Date.now() - started,
    };
  });
  return cached;
}

/** The synthesized CloudFormation templates of both stacks (memoized per worker). */
export async function synthesizeTemplates(): Promise<{ stateful: CfnTemplate; service: CfnTemplate }> {
  const { templates } = await synthesizeSystem();
  return { stateful: templates.stateful, service: templates.service };
}
