import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../local/cloud';
import { type CfnTemplate, synthesizeTemplates } from '../infra/synth';
import { dynamodbEndpoint } from '../support/dynamodb';

/**
 * One definition feeds both sides; this proves they agree. It reads the synthesized CloudFormation
 * templates and asks the *running* local cloud (over its AWS APIs and HTTP) for the same resources.
 */
let cloud: LocalCloud;
let templates: { stateful: CfnTemplate; service: CfnTemplate };
const aws = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

beforeAll(async () => {
  [cloud, templates] = await Promise.all([
    startLocalCloud({ dynamodbEndpoint: dynamodbEndpoint() }),
    synthesizeTemplates(),
  ]);
}, 180_000);

afterAll(async () => {
  await cloud?.stop();
});

type Resource = { Type: string; Properties?: Record<string, unknown> };
const resources = (type: string): [string, Resource][] =>
  [templates.stateful, templates.service].flatMap((template) =>
    Object.entries(template.Resources as Record<string, Resource>).filter(
      ([, resource]) => resource.Type === type,
    ),
  );

/** CDK logical IDs are `<construct path><hash>`; our constructs are named after the definition keys. */
const keyOf = (logicalId: string, prefix: string): string => {
  const match = new RegExp(`^${prefix}(\\w+?)[0-9A-F]{8}$`).exec(logicalId);
  if (!match) throw new Error(`unexpected logical id ${logicalId}`);
  return match[1] as string;
};

describe('the local cloud and the CDK app', () => {
  it('run the same functions with the same environment variable names', () => {
    const deployed = new Map(
      resources('AWS::Lambda::Function').map(([id, resource]) => {
        const variables =
          (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
            ?.Variables ?? {};
        // NODE_OPTIONS (source maps) is a packaging concern of the deployed bundle only.
        return [
          keyOf(id, 'Functions'),
          Object.keys(variables)
            .filter((name) => name !== 'NODE_OPTIONS')
            .sort(),
        ];
      }),
    );
    const local = new Map(
      cloud.inventory.functions.map((name) => [
        name,
        Object.keys(cloud.inventory.environments[name] ?? {}).sort(),
      ]),
    );
    expect([...local.keys()].sort()).toEqual([...deployed.keys()].sort());
    for (const [name, variables] of local) expect(variables, name).toEqual(deployed.get(name));
  });

  it('give each function the same memory and timeout', () => {
    for (const [id, resource] of resources('AWS::Lambda::Function')) {
      const name = keyOf(id, 'Functions');
      expect(cloud.inventory.settings[name], name).toEqual({
        memoryMb: resource.Properties?.MemorySize,
        timeoutSeconds: resource.Properties?.Timeout,
      });
    }
  });

  it('serve the same HTTP routes, each backed by the same function', async () => {
    const integrations = new Map(
      resources('AWS::ApiGatewayV2::Integration').map(([id, resource]) => {
        const uri = resource.Properties?.IntegrationUri as { 'Fn::GetAtt': [string, string] };
        return [id, keyOf(uri['Fn::GetAtt'][0], 'Functions')];
      }),
    );
    const deployedRoutes = resources('AWS::ApiGatewayV2::Route').map(([, resource]) => {
      const target = JSON.stringify(resource.Properties?.Target);
      const integrationId = [...integrations.keys()].find((id) => target.includes(`"${id}"`)) as string;
      return `${resource.Properties?.RouteKey} -> ${integrations.get(integrationId)}`;
    });
    expect(cloud.inventory.routes.slice().sort()).toEqual(deployedRoutes.slice().sort());

    // And the local gateway really answers each of them (its own 404 is `{"message":"Not Found"}`).
    for (const routeKey of deployedRoutes) {
      const [method, path] = routeKey.split(' ') as [string, string];
      const response = await fetch(`${cloud.endpoints.api}${path.replace(/\{\w+\}/g, 'x')}`, {
        method,
        body: method === 'GET' ? undefined : '{}',
      });
      const body = await response.text();
      expect(body, routeKey).not.toBe('{"message":"Not Found"}');
    }
  });

  it('have the same queues, tables and state machines', async () => {
    const sqs = new SQSClient({ ...aws, endpoint: cloud.endpoints.sqs });
    const localQueues = ((await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? []).map((url) =>
      url.split('/').pop(),
    );
    const deployedQueues = resources('AWS::SQS::Queue').map(([id]) =>
      keyOf(id, 'Queues').replace(/dlq$/, '-dlq'),
    );
    expect(localQueues.sort()).toEqual(deployedQueues.sort());

    const dynamodb = new DynamoDBClient({ ...aws, endpoint: cloud.endpoints.dynamodb });
    const localTables = (await dynamodb.send(new ListTablesCommand({}))).TableNames ?? [];
    for (const [id] of resources('AWS::DynamoDB::Table')) expect(localTables).toContain(keyOf(id, 'Tables'));

    const sfn = new SFNClient({ ...aws, endpoint: cloud.endpoints.stepfunctions });
    const localMachines = ((await sfn.send(new ListStateMachinesCommand({}))).stateMachines ?? []).map(
      (m) => m.name,
    );
    const deployedMachines = resources('AWS::StepFunctions::StateMachine').map(([id]) =>
      keyOf(id, 'Workflows'),
    );
    expect(localMachines.sort()).toEqual(deployedMachines.sort());
  });
});
