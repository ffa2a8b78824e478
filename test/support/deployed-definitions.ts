/**
 * The state machine definitions exactly as CloudFormation would create them: each
 * AWS::StepFunctions::StateMachine's DefinitionString with its DefinitionSubstitutions applied, the
 * intrinsic functions (Fn::GetAtt, Ref, Fn::ImportValue, Fn::Join) replaced by plausible ARNs and names.
 * An intrinsic this does not know fails loudly, so a new kind of reference cannot slip past validation.
 */
import type { CfnTemplate } from '../infra/synth';

const region = 'us-east-1';
const account = '123456789012';

type Templates = { stateful: CfnTemplate; service: CfnTemplate };

const arnOf = (type: string, id: string): string => {
  const byType: Record<string, string> = {
    'AWS::Lambda::Function': `arn:aws:lambda:${region}:${account}:function:${id}`,
    'AWS::StepFunctions::StateMachine': `arn:aws:states:${region}:${account}:stateMachine:${id}`,
    'AWS::SQS::Queue': `arn:aws:sqs:${region}:${account}:${id}`,
    'AWS::DynamoDB::Table': `arn:aws:dynamodb:${region}:${account}:table/${id}`,
    'AWS::IAM::Role': `arn:aws:iam::${account}:role/${id}`,
  };
  const arn = byType[type];
  if (!arn) throw new Error(`no plausible ARN for ${type} ${id}`);
  return arn;
};

const refOf = (type: string, id: string): string => {
  if (type === 'AWS::SQS::Queue') return `https://sqs.${region}.amazonaws.com/${account}/${id}`;
  if (type === 'AWS::StepFunctions::StateMachine') return arnOf(type, id);
  return id; // tables, functions, roles: Ref is the name
};

const pseudo: Record<string, string> = {
  'AWS::Region': region,
  'AWS::AccountId': account,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
};

function resolveToken(value: unknown, template: CfnTemplate, all: Templates): string {
  if (typeof value === 'string') return value;
  const token = value as Record<string, unknown>;
  const typeOf = (id: string) => {
    const resource = template.Resources[id];
    if (!resource) throw new Error(`reference to unknown resource ${id}`);
    return resource.Type;
  };
  if (typeof token.Ref === 'string') return pseudo[token.Ref] ?? refOf(typeOf(token.Ref), token.Ref);
  if (Array.isArray(token['Fn::GetAtt'])) {
    const [id, attribute] = token['Fn::GetAtt'] as [string, string];
    if (attribute === 'Arn') return arnOf(typeOf(id), id);
    if (attribute === 'QueueUrl') return refOf('AWS::SQS::Queue', id);
    if (attribute === 'QueueName' || attribute === 'Name') return id;
  }
  if (typeof token['Fn::ImportValue'] === 'string') return importValue(token['Fn::ImportValue'], all);
  if (Array.isArray(token['Fn::Join'])) {
    const [separator, parts] = token['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => resolveToken(part, template, all)).join(separator);
  }
  throw new Error(`unresolvable intrinsic ${JSON.stringify(value)}`);
}

/** The service stack imports table names and queue URLs from the stateful stack's exports. */
function importValue(exportName: string, all: Templates): string {
  for (const template of [all.stateful, all.service]) {
    for (const output of Object.values(template.Outputs ?? {})) {
      const exported = output as { Value: unknown; Export?: { Name?: unknown } };
      if (exported.Export?.Name === exportName) return resolveToken(exported.Value, template, all);
    }
  }
  throw new Error(`no export named ${exportName}`);
}

export interface DeployedDefinition {
  logicalId: string;
  definition: string;
  type: 'STANDARD' | 'EXPRESS';
}

export function deployedDefinitions(all: Templates): DeployedDefinition[] {
  return Object.entries(all.service.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::StepFunctions::StateMachine')
    .map(([logicalId, resource]) => {
      const properties = resource.Properties ?? {};
      const text = resolveToken(properties.DefinitionString, all.service, all);
      const substitutions = (properties.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
      const definition = text.replace(/\$\{(\w+)\}/g, (placeholder, name: string) => {
        if (!(name in substitutions)) throw new Error(`${logicalId}: no substitution for ${placeholder}`);
        return resolveToken(substitutions[name], all.service, all);
      });
      const type = properties.StateMachineType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD';
      return { logicalId, definition, type };
    });
}
