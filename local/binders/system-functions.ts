import { type FunctionDefinition, functionDefaults } from '../../functions/contracts/system';
import { bundleFunctions } from '../emulators/lambda/bundle';
import { createLambdaRuntime } from '../emulators/lambda/runtime';
import { localCredentials, localRegion } from '../emulators/protocol/identity';
import { type createResolver, repositoryRoot, systemDefinition } from '../system-resolution';
import type { BindContext } from './context';

export const functionEntries = () =>
  Object.entries(systemDefinition.functions) as [string, FunctionDefinition][];

/**
 * Every function of the definition, bundled by esbuild and run in its own worker with exactly the environment
 * infra/constructs/system-functions.ts gives it, plus what the Lambda service provides (region, credentials,
 * and locally the endpoints).
 */
export async function bindFunctions(
  context: BindContext,
  resolver: ReturnType<typeof createResolver>,
  options: {
    readonly endpoints: { dynamodb: string; sqs: string; stepfunctions: string };
    readonly prewarm?: boolean;
    readonly functionLog?: (functionName: string, line: string) => void;
    /** Test knobs: variables to set on top of a function's definition (a faster retry base, say). */
    readonly environmentOverrides?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  },
) {
  const entries = functionEntries();
  const bundles = await bundleFunctions(
    repositoryRoot,
    entries.map(([name, definition]) => ({ name, entry: definition.entry })),
  );
  context.onStop(async () => bundles.remove());
  const localFunctions = entries.map(([name, definition]) => ({
    name,
    moduleUrl: bundles.moduleUrl(name),
    environment: { ...resolver.environmentOf(definition), ...options.environmentOverrides?.[name] },
    memoryMb: definition.memoryMb ?? functionDefaults.memoryMb,
    timeoutSeconds: definition.timeoutSeconds ?? functionDefaults.timeoutSeconds,
  }));
  const runtime = createLambdaRuntime(
    localFunctions,
    () => serviceEnvironment(options.endpoints),
    options.functionLog,
  );
  context.onStop(() => runtime.close());
  if (options.prewarm) await runtime.warm();
  context.log(
    `Lambda              ${localFunctions.length} functions bundled${options.prewarm ? ' and warm' : ''}`,
  );
  return { runtime, localFunctions };
}

/** What the Lambda service gives every function besides its own environment: region, credentials, and locally the endpoints. */
export const serviceEnvironment = (endpoints: {
  readonly dynamodb: string;
  readonly sqs: string;
  readonly stepfunctions: string;
}): Record<string, string> => ({
  AWS_REGION: localRegion,
  AWS_DEFAULT_REGION: localRegion,
  AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
  AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
  AWS_ENDPOINT_URL_SQS: endpoints.sqs,
  AWS_ENDPOINT_URL_SFN: endpoints.stepfunctions,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  TZ: 'UTC',
  PATH: process.env.PATH ?? '',
});
