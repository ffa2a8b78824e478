import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  RedriveExecutionCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { afterAll, describe, expect, it } from 'vitest';
import type { StepFunctionsService } from '../../../local/emulators/stepfunctions/service';
import { arnOf, eventually, historyOf, settled, startTestSfn, testInvoker, typesOf } from './harness';

/** lambda:invoke.waitForTaskToken: the function receives the token and keeps it, like a real notifier would. */
const parkDefinition = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    StartAt: 'Park',
    States: {
      Park: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: { FunctionName: 'notify', Payload: { 'id.$': '$.id', 'token.$': '$$.Task.Token' } },
        ResultPath: '$.reply',
        ...extra,
        End: true,
      },
    },
  });
const quickDefinition = JSON.stringify({
  StartAt: 'Hello',
  States: { Hello: { Type: 'Pass', Result: 'world', ResultPath: '$.hello', End: true } },
});

describe('local Step Functions service: persistence, task timeouts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sfn-persist-'));
  const persistFile = join(dir, 'stepfunctions.json');
  const tokens = new Map<string, string>();
  const invoker = testInvoker({
    notify: (payload) => {
      const { id, token } = payload as { id: string; token: string };
      tokens.set(id, token);
      return { notified: id };
    },
  });
  const open: StepFunctionsService[] = [];
  const startService = async () => {
    const started = await startTestSfn({
      stateMachines: [
        { name: 'park', definition: parkDefinition() },
        { name: 'quick', definition: quickDefinition },
        { name: 'parkWithTimeout', definition: parkDefinition({ TimeoutSeconds: 1 }) },
        { name: 'parkWithHeartbeat', definition: parkDefinition({ HeartbeatSeconds: 1 }) },
      ],
      invoker,
      persistFile,
      retryIntervalScale: 0,
    });
    open.push(started.service);
    return started;
  };
  afterAll(async () => {
    for (const service of open) await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps records and histories across close() and restart; RUNNING ones become FAILED and redrivable', async () => {
    const first = await startService();
    const quick = (
      await first.sfn.send(new StartExecutionCommand({ stateMachineArn: arnOf('quick'), input: '{"a":1}' }))
    ).executionArn as string;
    await settled(first.sfn, quick, 'SUCCEEDED');
    const quickHistory = await historyOf(first.sfn, quick);
    const parked = (
      await first.sfn.send(
        new StartExecutionCommand({ stateMachineArn: arnOf('park'), name: 'parked', input: '{"id":"p1"}' }),
      )
    ).executionArn as string;
    const oldToken = await eventually(async () => tokens.get('p1'));
    await first.service.close();

    const second = await startService();
    expect(await historyOf(second.sfn, quick)).toEqual(quickHistory);
    const restarted = await second.sfn.send(new DescribeExecutionCommand({ executionArn: parked }));
    expect(restarted).toMatchObject({
      status: 'FAILED',
      error: 'States.Runtime',
      cause: 'local cloud restarted',
      redriveStatus: 'REDRIVABLE',
    });
    await expect(
      second.sfn.send(new SendTaskSuccessCommand({ taskToken: oldToken, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);

    tokens.delete('p1');
    await second.sfn.send(new RedriveExecutionCommand({ executionArn: parked }));
    const newToken = await eventually(async () => tokens.get('p1'));
    expect(newToken).not.toBe(oldToken);
    await second.sfn.send(new SendTaskSuccessCommand({ taskToken: newToken, output: '{"ok":true}' }));
    const done = await settled(second.sfn, parked, 'SUCCEEDED');
    expect(JSON.parse(done.output as string)).toEqual({ id: 'p1', reply: { ok: true } });
    await second.service.close();

    const third = await startService();
    const reloaded = await third.sfn.send(new DescribeExecutionCommand({ executionArn: parked }));
    expect(reloaded).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect(typesOf(await historyOf(third.sfn, parked))).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'ExecutionFailed',
      'ExecutionRedriven',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('fails a callback task with States.Timeout after TimeoutSeconds, and after HeartbeatSeconds without a heartbeat', async () => {
    const { sfn } = await startService();
    const timeout = (
      await sfn.send(
        new StartExecutionCommand({ stateMachineArn: arnOf('parkWithTimeout'), input: '{"id":"t1"}' }),
      )
    ).executionArn as string;
    const heartbeat = (
      await sfn.send(
        new StartExecutionCommand({ stateMachineArn: arnOf('parkWithHeartbeat'), input: '{"id":"h1"}' }),
      )
    ).executionArn as string;
    const heartbeatToken = await eventually(async () => tokens.get('h1'));
    await new Promise((resolve) => setTimeout(resolve, 600));
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: heartbeatToken })); // keeps it alive past the first second

    const timedOut = await settled(sfn, timeout);
    expect(timedOut).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(typesOf(await historyOf(sfn, timeout)).slice(-2)).toEqual(['TaskTimedOut', 'ExecutionFailed']);
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: tokens.get('t1') as string, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);

    const heartbeatFailed = await settled(sfn, heartbeat);
    expect(heartbeatFailed).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(
      (heartbeatFailed.stopDate as Date).getTime() - (heartbeatFailed.startDate as Date).getTime(),
    ).toBeGreaterThanOrEqual(1500);
    expect(typesOf(await historyOf(sfn, heartbeat)).slice(-2)).toEqual(['TaskTimedOut', 'ExecutionFailed']);
  });
});

describe('local Step Functions service: the redrivable period', () => {
  // "Your workflow execution has not exceeded the redrivable period of 14 days"
  // (https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html).
  it('does not redrive an execution that stopped more than 14 days ago', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sfn-old-'));
    const persistFile = join(dir, 'stepfunctions.json');
    const day = 24 * 3600 * 1000;
    const executionArn = 'arn:aws:states:us-east-1:000000000000:execution:quick:old';
    const record = (name: string, stopDate: number) => ({
      executionArn: executionArn.replace(':old', `:${name}`),
      stateMachineArn: arnOf('quick'),
      stateMachineName: 'quick',
      name,
      status: 'FAILED',
      input: '{}',
      error: 'Boom',
      startDate: stopDate - 1000,
      stopDate,
      redriveCount: 0,
      currentState: { name: 'Hello', input: {} },
      events: [],
    });
    writeFileSync(
      persistFile,
      JSON.stringify({
        version: 1,
        executions: [record('old', Date.now() - 15 * day), record('recent', Date.now() - 13 * day)],
      }),
    );
    const { service, sfn } = await startTestSfn({
      stateMachines: [{ name: 'quick', definition: quickDefinition }],
      invoker: testInvoker({}),
      persistFile,
    });
    try {
      const old = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      expect(old).toMatchObject({
        redriveStatus: 'NOT_REDRIVABLE',
        redriveStatusReason: 'Execution redrivable period exceeded',
      });
      await expect(sfn.send(new RedriveExecutionCommand({ executionArn }))).rejects.toMatchObject({
        name: 'ExecutionNotRedrivable',
      });
      const recent = executionArn.replace(':old', ':recent');
      expect(await sfn.send(new DescribeExecutionCommand({ executionArn: recent }))).toMatchObject({
        redriveStatus: 'REDRIVABLE',
      });
    } finally {
      await service.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
