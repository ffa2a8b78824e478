import { join } from 'node:path';
import { Duration, Names, Stack, Stage, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FunctionDefinition, Grant } from '../../functions/contracts/system';
import { functionDescriptions } from '../../functions/contracts/system-descriptions';
import { bundleHandlers } from '../defaults/bundle';
import {
  DEFAULT_MEMORY_MB,
  DEFAULT_TIMEOUT,
  HANDLER,
  LAMBDA_ARCHITECTURE,
  LAMBDA_RUNTIME,
  LOG_RETENTION,
} from '../defaults/lambda';
import { executionsArn, stateMachineArn, stateMachineName } from '../defaults/naming';
import {
  entriesOf,
  type FunctionKey,
  lookup,
  type QueueKey,
  resolveRef,
  type SystemShape,
  type TableKey,
} from '../definition';
import type { QueuePair } from './queues';
import { type SystemResourcesProps, tokenResolvers } from './system-resources';

export type SystemFunctionsProps = SystemResourcesProps;

export interface SystemFunction {
  readonly fn: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
}

/**
 * One Lambda function per definition entry (bundled by esbuild, see defaults/bundle.ts) with its own role, log group, environment (Refs resolved to
 * tokens), least-privilege grants, SQS trigger and schedule — all taken from the definition.
 */
export class SystemFunctions extends Construct {
  readonly functions: ReadonlyMap<FunctionKey, SystemFunction>;
  private readonly definition: SystemShape;

  constructor(scope: Construct, id: string, props: SystemFunctionsProps) {
    super(scope, id);
    this.definition = props.definition;
    const stack = Stack.of(this);
    const functions = new Map<FunctionKey, SystemFunction>();
    const table = (key: TableKey) => lookup(props.tables, key, 'table');
    const queue = (key: QueueKey) => lookup(props.queues, key, 'queue');

    const bundles = bundleHandlers(
      new Map(
        entriesOf(props.definition.functions).map(([key, def]) => [key, join(props.projectRoot, def.entry)]),
      ),
      // Inside the cloud assembly directory (cdk.out, or the test's temporary one), never the source tree.
      join(Stage.of(this)?.outdir ?? props.projectRoot, '.lambda-bundles', Names.uniqueId(this)),
    );

    for (const [key, def] of entriesOf(props.definition.functions)) {
      const logGroup = new logs.LogGroup(this, `${key}Logs`, { retention: LOG_RETENTION });
      // An own role instead of the AWSLambdaBasicExecutionRole managed policy (which allows writing to
      // every log group): this function may write to its own log group only.
      const role = new iam.Role(this, `${key}Role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Execution role of ${key}`,
      });
      logGroup.grantWrite(role);
      const fn = new lambda.Function(this, key, {
        code: lambda.Code.fromAsset(lookup(bundles, key, 'function bundle').dir),
        handler: HANDLER,
        description: def.description ?? functionDescriptions[key],
        runtime: LAMBDA_RUNTIME,
        architecture: LAMBDA_ARCHITECTURE,
        memorySize: def.memoryMb ?? DEFAULT_MEMORY_MB,
        timeout: def.timeoutSeconds === undefined ? DEFAULT_TIMEOUT : Duration.seconds(def.timeoutSeconds),
        tracing: lambda.Tracing.ACTIVE,
        logGroup,
        role,
        environment: { NODE_OPTIONS: '--enable-source-maps' },
      });
      Validations.of(fn).acknowledge({
        id: 'AwsSolutions-L1',
        reason:
          'Runtime pinned to nodejs22.x on purpose (docs/architecture.md, toolchain): bundles target node22 and the toolchain is validated on Node 20/22; nodejs24.x is the planned upgrade once the machines move.',
      });
      functions.set(key, { fn, role, logGroup });
    }

    // Second pass: environment and grants may reference any function (ARNs), so every function exists first.
    for (const [key, def] of entriesOf(props.definition.functions)) {
      const { fn, role } = lookup(functions, key, 'function');
      for (const [name, value] of Object.entries(def.environment)) {
        fn.addEnvironment(
          name,
          typeof value === 'string'
            ? value
            : resolveRef<string>(value, tokenResolvers(stack, props, functions)),
        );
      }
      for (const grant of def.grants) this.applyGrant(fn, role, def, grant, table, queue);
      this.acknowledgeTracingWildcard(role);

      this.addTriggers(key, fn, def, table, queue);
    }
    this.functions = functions;
  }

  /** What invokes a function besides requests and workflows: its SQS queue, its table stream, its schedule. */
  private addTriggers(
    key: FunctionKey,
    fn: lambda.Function,
    def: FunctionDefinition,
    table: (key: TableKey) => dynamodb.ITable,
    queue: (key: QueueKey) => QueuePair,
  ): void {
    if (def.sqsTrigger) {
      fn.addEventSource(
        new SqsEventSource(queue(def.sqsTrigger.queue).queue, {
          batchSize: def.sqsTrigger.batchSize,
          maxBatchingWindow: Duration.seconds(def.sqsTrigger.maxBatchingWindowSeconds),
          reportBatchItemFailures: true,
        }),
      );
    }
    if (def.streamTrigger) {
      fn.addEventSource(
        new DynamoEventSource(table(def.streamTrigger.table) as dynamodb.ITable & dynamodb.Table, {
          startingPosition: lambda.StartingPosition.TRIM_HORIZON,
          batchSize: def.streamTrigger.batchSize,
          retryAttempts: def.streamTrigger.maxRetryAttempts,
          bisectBatchOnError: true,
          filters: def.streamTrigger.filters.map((pattern) => lambda.FilterCriteria.filter(pattern)),
        }),
      );
    }
    if (def.schedule) {
      new events.Rule(this, `${key}Schedule`, {
        description: `Runs ${key} every ${def.schedule.everyMinutes} minute(s)`,
        schedule: events.Schedule.rate(Duration.minutes(def.schedule.everyMinutes)),
        targets: [new targets.LambdaFunction(fn, { retryAttempts: 2 })],
      });
    }
  }

  private applyGrant(
    fn: lambda.Function,
    role: iam.Role,
    def: FunctionDefinition,
    grant: Grant,
    table: (key: TableKey) => dynamodb.ITable,
    queue: (key: QueueKey) => QueuePair,
  ): void {
    if ('table' in grant) {
      const target = table(grant.table);
      // Explicit index ARNs from the definition instead of CDK's `<table>/index/*` wildcard.
      const indexes = this.definition.tables[grant.table].globalIndexes.map(
        (index) => `${target.tableArn}/index/${index.name}`,
      );
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions:
            grant.access === 'read' ? TABLE_READ_ACTIONS : [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS],
          resources: [target.tableArn, ...indexes],
        }),
      );
      return;
    }
    if ('queue' in grant) {
      const pair = queue(grant.queue);
      if (grant.access === 'send') pair.queue.grantSendMessages(fn);
      else if (grant.access === 'consume') {
        // The SQS event source grants consumption itself; an explicit grant is for manual polling only.
        if (def.sqsTrigger?.queue !== grant.queue) pair.queue.grantConsumeMessages(fn);
      } else if (grant.access === 'inspectDeadLetters') {
        // Peek: receive, then make visible again; nothing is deleted or moved.
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
            resources: [pair.deadLetterQueue.queueArn],
          }),
        );
      } else {
        // Redrive from the DLQ back to its source queue (StartMessageMoveTask) and inspect the DLQ.
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: [
              'sqs:StartMessageMoveTask',
              'sqs:ListMessageMoveTasks',
              'sqs:CancelMessageMoveTask',
              'sqs:ReceiveMessage',
              'sqs:ChangeMessageVisibility',
              'sqs:DeleteMessage',
              'sqs:GetQueueAttributes',
            ],
            resources: [pair.deadLetterQueue.queueArn],
          }),
        );
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
            resources: [pair.queue.queueArn],
          }),
        );
      }
      return;
    }
    this.grantWorkflow(role, grant.workflow, grant.access);
  }

  private grantWorkflow(role: iam.Role, workflow: string, access: 'start' | 'callback' | 'operate'): void {
    const stack = Stack.of(this);
    const machine = stateMachineArn(stack, workflow);
    if (access === 'start') {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [machine] }),
      );
      return;
    }
    if (access === 'callback') {
      // Task tokens are not resources: SendTask* is authorised on the state machine ARN.
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
          resources: [machine],
        }),
      );
      return;
    }
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['states:ListExecutions', 'states:DescribeStateMachine'],
        resources: [machine],
      }),
    );
    const executions = executionsArn(stack, workflow);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['states:DescribeExecution', 'states:GetExecutionHistory', 'states:RedriveExecution'],
        resources: [executions],
      }),
    );
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${executionsFinding(stack, workflow)}]`,
      reason:
        'Operations read and redrive any execution of this one state machine; execution ARNs are only known at run time (execution:<machine>:*).',
    });
  }

  /** X-Ray (tracing Active) has no resource-level permissions: PutTraceSegments/PutTelemetryRecords need `*`. */
  private acknowledgeTracingWildcard(role: iam.Role): void {
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions.',
    });
  }
}

const TABLE_READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];
const TABLE_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

/** How cdk-nag renders the executions ARN in an IAM5 finding id. */
const executionsFinding = (stack: Stack, workflow: string): string =>
  `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${stateMachineName(stack, workflow)}:*`;
