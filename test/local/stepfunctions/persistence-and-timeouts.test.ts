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
  const persistDir = join(dir, 'stepfunctions');
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
      persistDir,
      retryIntervalScale: 0,
    });
    open.push(started.service);
    return started;
  };
  afterAll(async () => {
    for (const service of open) await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps records and histories across close() and restart; a parked execution waits on, with the same token', async () => {
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
    await eventually(async () =>
      (await historyOf(first.sfn, parked)).find((e) => e.type === 'TaskSubmitted'),
    );
    const parkedHistory = await historyOf(first.sfn, parked);
    await first.service.close();

    // AWS never fails an execution because the service restarted: it is still RUNNING, still waiting.
    const second = await startService();
    expect(await historyOf(second.sfn, quick)).toEqual(quickHistory);
    expect(await second.sfn.send(new DescribeExecutionCommand({ executionArn: parked }))).toMatchObject({
      status: 'RUNNING',
    });
    expect(await historyOf(second.sfn, parked)).toEqual(parkedHistory);
    await second.sfn.send(new SendTaskSuccessCommand({ taskToken: oldToken, output: '{"ok":true}' }));
    const done = await settled(second.sfn, parked, 'SUCCEEDED');
    expect(JSON.parse(done.output as string)).toEqual({ id: 'p1', reply: { ok: true } });
    // The function was not called again: the task only waited for its token.
    expect(invoker.calls.filter((call) => call.name === 'notify')).toHaveLength(1);
    // The token answered once; answering it again is refused, also after another restart.
    await expect(
      second.sfn.send(new SendTaskSuccessCommand({ taskToken: oldToken, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
    await second.service.close();

    const third = await startService();
    await expect(
      third.sfn.send(new SendTaskSuccessCommand({ taskToken: oldToken, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
    const history = await historyOf(third.sfn, parked);
    expect(history.map((event) => event.id)).toEqual(history.map((_, index) => index + 1));
    expect(typesOf(history)).toEqual([
      'ExecutionStarted',
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
    const persistDir = join(dir, 'stepfunctions');
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
    // Written as an older version kept executions (one file beside the directory): imported on start.
    writeFileSync(
      `${persistDir}.json`,
      JSON.stringify({
        version: 1,
        executions: [record('old', Date.now() - 15 * day), record('recent', Date.now() - 13 * day)],
      }),
    );
    const { service, sfn } = await startTestSfn({
      stateMachines: [{ name: 'quick', definition: quickDefinition }],
      invoker: testInvoker({}),
      persistDir,
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
