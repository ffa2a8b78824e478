import {
  type IntegrationPattern,
  integrationTableUrl,
  optimizedIntegrations,
  patternSuffix,
  sdkIntegrationPatterns,
} from './integrations';
import type { StateMachineType } from './types';

/** What a Task's Resource names, once recognised. */
export type ResourceTarget =
  | { kind: 'optimized'; service: string; action: string; pattern: IntegrationPattern }
  | { kind: 'aws-sdk'; service: string; action: string; pattern: IntegrationPattern }
  | { kind: 'lambda-function' }
  | { kind: 'activity' };

const partition = '(?:aws|aws-cn|aws-us-gov|aws-iso(?:-[a-z])?)';
const region = '[a-z]{2}(?:-[a-z]+)+-\\d';
const account = '\\d{12}';
const suffixes = '(?<suffix>\\.sync:2|\\.sync|\\.waitForTaskToken)?';
const integrationArn = new RegExp(
  `^arn:${partition}:states:::(?<service>[a-z0-9-]+):(?<action>[a-zA-Z0-9]+)${suffixes}$`,
);
const sdkArn = new RegExp(
  `^arn:${partition}:states:::aws-sdk:(?<service>[a-z0-9-]+):(?<action>[a-z][a-zA-Z0-9]*)${suffixes}$`,
);
// Lambda function ARNs (optionally qualified) in the Resource field: the legacy direct invoke.
const lambdaFunctionArn = new RegExp(
  `^arn:${partition}:lambda:${region}:${account}:function:[A-Za-z0-9_-]{1,64}(?::(?:\\$LATEST|[A-Za-z0-9_-]{1,128}))?$`,
);
const activityArn = new RegExp(`^arn:${partition}:states:${region}:${account}:activity:[^\\s:]{1,80}$`);

const patternOf = (suffix: string | undefined): IntegrationPattern =>
  (Object.entries(patternSuffix).find(([, s]) => s === (suffix ?? ''))?.[0] as IntegrationPattern) ??
  'REQUEST_RESPONSE';

export function parseResource(resource: string): ResourceTarget | undefined {
  if (lambdaFunctionArn.test(resource)) return { kind: 'lambda-function' };
  if (activityArn.test(resource)) return { kind: 'activity' };
  const sdk = sdkArn.exec(resource)?.groups;
  if (sdk?.service && sdk.action)
    return { kind: 'aws-sdk', service: sdk.service, action: sdk.action, pattern: patternOf(sdk.suffix) };
  const optimized = integrationArn.exec(resource)?.groups;
  if (optimized?.service && optimized.action && optimized.service !== 'aws-sdk')
    return {
      kind: 'optimized',
      service: optimized.service,
      action: optimized.action,
      pattern: patternOf(optimized.suffix),
    };
  return undefined;
}

const describePattern = (pattern: IntegrationPattern): string =>
  pattern === 'REQUEST_RESPONSE' ? 'Request Response' : `the ${patternSuffix[pattern]} pattern`;

/** Why AWS would refuse this Resource for a machine of this type, or undefined if it is accepted. */
export function resourceProblem(resource: string, type: StateMachineType): string | undefined {
  const target = parseResource(resource);
  if (!target)
    return `The resource '${resource}' is not a Lambda function ARN, an activity ARN, an AWS SDK integration or an optimized integration (${integrationTableUrl}).`;
  if (target.kind === 'lambda-function') return undefined;
  if (target.kind === 'activity')
    return type === 'EXPRESS'
      ? 'Express state machines do not support activities (https://docs.aws.amazon.com/step-functions/latest/dg/choosing-workflow-type.html).'
      : undefined;
  const supported = supportedPatterns(target);
  if (!supported)
    return `The resource '${resource}' is not an optimized integration: ${target.service}:${target.action} is not in AWS's table (${integrationTableUrl}); the AWS SDK integration is arn:aws:states:::aws-sdk:${target.service}:${target.action}.`;
  if (!supported.includes(target.pattern)) {
    const name =
      target.kind === 'aws-sdk' ? `aws-sdk:${target.service}` : `${target.service}:${target.action}`;
    return `The resource '${resource}' uses ${describePattern(target.pattern)}, which ${name} does not support (it supports ${supported.map(describePattern).join(', ')}; ${integrationTableUrl}).`;
  }
  if (type === 'EXPRESS' && target.pattern !== 'REQUEST_RESPONSE')
    return `Express state machines support Request Response integrations only; '${resource}' uses ${describePattern(target.pattern)} (${integrationTableUrl}).`;
  return undefined;
}

function supportedPatterns(
  target: Extract<ResourceTarget, { kind: 'optimized' | 'aws-sdk' }>,
): readonly IntegrationPattern[] | undefined {
  if (target.kind === 'aws-sdk') return sdkIntegrationPatterns;
  return optimizedIntegrations.find((row) => row.service === target.service)?.actions[target.action];
}
