import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CfnElement, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { deadLetterQueueName, invokedFunctions, system } from '../../functions/contracts/system';
import { functionDescriptions } from '../../functions/contracts/system-descriptions';
import { PROJECT_ROOT } from '../../infra/build-app';
import { stateMachineName } from '../../infra/defaults/naming';
import { definition, entriesOf, type FunctionKey } from '../../infra/definition';
import { type CfnTemplate, type SynthesizedSystem, synthesizeSystem } from './synth';

/**
 * One file on purpose: the app is synthesized once per worker (bundling + validation take seconds), and
 * cfn-lint runs in the background while the template assertions run.
 */

let synthesized: SynthesizedSystem;
let service: Template;
let stateful: Template;
let cfnLint: Promise<{ status: number | null; output: string }>;

const runCfnLint = (files: string[]) =>
  new Promise<{ status: number | null; output: string }>((resolve, reject) => {
    const child = spawn('cfn-lint', ['-i', 'W3005', '--', ...files]);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', (error) =>
      reject(new Error(`cfn-lint could not run (${error.message}); install it with: pip install cfn-lint`)),
    );
    child.on('close', (status) => resolve({ status, output }));
  });

beforeAll(async () => {
  synthesized = await synthesizeSystem();
  cfnLint = runCfnLint([synthesized.templateFiles.stateful, synthesized.templateFiles.service]);
  cfnLint.catch(() => undefined);
  service = Template.fromJSON(synthesized.templates.service);
  stateful = Template.fromJSON(synthesized.templates.stateful);
});

const logicalId = (element: { node: { defaultChild?: unknown } }): string => {
  const child = element.node.defaultChild as CfnElement | undefined;
  if (!child) throw new Error('construct has no CloudFormation resource');
  return child.stack.getLogicalId(child);
};

const resource = (template: CfnTemplate, id: string) => {
  const found = template.Resources[id];
  if (!found) throw new Error(`no resource ${id}`);
  return found;
};

const fnOf = (key: string) => {
  const fn = synthesized.built.service.functions.functions.get(key as FunctionKey);
  if (!fn) throw new Error(`no function ${key}`);
  return fn;
};

/** Every action granted to a role, by any policy attached to it. */
const actionsOf = (roleLogicalId: string): { action: string; resources: unknown[] }[] => {
  const out: { action: string; resources: unknown[] }[] = [];
  for (const res of Object.values(synthesized.templates.service.Resources)) {
    if (res.Type !== 'AWS::IAM::Policy') continue;
    const roles = (res.Properties?.Roles ?? []) as unknown[];
    if (!roles.some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleLogicalId }))) continue;
    const doc = res.Properties?.PolicyDocument as {
      Statement: { Action: string | string[]; Resource: unknown }[];
    };
    for (const statement of doc.Statement) {
      const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
      const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
      for (const action of actions) out.push({ action, resources });
    }
  }
  return out;
};

describe('stateful stack', () => {
  it('has the table exactly as defined: keys, GSIs, TTL, streams, PITR, on-demand, retained', () => {
    for (const [key, table] of entriesOf(definition.tables)) {
      const created = synthesized.built.stateful.data.tables.get(key);
      expect(created).toBeDefined();
      const res = resource(synthesized.templates.stateful, logicalId(created as never));
      expect(res.DeletionPolicy).toBe('Retain');
      expect(res.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        DeletionProtectionEnabled: true,
        KeySchema: [
          { AttributeName: table.partitionKey, KeyType: 'HASH' },
          { AttributeName: table.sortKey, KeyType: 'RANGE' },
        ],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        TimeToLiveSpecification: { AttributeName: table.timeToLiveAttribute, Enabled: true },
      });
      const gsis = (res.Properties?.GlobalSecondaryIndexes ?? []) as {
        IndexName: string;
        KeySchema: unknown;
        Projection: unknown;
      }[];
      expect(gsis.map((g) => g.IndexName)).toEqual(table.globalIndexes.map((g) => g.name));
      for (const index of table.globalIndexes) {
        expect(gsis.find((g) => g.IndexName === index.name)?.KeySchema).toEqual([
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ]);
        expect(gsis.find((g) => g.IndexName === index.name)?.Projection).toEqual({
          ProjectionType: index.projection ?? 'ALL',
        });
      }
    }
  });

  it('has every queue with its DLQ (maxReceiveCount from the definition), SSE and TLS-only access', () => {
    for (const [key, queue] of entriesOf(definition.queues)) {
      const pair = synthesized.built.stateful.messaging.queues.get(key);
      if (!pair) throw new Error(`no queue ${key}`);
      const dlqId = logicalId(pair.deadLetterQueue);
      expect(pair.deadLetterQueue.node.id).toBe(deadLetterQueueName(key));
      expect(resource(synthesized.templates.stateful, logicalId(pair.queue)).Properties).toMatchObject({
        VisibilityTimeout: queue.visibilityTimeoutSeconds,
        MessageRetentionPeriod: queue.retentionDays * 86_400,
        SqsManagedSseEnabled: true,
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
          maxReceiveCount: queue.maxReceiveCount,
        },
      });
      expect(resource(synthesized.templates.stateful, dlqId).Properties).toMatchObject({
        SqsManagedSseEnabled: true,
      });
    }
    const queueCount = Object.keys(system.queues).length;
    stateful.resourceCountIs('AWS::SQS::Queue', queueCount * 2);
    stateful.resourcePropertiesCountIs(
      'AWS::SQS::QueuePolicy',
      {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      },
      queueCount * 2,
    );
  });
});

describe('functions', () => {
  it('creates exactly one nodejs22.x arm64 traced function per definition entry', () => {
    service.resourceCountIs('AWS::Lambda::Function', Object.keys(system.functions).length);
    for (const key of Object.keys(definition.functions) as (keyof typeof definition.functions)[]) {
      expect(resource(synthesized.templates.service, logicalId(fnOf(key).fn)).Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        Description: functionDescriptions[key],
      });
    }
  });

  it('gives each function exactly the definition environment (+NODE_OPTIONS), Refs resolved', () => {
    const machineArnSuffix = (workflow: string) =>
      `:stateMachine:${stateMachineName(synthesized.built.service, workflow)}`;
    for (const [key, def] of entriesOf(definition.functions)) {
      const env = resource(synthesized.templates.service, logicalId(fnOf(key).fn)).Properties?.Environment as
        | { Variables: Record<string, unknown> }
        | undefined;
      const vars = env?.Variables ?? {};
      expect(Object.keys(vars).sort(), key).toEqual([...Object.keys(def.environment), 'NODE_OPTIONS'].sort());
      expect(vars.NODE_OPTIONS).toBe('--enable-source-maps');
      for (const [name, value] of Object.entries(def.environment)) {
        const actual = JSON.stringify(vars[name]);
        if (typeof value === 'string') expect(vars[name], `${key}.${name}`).toBe(value);
        else if ('tableName' in value) expect(actual).toMatch(/Fn::ImportValue.*Ref/);
        else if ('queueUrl' in value || 'deadLetterQueueUrl' in value)
          expect(actual).toMatch(/Fn::ImportValue.*Ref/);
        else if ('stateMachineArn' in value)
          expect(actual).toContain(machineArnSuffix(value.stateMachineArn));
        else expect(actual).toContain(logicalId(fnOf(value.functionArn).fn));
      }
    }
  });

  it('logs each function to its own log group with one month retention', () => {
    for (const [key] of entriesOf(definition.functions)) {
      const { fn, logGroup } = fnOf(key);
      const props = resource(synthesized.templates.service, logicalId(fn)).Properties;
      expect(props?.LoggingConfig).toEqual({ LogGroup: { Ref: logicalId(logGroup) } });
      expect(resource(synthesized.templates.service, logicalId(logGroup)).Properties?.RetentionInDays).toBe(
        30,
      );
    }
  });

  it('wires SQS triggers with the defined batching and partial batch responses', () => {
    const triggered = entriesOf(definition.functions).flatMap(([key, def]) =>
      def.sqsTrigger ? [[key, def.sqsTrigger] as const] : [],
    );
    const streamed = entriesOf(definition.functions).filter(([, def]) => def.streamTrigger);
    service.resourceCountIs('AWS::Lambda::EventSourceMapping', triggered.length + streamed.length);
    for (const [key, trigger] of triggered) {
      service.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: logicalId(fnOf(key).fn) },
        BatchSize: trigger.batchSize,
        MaximumBatchingWindowInSeconds: trigger.maxBatchingWindowSeconds,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    }
  });

  it('wires stream triggers on the table stream with the defined filters, retries and bisection', () => {
    const streamed = entriesOf(definition.functions).flatMap(([key, def]) =>
      def.streamTrigger ? [[key, def.streamTrigger] as const] : [],
    );
    expect(streamed.length).toBeGreaterThan(0);
    for (const [key, trigger] of streamed) {
      service.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: logicalId(fnOf(key).fn) },
        // The stream of the stateful stack's table (imported across stacks).
        EventSourceArn: { 'Fn::ImportValue': Match.stringLikeRegexp('StreamArn') },
        BatchSize: trigger.batchSize,
        MaximumRetryAttempts: trigger.maxRetryAttempts,
        BisectBatchOnFunctionError: true,
        StartingPosition: 'TRIM_HORIZON',
        FilterCriteria: { Filters: trigger.filters.map((pattern) => ({ Pattern: JSON.stringify(pattern) })) },
      });
    }
  });

  it('schedules exactly the functions with a schedule', () => {
    const scheduled = entriesOf(definition.functions).flatMap(([key, def]) =>
      def.schedule ? [[key, def.schedule] as const] : [],
    );
    service.resourceCountIs('AWS::Events::Rule', scheduled.length);
    for (const [key, schedule] of scheduled) {
      service.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: `rate(${schedule.everyMinutes} minute${schedule.everyMinutes === 1 ? '' : 's'})`,
        Targets: Match.arrayWith([
          Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(fnOf(key).fn), 'Arn'] } }),
        ]),
      });
    }
  });
});

describe('least privilege', () => {
  const writeActions = [
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
  ];

  it('read-only functions cannot write to the table (e.g. getOrder)', () => {
    for (const [key, def] of entriesOf(definition.functions)) {
      if (def.grants.some((g) => 'table' in g && g.access === 'readWrite')) continue;
      const actions = actionsOf(logicalId(fnOf(key).role)).map((a) => a.action);
      for (const write of writeActions) expect(actions, key).not.toContain(write);
    }
    const getOrder = actionsOf(logicalId(fnOf('getOrder').role)).map((a) => a.action);
    expect(getOrder).toContain('dynamodb:GetItem');
    expect(getOrder.some((a) => a.startsWith('dynamodb:') && writeActions.includes(a))).toBe(false);
  });

  it('only functions granted a workflow get Step Functions actions; only senders and queue admins can send', () => {
    for (const [key, def] of entriesOf(definition.functions)) {
      const grants = def.grants;
      const actions = actionsOf(logicalId(fnOf(key).role)).map((a) => a.action);
      if (!grants.some((g) => 'workflow' in g)) {
        expect(
          actions.filter((a) => a.startsWith('states:')),
          key,
        ).toEqual([]);
      }
      // Senders, and admins (a dead-letter redrive sends the messages back to their queue).
      if (!grants.some((g) => 'queue' in g && (g.access === 'send' || g.access === 'admin'))) {
        expect(actions, key).not.toContain('sqs:SendMessage');
      }
      if (grants.some((g) => 'workflow' in g && g.access === 'start')) {
        expect(actions, key).toContain('states:StartExecution');
      }
    }
  });

  it('no role uses a managed policy, and no table grant uses a wildcard index', () => {
    for (const [id, res] of Object.entries(synthesized.templates.service.Resources)) {
      if (res.Type === 'AWS::IAM::Role') expect(res.Properties?.ManagedPolicyArns, id).toBeUndefined();
    }
    expect(JSON.stringify(synthesized.templates.service)).not.toContain('/index/*');
  });

  it('each state machine role invokes only its listed functions and touches only its tables', () => {
    for (const [key, workflow] of entriesOf(definition.workflows)) {
      const machine = synthesized.built.service.workflows.stateMachines.get(key);
      if (!machine) throw new Error(`no state machine ${key}`);
      const actions = actionsOf(logicalId(machine.role));
      const invoke = actions.filter((a) => a.action === 'lambda:InvokeFunction');
      const invoked = invoke.flatMap((a) => a.resources).map((r) => JSON.stringify(r));
      expect(invoked.sort()).toEqual(
        invokedFunctions(workflow)
          .map((f) => JSON.stringify({ 'Fn::GetAtt': [logicalId(fnOf(f).fn), 'Arn'] }))
          .sort(),
      );
      expect(
        actions.filter((a) => a.action.startsWith('lambda:') && a.action !== 'lambda:InvokeFunction'),
      ).toEqual([]);
      const dynamo = [
        ...new Set(actions.filter((a) => a.action.startsWith('dynamodb:')).map((a) => a.action)),
      ];
      expect(dynamo.sort()).toEqual(
        workflow.tables.length > 0
          ? ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']
          : [],
      );
    }
  });
});

describe('workflows', () => {
  it('are STANDARD, logged (ALL + data), traced, with every placeholder substituted', () => {
    service.resourceCountIs('AWS::StepFunctions::StateMachine', Object.keys(system.workflows).length);
    for (const [key, workflow] of entriesOf(definition.workflows)) {
      const machine = synthesized.built.service.workflows.stateMachines.get(key);
      if (!machine) throw new Error(`no state machine ${key}`);
      const props = resource(synthesized.templates.service, logicalId(machine)).Properties ?? {};
      expect(props).toMatchObject({
        StateMachineType: 'STANDARD',
        StateMachineName: stateMachineName(synthesized.built.service, key),
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
      });
      const asl = readFileSync(join(PROJECT_ROOT, workflow.definitionFile), 'utf8');
      expect(props.DefinitionString).toBe(asl);
      const substitutions = props.DefinitionSubstitutions as Record<string, unknown>;
      expect(Object.keys(substitutions).sort()).toEqual(Object.keys(workflow.substitutions).sort());
      let resolved = asl;
      for (const [name, value] of Object.entries(substitutions)) {
        expect(value, name).toBeTruthy();
        resolved = resolved.replaceAll(`\${${name}}`, 'resolved-by-cloudformation');
      }
      expect(resolved).not.toContain('${');
      expect(() => JSON.parse(resolved)).not.toThrow();
      for (const [name, ref] of Object.entries(workflow.substitutions)) {
        if ('functionArn' in ref) {
          expect(substitutions[name]).toEqual({ 'Fn::GetAtt': [logicalId(fnOf(ref.functionArn).fn), 'Arn'] });
        }
      }
    }
  });
});

describe('HTTP API', () => {
  it('has one route per definition route, each integrated with its function', () => {
    service.resourceCountIs('AWS::ApiGatewayV2::Route', system.routes.length);
    // Integrations are shared per function.
    service.resourceCountIs(
      'AWS::ApiGatewayV2::Integration',
      new Set(system.routes.map((r) => r.function)).size,
    );
    const resources = synthesized.templates.service.Resources;
    for (const route of system.routes) {
      const found = Object.values(resources).find(
        (r) =>
          r.Type === 'AWS::ApiGatewayV2::Route' && r.Properties?.RouteKey === `${route.method} ${route.path}`,
      );
      expect(found, `${route.method} ${route.path}`).toBeDefined();
      const target = JSON.stringify(found?.Properties?.Target);
      const integrationId = /integrations\/",\{"Ref":"([^"]+)"/.exec(target)?.[1] ?? '';
      const integration = resources[integrationId];
      expect(JSON.stringify(integration?.Properties?.IntegrationUri)).toContain(
        logicalId(fnOf(route.function).fn),
      );
      const isPublic = 'public' in route && route.public === true;
      if (isPublic) {
        expect(found?.Properties?.AuthorizationType ?? 'NONE').toBe('NONE');
        expect(found?.Properties?.AuthorizerId).toBeUndefined();
      } else {
        expect(found?.Properties?.AuthorizationType).toBe('CUSTOM');
        expect(found?.Properties?.AuthorizerId).toBeDefined();
      }
    }
  });

  it("authorizes with the definition's authorizer: simple responses, its identity source and cache TTL (as the local gateway)", () => {
    const { authorizer: defined } = system.httpApi;
    expect(defined).toEqual({
      function: 'authorizer',
      identityHeaders: ['x-api-key'],
      resultsCacheTtlSeconds: 0,
    });
    service.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    service.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      EnableSimpleResponses: true,
      AuthorizerPayloadFormatVersion: '2.0',
      AuthorizerResultTtlInSeconds: defined.resultsCacheTtlSeconds,
      IdentitySource: ['$request.header.x-api-key'],
    });
    const authorizer = Object.values(synthesized.templates.service.Resources).find(
      (r) => r.Type === 'AWS::ApiGatewayV2::Authorizer',
    );
    expect(JSON.stringify(authorizer?.Properties?.AuthorizerUri)).toContain(logicalId(fnOf('authorizer').fn));
  });

  it('logs access and throttles the default stage', () => {
    service.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      DefaultRouteSettings: { ThrottlingBurstLimit: Match.anyValue(), ThrottlingRateLimit: Match.anyValue() },
    });
  });
});

describe('operations', () => {
  it('alarms on failed executions, DLQ depth, Lambda errors/throttles and API 5xx', () => {
    const alarms = Object.values(synthesized.templates.service.Resources).filter(
      (r) => r.Type === 'AWS::CloudWatch::Alarm',
    );
    const metric = (name: string) => alarms.filter((a) => a.Properties?.MetricName === name).length;
    expect(metric('ExecutionsFailed')).toBe(Object.keys(system.workflows).length);
    expect(metric('ApproximateNumberOfMessagesVisible')).toBe(Object.keys(system.queues).length);
    expect(metric('Errors')).toBe(Object.keys(system.functions).length);
    expect(metric('Throttles')).toBe(Object.keys(system.functions).length);
    expect(metric('5xx')).toBe(1);
    for (const alarm of alarms) expect(alarm.Properties?.AlarmActions).toHaveLength(1);
  });

  it('encrypts the alarm topic with a key CloudWatch may use (not alias/aws/sns)', () => {
    service.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
    });
    service.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
  });

  it('outputs the API URL, table names, queue URLs and state machine ARNs', () => {
    const outputs = {
      ...synthesized.templates.stateful.Outputs,
      ...synthesized.templates.service.Outputs,
    };
    const names = Object.keys(outputs);
    expect(names).toContain('ApiUrl');
    for (const key of Object.keys(system.tables)) expect(names).toContain(`${key}TableName`);
    for (const key of Object.keys(system.queues)) expect(names).toContain(`${key}QueueUrl`);
    for (const key of Object.keys(system.workflows)) expect(names).toContain(`${key}StateMachineArn`);
  });
});

const walk = (root: IConstruct): IConstruct[] => [root, ...root.node.children.flatMap(walk)];

describe('compliance of the synthesized templates', () => {
  it('passes cfn-lint (W3005 ignored: DependsOn noise on CDK templates)', async () => {
    const lint = await cfnLint;
    expect(lint.output.trim(), 'cfn-lint output').toBe('');
    expect(lint.status).toBe(0);
  });

  it('has no unacknowledged cdk-nag AwsSolutions findings', () => {
    // synth itself already fails on findings (cdk-nag 3 is a validation plugin); this re-runs the pack to
    // report them precisely.
    const report = new AwsSolutionsChecks().validateScope(synthesized.built.app);
    const findings = report.violations.map(
      (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledges every cdk-nag rule with a written reason', () => {
    const acknowledgements = walk(synthesized.built.app)
      .flatMap((c) =>
        c.node.metadata
          .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((m) => Object.entries(m.data as Record<string, string>)),
      )
      // aws-cdk-lib acknowledges some of its own CloudFormation-validation findings (W3045 on the CloudFront
      // log bucket's ACL); every acknowledgement this app writes is a cdk-nag one.
      .filter(([id]) => !id.startsWith('CloudFormation-Validate::'));
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledgements) {
      expect(id).toMatch(/AwsSolutions-/);
      expect(reason.length, id).toBeGreaterThan(40);
    }
  });

  it('bundles every function into an ESM index.mjs with the source map it names', () => {
    for (const [key, { fn }] of synthesized.built.service.functions.functions) {
      const code = resource(synthesized.templates.service, logicalId(fn)).Properties?.Code as {
        S3Key: string;
      };
      const dir = join(synthesized.assembly.directory, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
      const sourceMap = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(
        readFileSync(join(dir, 'index.mjs'), 'utf8'),
      )?.[1];
      expect(sourceMap, key).toBeDefined();
      expect(existsSync(join(dir, sourceMap as string)), key).toBe(true);
    }
  });
});
