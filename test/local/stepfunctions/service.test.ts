import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ExecutionNotRedrivable,
  GetExecutionHistoryCommand,
  InvalidToken,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  RedriveExecutionCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionArn } from '../../../local/emulators/protocol/identity';
import type { StepFunctionsService } from '../../../local/emulators/stepfunctions/service';
import { createTestTable, dynamodbEndpoint } from '../../support/dynamodb';
import {
  arnOf,
  eventually,
  fail,
  historyOf,
  settled,
  startExecution,
  startTestSfn,
  testInvoker,
  typesOf,
} from './harness';

const lambdaRetry = [{ ErrorEquals: ['TransientError'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2 }];

/** Pass → lambda:invoke (ResultSelector) → Choice → Pass|Succeed; also reads context paths. */
const simple = (table: string) => ({
  StartAt: 'Prepare',
  States: {
    Prepare: {
      Type: 'Pass',
      Parameters: { 'n.$': '$.n', 'execution.$': '$$.Execution.Name' },
      Next: 'Double',
    },
    Double: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: {
        FunctionName: functionArn('double'),
        Payload: { 'n.$': '$.n', 'state.$': '$$.State.Name', 'original.$': '$$.Execution.Input' },
      },
      ResultSelector: { 'doubled.$': '$.Payload.doubled' },
      ResultPath: '$.result',
      Next: 'IsBig',
    },
    IsBig: {
      Type: 'Choice',
      Choices: [{ Variable: '$.result.doubled', NumericGreaterThan: 10, Next: 'Big' }],
      Default: 'Small',
    },
    Big: { Type: 'Pass', Result: { size: 'big', table }, ResultPath: '$.size', End: true },
    Small: { Type: 'Succeed' },
  },
});

/** Retry on TransientError, Catch `Permanent` into a modelled path; everything else fails the execution at Call. */
const flaky = {
  StartAt: 'Call',
  States: {
    Call: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'flaky', 'Payload.$': '$' },
      OutputPath: '$.Payload',
      Retry: lambdaRetry,
      Catch: [{ ErrorEquals: ['Permanent'], ResultPath: '$.failure', Next: 'Recovered' }],
      End: true,
    },
    Recovered: { Type: 'Pass', End: true },
  },
};

/** Prepare (counted) → Work (fails while `workFailures` > 0) → Done: for redrive. */
const redrivable = {
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Task', Resource: functionArn('prepare'), ResultPath: '$.prepared', Next: 'Work' },
    Work: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'work', 'Payload.$': '$' },
      ResultSelector: { 'worked.$': '$.Payload' },
      ResultPath: '$.work',
      Retry: lambdaRetry,
      Next: 'Done',
    },
    Done: { Type: 'Succeed' },
  },
};

/** Parks a task token on an item; SendTaskSuccess resumes, SendTaskFailure(Custom.Rejected) is caught. */
const callback = (table: string) => ({
  StartAt: 'Park',
  States: {
    Park: {
      Type: 'Task',
      // The optimized DynamoDB integration is Request Response only; callbacks go through the SDK integration.
      Resource: 'arn:aws:states:::aws-sdk:dynamodb:updateItem.waitForTaskToken',
      Parameters: {
        TableName: table,
        Key: { pk: { 'S.$': "States.Format('PARK#{}', $.id)" }, sk: { S: 'PARK' } },
        UpdateExpression: 'SET taskToken = :token',
        ExpressionAttributeValues: { ':token': { 'S.$': '$$.Task.Token' } },
      },
      HeartbeatSeconds: 60,
      ResultPath: '$.callback',
      Catch: [{ ErrorEquals: ['Custom.Rejected'], ResultPath: '$.rejection', Next: 'Handled' }],
      Next: 'Resumed',
    },
    Resumed: { Type: 'Succeed' },
    Handled: { Type: 'Pass', End: true },
  },
});

/** Writes once; a second write of the same id fails with DynamoDB.ConditionalCheckFailedException. */
const createOnce = (table: string) => ({
  StartAt: 'Create',
  States: {
    Create: {
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:putItem',
      Parameters: {
        TableName: table,
        Item: {
          pk: { 'S.$': "States.Format('ONCE#{}', $.id)" },
          sk: { S: 'ONCE' },
          value: { 'N.$': 'States.JsonToString($.value)' },
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
      ResultPath: null,
      Next: 'Read',
    },
    Read: {
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:getItem',
      Parameters: {
        TableName: table,
        Key: { pk: { 'S.$': "States.Format('ONCE#{}', $.id)" }, sk: { S: 'ONCE' } },
      },
      ResultSelector: { 'value.$': '$.Item.value.N' },
      End: true,
    },
  },
});

const sleeper = { StartAt: 'Sleep', States: { Sleep: { Type: 'Wait', Seconds: 30, End: true } } };

/** Starts `simple` as a child and waits for it (states:startExecution.sync:2). */
const parent = {
  StartAt: 'Child',
  States: {
    Child: {
      Type: 'Task',
      Resource: 'arn:aws:states:::states:startExecution.sync:2',
      Parameters: { StateMachineArn: arnOf('simple'), Input: { 'n.$': '$.n' } },
      OutputPath: '$.Output',
      End: true,
    },
  },
};

/** Map over lambda:invoke tasks, then a Parallel of two Pass branches. */
const fanOut = {
  StartAt: 'Each',
  States: {
    Each: {
      Type: 'Map',
      ItemsPath: '$.items',
      ItemSelector: { 'n.$': '$$.Map.Item.Value', 'order.$': '$$.Execution.Input.order' },
      ItemProcessor: {
        StartAt: 'DoubleItem',
        States: {
          DoubleItem: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: 'double', 'Payload.$': '$' },
            ResultSelector: { 'doubled.$': '$.Payload.doubled', 'order.$': '$.Payload.seen.order' },
            End: true,
          },
        },
      },
      ResultPath: '$.doubled',
      Next: 'Both',
    },
    Both: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'Left', States: { Left: { Type: 'Pass', Result: 'left', End: true } } },
        { StartAt: 'Right', States: { Right: { Type: 'Pass', Result: 'right', End: true } } },
      ],
      ResultPath: '$.branches',
      End: true,
    },
  },
};

describe('local Step Functions service', () => {
  let service: StepFunctionsService;
  let sfn: SFNClient;
  let table: Awaited<ReturnType<typeof createTestTable>>;
  let workFailures = 0;
  const invoker = testInvoker({
    double: (payload) => ({ doubled: (payload as { n: number }).n * 2, seen: payload }),
    flaky: (payload) => {
      const mode = (payload as { mode: string }).mode;
      if (mode === 'transient') fail('TransientError', 'try again');
      if (mode === 'permanent') fail('Permanent', 'never works');
      if (mode === 'crash') fail('Boom', 'unexpected');
      return { ok: true };
    },
    prepare: () => ({ prepared: true }),
    work: (payload) => {
      if (workFailures > 0) {
        workFailures -= 1;
        fail('TransientError', 'downstream unavailable');
      }
      return { done: true, input: payload };
    },
  });
  const callsOf = (name: string) => invoker.calls.filter((c) => c.name === name);

  beforeAll(async () => {
    table = await createTestTable();
    ({ service, sfn } = await startTestSfn({
      stateMachines: [
        { name: 'simple', definition: JSON.stringify(simple(table.tableName)) },
        { name: 'flaky', definition: JSON.stringify(flaky) },
        { name: 'redrivable', definition: JSON.stringify(redrivable) },
        { name: 'callback', definition: JSON.stringify(callback(table.tableName)) },
        { name: 'createOnce', definition: JSON.stringify(createOnce(table.tableName)) },
        { name: 'sleeper', definition: JSON.stringify(sleeper) },
        { name: 'parent', definition: JSON.stringify(parent) },
        { name: 'fanOut', definition: JSON.stringify(fanOut) },
      ],
      invoker,
      dynamodbEndpoint: dynamodbEndpoint(),
      retryIntervalScale: 0,
    }));
  });
  afterAll(async () => {
    await service?.close();
  });

  const start = (machine: string, input: unknown, name?: string) => startExecution(sfn, machine, input, name);

  it('lists and describes state machines', async () => {
    const list = await sfn.send(new ListStateMachinesCommand({}));
    expect(list.stateMachines?.map((m) => m.name)).toEqual([
      'simple',
      'flaky',
      'redrivable',
      'callback',
      'createOnce',
      'sleeper',
      'parent',
      'fanOut',
    ]);
    expect(list.stateMachines?.[0]?.creationDate).toBeInstanceOf(Date);
    const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arnOf('flaky') }));
    expect(described).toMatchObject({
      name: 'flaky',
      status: 'ACTIVE',
      type: 'STANDARD',
      stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:flaky',
    });
    expect(JSON.parse(described.definition as string)).toEqual(flaky);
    await expect(
      sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arnOf('nope') })),
    ).rejects.toBeInstanceOf(StateMachineDoesNotExist);
  });

  it('runs to SUCCEEDED with an AWS-shaped history holding each state input and output', async () => {
    const arn = await start('simple', { n: 7 }, 'simple-big');
    expect(arn).toBe('arn:aws:states:us-east-1:000000000000:execution:simple:simple-big');
    const described = await settled(sfn, arn);
    expect(described.status).toBe('SUCCEEDED');
    expect(described.startDate).toBeInstanceOf(Date);
    expect(described.stopDate).toBeInstanceOf(Date);
    expect(JSON.parse(described.output as string)).toEqual({
      n: 7,
      execution: 'simple-big',
      result: { doubled: 14 },
      size: { size: 'big', table: table.tableName },
    });
    expect(callsOf('double').at(-1)?.payload).toEqual({ n: 7, state: 'Double', original: { n: 7 } });

    const events = await historyOf(sfn, arn);
    expect(typesOf(events)).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events.map((e) => e.previousEventId)).toEqual(events.map((_, i) => i));
    expect(events[0]?.timestamp).toBeInstanceOf(Date);
    expect(JSON.parse(events[0]?.executionStartedEventDetails?.input as string)).toEqual({ n: 7 });
    const entered = events.find((e) => e.type === 'TaskStateEntered')?.stateEnteredEventDetails;
    expect(entered?.name).toBe('Double');
    expect(JSON.parse(entered?.input as string)).toEqual({ n: 7, execution: 'simple-big' });
    const scheduled = events.find((e) => e.type === 'TaskScheduled')?.taskScheduledEventDetails;
    expect(scheduled).toMatchObject({ resourceType: 'lambda', resource: 'invoke', region: 'us-east-1' });
    expect(JSON.parse(scheduled?.parameters as string)).toEqual({
      FunctionName: functionArn('double'),
      Payload: { n: 7, state: 'Double', original: { n: 7 } },
    });
    const succeeded = events.find((e) => e.type === 'TaskSucceeded')?.taskSucceededEventDetails;
    expect(JSON.parse(succeeded?.output as string)).toEqual({
      ExecutedVersion: '$LATEST',
      Payload: { doubled: 14, seen: { n: 7, state: 'Double', original: { n: 7 } } },
      StatusCode: 200,
    });
    const exited = events.find((e) => e.type === 'TaskStateExited')?.stateExitedEventDetails;
    expect(exited?.name).toBe('Double');
    expect(JSON.parse(exited?.output as string)).toEqual({
      n: 7,
      execution: 'simple-big',
      result: { doubled: 14 },
    });

    const reversed = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: arn, reverseOrder: true, maxResults: 2 }),
    );
    expect(typesOf(reversed.events ?? [])).toEqual(['ExecutionSucceeded', 'PassStateExited']);
    expect(reversed.nextToken).toBeDefined();
    const rest = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn: arn,
        reverseOrder: true,
        nextToken: reversed.nextToken,
      }),
    );
    expect(rest.events?.length).toBe(11);
  });

  it('takes the Choice default path', async () => {
    const arn = await start('simple', { n: 2 });
    const described = await settled(sfn, arn);
    expect(described.status).toBe('SUCCEEDED');
    expect(typesOf(await historyOf(sfn, arn)).slice(-3)).toEqual([
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('retries a handler error, then fails the execution at that state with AWS error and cause', async () => {
    const before = callsOf('flaky').length;
    const arn = await start('flaky', { mode: 'transient' });
    const described = await settled(sfn, arn);
    expect(described.status).toBe('FAILED');
    expect(described.error).toBe('TransientError');
    expect(JSON.parse(described.cause as string)).toEqual({
      errorType: 'TransientError',
      errorMessage: 'try again',
      trace: [],
    });
    expect(callsOf('flaky').length - before).toBe(3);
    const events = await historyOf(sfn, arn);
    expect(typesOf(events)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      ...['TaskScheduled', 'TaskStarted', 'TaskFailed'],
      ...['TaskScheduled', 'TaskStarted', 'TaskFailed'],
      ...['TaskScheduled', 'TaskStarted', 'TaskFailed'],
      'ExecutionFailed',
    ]);
    expect(events.find((e) => e.type === 'TaskFailed')?.taskFailedEventDetails).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke',
      error: 'TransientError',
    });
    expect(events.at(-1)?.executionFailedEventDetails?.error).toBe('TransientError');
    expect(described.redriveStatus).toBe('REDRIVABLE');
  });

  it('routes a caught error through Catch', async () => {
    const arn = await start('flaky', { mode: 'permanent' });
    const described = await settled(sfn, arn);
    expect(described.status).toBe('SUCCEEDED');
    const output = JSON.parse(described.output as string) as { failure: { Error: string; Cause: string } };
    expect(output.failure.Error).toBe('Permanent');
    expect(JSON.parse(output.failure.Cause)).toMatchObject({
      errorType: 'Permanent',
      errorMessage: 'never works',
    });
    expect(typesOf(await historyOf(sfn, arn))).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'TaskStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('filters ListExecutions by status and pages through them', async () => {
    const crashed = await start('flaky', { mode: 'crash' });
    const ok = await start('flaky', { mode: 'ok' });
    await settled(sfn, crashed);
    await settled(sfn, ok);
    const failed = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: arnOf('flaky'), statusFilter: 'FAILED' }),
    );
    expect(failed.executions?.every((e) => e.status === 'FAILED')).toBe(true);
    expect(failed.executions?.map((e) => e.executionArn)).toContain(crashed);
    expect(failed.executions?.map((e) => e.executionArn)).not.toContain(ok);
    const all = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arnOf('flaky') }));
    const first = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: arnOf('flaky'), maxResults: 1 }),
    );
    expect(first.executions?.length).toBe(1);
    expect(first.executions?.[0]?.executionArn).toBe(all.executions?.[0]?.executionArn);
    const second = await sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: arnOf('flaky'),
        maxResults: 1,
        nextToken: first.nextToken,
      }),
    );
    expect(second.executions?.[0]?.executionArn).toBe(all.executions?.[1]?.executionArn);
    await expect(
      sfn.send(new DescribeExecutionCommand({ executionArn: `${crashed}-missing` })),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
  });

  it('redrives a failed execution from the failed state with its recorded input, keeping the ARN and history', async () => {
    workFailures = 3; // beyond the Retry budget (1 + 2 retries)
    const preparedBefore = callsOf('prepare').length;
    const workBefore = callsOf('work').length;
    const arn = await start('redrivable', { orderId: 'o-1' }, 'redrive-me');
    const failed = await settled(sfn, arn);
    expect(failed).toMatchObject({
      status: 'FAILED',
      error: 'TransientError',
      redriveCount: 0,
      redriveStatus: 'REDRIVABLE',
    });
    const failedHistory = await historyOf(sfn, arn);
    await expect(
      sfn.send(new RedriveExecutionCommand({ executionArn: await start('flaky', { mode: 'ok' }) })),
    ).rejects.toBeInstanceOf(ExecutionNotRedrivable);

    const redriven = await sfn.send(new RedriveExecutionCommand({ executionArn: arn }));
    expect(redriven.redriveDate).toBeInstanceOf(Date);
    const done = await settled(sfn, arn, 'SUCCEEDED');
    expect(done).toMatchObject({ executionArn: arn, redriveCount: 1, redriveStatus: 'NOT_REDRIVABLE' });
    expect(JSON.parse(done.output as string)).toEqual({
      orderId: 'o-1',
      prepared: { prepared: true },
      work: { worked: { done: true, input: { orderId: 'o-1', prepared: { prepared: true } } } },
    });
    expect(callsOf('prepare').length - preparedBefore).toBe(1);
    // 3 failed attempts, then the redriven attempt; every Work call got the same recorded input.
    const workCalls = callsOf('work').slice(workBefore);
    expect(workCalls.length).toBe(4);
    expect(new Set(workCalls.map((c) => JSON.stringify(c.payload))).size).toBe(1);

    const events = await historyOf(sfn, arn);
    expect(events.slice(0, failedHistory.length)).toEqual(failedHistory);
    expect(typesOf(events.slice(failedHistory.length))).toEqual([
      'ExecutionRedriven',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events[failedHistory.length]?.executionRedrivenEventDetails?.redriveCount).toBe(1);
    expect(typesOf(events).filter((t) => t === 'LambdaFunctionScheduled').length).toBe(1);
    const list = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arnOf('redrivable') }));
    expect(list.executions?.find((e) => e.executionArn === arn)?.redriveCount).toBe(1);
  });

  it('waits for a task token stored in DynamoDB; SendTaskSuccess resumes with the callback output', async () => {
    const arn = await start('callback', { id: 'a' });
    const key = { pk: { S: 'PARK#a' }, sk: { S: 'PARK' } };
    const token = await eventually(async () => {
      const item = await table.client.send(new GetItemCommand({ TableName: table.tableName, Key: key }));
      return item.Item?.taskToken?.S;
    });
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn: arn }))).status).toBe('RUNNING');
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await sfn.send(
      new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ allocated: 3 }) }),
    );
    const described = await settled(sfn, arn);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output as string)).toEqual({ id: 'a', callback: { allocated: 3 } });
    const events = await historyOf(sfn, arn);
    expect(typesOf(events)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events.find((e) => e.type === 'TaskScheduled')?.taskScheduledEventDetails).toMatchObject({
      resourceType: 'aws-sdk:dynamodb',
      resource: 'updateItem.waitForTaskToken',
      heartbeatInSeconds: 60,
    });
    // The token is single-use (a spent token is TaskTimedOut, as on AWS); a malformed one is InvalidToken.
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: 'garbage', output: '{}' })),
    ).rejects.toBeInstanceOf(InvalidToken);
  });

  it('routes SendTaskFailure through Catch', async () => {
    const arn = await start('callback', { id: 'b' });
    const token = await eventually(async () => {
      const item = await table.client.send(
        new GetItemCommand({ TableName: table.tableName, Key: { pk: { S: 'PARK#b' }, sk: { S: 'PARK' } } }),
      );
      return item.Item?.taskToken?.S;
    });
    await sfn.send(
      new SendTaskFailureCommand({ taskToken: token, error: 'Custom.Rejected', cause: 'supplier said no' }),
    );
    const described = await settled(sfn, arn);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output as string)).toEqual({
      id: 'b',
      rejection: { Error: 'Custom.Rejected', Cause: 'supplier said no' },
    });
    const failedEvent = (await historyOf(sfn, arn)).find((e) => e.type === 'TaskFailed');
    expect(failedEvent?.taskFailedEventDetails).toMatchObject({
      error: 'Custom.Rejected',
      cause: 'supplier said no',
      resourceType: 'aws-sdk:dynamodb',
    });
  });

  it('names DynamoDB errors like AWS (DynamoDB.ConditionalCheckFailedException) and returns attribute-value JSON', async () => {
    const first = await start('createOnce', { id: 'x', value: 42 });
    expect(JSON.parse((await settled(sfn, first, 'SUCCEEDED')).output as string)).toEqual({ value: '42' });
    const second = await start('createOnce', { id: 'x', value: 43 });
    const described = await settled(sfn, second);
    expect(described.status).toBe('FAILED');
    expect(described.error).toBe('DynamoDB.ConditionalCheckFailedException');
    expect(described.cause).toContain(
      'Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ConditionalCheckFailedException',
    );
    const failed = (await historyOf(sfn, second)).find((e) => e.type === 'TaskFailed');
    expect(failed?.taskFailedEventDetails).toMatchObject({
      resourceType: 'dynamodb',
      resource: 'putItem',
      error: 'DynamoDB.ConditionalCheckFailedException',
    });
  });

  it('stops a running execution (ABORTED, redrivable)', async () => {
    const arn = await start('sleeper', {});
    await eventually(async () =>
      (await historyOf(sfn, arn)).some((e) => e.type === 'WaitStateEntered') ? true : undefined,
    );
    const stopped = await sfn.send(
      new StopExecutionCommand({ executionArn: arn, error: 'Ops.Cancelled', cause: 'by test' }),
    );
    expect(stopped.stopDate).toBeInstanceOf(Date);
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    expect(described).toMatchObject({
      status: 'ABORTED',
      error: 'Ops.Cancelled',
      cause: 'by test',
      redriveStatus: 'REDRIVABLE',
    });
    const events = await historyOf(sfn, arn);
    expect(events.at(-1)).toMatchObject({
      type: 'ExecutionAborted',
      executionAbortedEventDetails: { error: 'Ops.Cancelled', cause: 'by test' },
    });
  });

  it('is idempotent by name for the same input while running, and rejects a reused name otherwise', async () => {
    const arn = await start('sleeper', { a: 1 }, 'idem');
    const again = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: arnOf('sleeper'),
        name: 'idem',
        input: JSON.stringify({ a: 1 }),
      }),
    );
    expect(again.executionArn).toBe(arn);
    await expect(start('sleeper', { a: 2 }, 'idem')).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    await sfn.send(new StopExecutionCommand({ executionArn: arn }));
    // AWS: once closed, even the same input is a conflict.
    await expect(start('sleeper', { a: 1 }, 'idem')).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    const list = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arnOf('sleeper') }));
    expect(list.executions?.filter((e) => e.name === 'idem').length).toBe(1);
  });

  it('injects faults: within the Retry budget the execution recovers, beyond it fails at that state', async () => {
    service.setFault({ stateMachine: 'flaky', state: 'Call', error: 'TransientError', times: 1 });
    const recovered = await start('flaky', { mode: 'ok' });
    expect((await settled(sfn, recovered)).status).toBe('SUCCEEDED');
    expect(typesOf(await historyOf(sfn, recovered)).filter((t) => t === 'TaskFailed').length).toBe(1);

    service.setFault({
      stateMachine: arnOf('flaky'),
      state: 'Call',
      error: 'TransientError',
      cause: 'injected',
      times: 10,
    });
    const before = callsOf('flaky').length;
    const failed = await start('flaky', { mode: 'ok' });
    const described = await settled(sfn, failed);
    expect(described).toMatchObject({ status: 'FAILED', error: 'TransientError', cause: 'injected' });
    expect(callsOf('flaky').length).toBe(before); // the fault fires before the resource is called
    service.clearFaults();
    await sfn.send(new RedriveExecutionCommand({ executionArn: failed }));
    expect((await settled(sfn, failed, 'SUCCEEDED')).redriveCount).toBe(1);
  });

  it('injects faults after the resource ran: its effect is applied, then the task fails (redrive must cope)', async () => {
    service.setFault({
      stateMachine: 'flaky',
      state: 'Call',
      error: 'TransientError',
      times: 3,
      phase: 'after',
    });
    const before = callsOf('flaky').length;
    const failed = await start('flaky', { mode: 'ok' });
    expect(await settled(sfn, failed)).toMatchObject({ status: 'FAILED', error: 'TransientError' });
    // Every attempt (the first and its 2 retries) reached the function before failing.
    expect(callsOf('flaky').length - before).toBe(3);
    service.clearFaults();
    await sfn.send(new RedriveExecutionCommand({ executionArn: failed }));
    await settled(sfn, failed, 'SUCCEEDED');
  });

  it('an after-fault on a waitForTaskToken task leaves a stale token parked; the redrive parks a live one', async () => {
    service.setFault({
      stateMachine: 'callback',
      state: 'Park',
      error: 'Injected',
      times: 1,
      phase: 'after',
    });
    const arn = await start('callback', { id: 'after' });
    expect(await settled(sfn, arn)).toMatchObject({ status: 'FAILED', error: 'Injected' });
    const key = { pk: { S: 'PARK#after' }, sk: { S: 'PARK' } };
    const parkedToken = async () =>
      (await table.client.send(new GetItemCommand({ TableName: table.tableName, Key: key }))).Item?.taskToken
        ?.S;
    const stale = await parkedToken();
    expect(stale).toBeDefined();
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: stale, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
    await sfn.send(new RedriveExecutionCommand({ executionArn: arn }));
    const live = await eventually(async () => {
      const token = await parkedToken();
      return token !== stale ? token : undefined;
    });
    await sfn.send(new SendTaskSuccessCommand({ taskToken: live, output: JSON.stringify({ ok: true }) }));
    expect((await settled(sfn, arn, 'SUCCEEDED')).redriveCount).toBe(1);
  });

  it('starts a child execution and waits for it (states:startExecution.sync:2)', async () => {
    const arn = await start('parent', { n: 1 });
    const described = await settled(sfn, arn);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output as string)).toMatchObject({ n: 1, result: { doubled: 2 } });
  });

  it('runs Map (with $$.Map.Item and $$.Execution.Input inside iterations) and Parallel states', async () => {
    const arn = await start('fanOut', { order: 'o-7', items: [1, 2, 3] });
    const described = await settled(sfn, arn);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output as string)).toEqual({
      order: 'o-7',
      items: [1, 2, 3],
      doubled: [
        { doubled: 2, order: 'o-7' },
        { doubled: 4, order: 'o-7' },
        { doubled: 6, order: 'o-7' },
      ],
      branches: ['left', 'right'],
    });
    const types = typesOf(await historyOf(sfn, arn));
    expect(types.filter((t) => t === 'MapIterationStarted').length).toBe(3);
    expect(types.filter((t) => t === 'TaskSucceeded').length).toBe(3);
    expect(types).toEqual(
      expect.arrayContaining([
        'MapStateEntered',
        'MapStateExited',
        'ParallelStateEntered',
        'ParallelStateExited',
      ]),
    );
  });
});
