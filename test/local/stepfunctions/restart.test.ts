import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  type HistoryEvent,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { afterAll, describe, expect, it } from 'vitest';
import { taskOperations } from '../../../local/emulators/stepfunctions/api/task-operations';
import { StepFunctionsEngine } from '../../../local/emulators/stepfunctions/engine';
import type { HistoryEvent as RecordedEvent } from '../../../local/emulators/stepfunctions/executions';
import { compileMachine } from '../../../local/emulators/stepfunctions/runner';
import type { StepFunctionsService } from '../../../local/emulators/stepfunctions/service';
import {
  arnOf,
  callbackTask,
  eventually,
  fail,
  historyOf,
  settled,
  startExecution,
  startTestSfn,
  type TestFunction,
  testInvoker,
  typesOf,
} from './harness';

/**
 * AWS never fails an execution because the service restarted, and neither may the local service: after a
 * restart (clean, or kill -9 at any moment) every running execution carries on where it was.
 */

/** A Pass, a Task that fails its first attempt and is retried, a Wait, then a callback Task. */
const journey = JSON.stringify({
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Result: 'ready', ResultPath: '$.prepared', Next: 'Work' },
    Work: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'work', Payload: { 'retry.$': '$$.State.RetryCount' } },
      ResultSelector: { 'done.$': '$.Payload.done' },
      ResultPath: '$.work',
      Retry: [{ ErrorEquals: ['TransientError'], IntervalSeconds: 1, MaxAttempts: 1 }],
      Next: 'Pause',
    },
    Pause: { Type: 'Wait', Seconds: 0, Next: 'Park' },
    Park: callbackTask({ ResultPath: '$.reply', End: true }),
  },
});

/** A Parallel whose branch waits for a callback. */
const parallelPark = JSON.stringify({
  StartAt: 'Both',
  States: {
    Both: {
      Type: 'Parallel',
      Branches: [{ StartAt: 'Inner', States: { Inner: callbackTask({ End: true }) } }],
      End: true,
    },
  },
});

/** A Task whose function is called with the input's id. */
const single = JSON.stringify({
  StartAt: 'Call',
  States: {
    Call: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'slow', Payload: { 'id.$': '$.id' } },
      OutputPath: '$.Payload',
      End: true,
    },
  },
});

const longWait = JSON.stringify({
  StartAt: 'Pause',
  States: {
    Pause: { Type: 'Wait', Seconds: 1800, Next: 'Done' },
    Done: { Type: 'Pass', End: true },
  },
});

/** A callback Task with an hour to complete and half an hour between heartbeats; a timeout is caught. */
const deadlines = JSON.stringify({
  StartAt: 'Park',
  States: {
    Park: callbackTask({
      TimeoutSeconds: 3600,
      HeartbeatSeconds: 1800,
      Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.caught', Next: 'Caught' }],
      End: true,
    }),
    Caught: { Type: 'Pass', End: true },
  },
});

const functions = (slow: TestFunction): Record<string, TestFunction> => ({
  // Fails the first attempt only: a retry count lost across a restart would fail it once more.
  work: (payload) => {
    if ((payload as { retry: number }).retry === 0) fail('TransientError', 'first attempt');
    return { done: true };
  },
  keep: () => ({ kept: true }),
  slow,
});

const running = new Set<StepFunctionsService>();
const directories: string[] = [];
afterAll(async () => {
  for (const service of running) await service.close();
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
});

/** A fresh state directory for a service, removed after the tests. */
function stateDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  directories.push(dir);
  return join(dir, 'sfn');
}

async function startService(persistDir: string, slow: TestFunction = () => ({ ok: true })) {
  const invoker = testInvoker(functions(slow));
  const started = await startTestSfn({
    stateMachines: [
      { name: 'journey', definition: journey },
      { name: 'parallelPark', definition: parallelPark },
      { name: 'single', definition: single },
      { name: 'longWait', definition: longWait },
      { name: 'deadlines', definition: deadlines },
    ],
    invoker,
    persistDir,
    retryIntervalScale: 0,
  });
  running.add(started.service);
  const close = async () => {
    running.delete(started.service);
    await started.service.close();
  };
  return { sfn: started.sfn, invoker, close };
}

/** The token the latest attempt of a callback Task passed to its function. */
function latestToken(history: HistoryEvent[]): string | undefined {
  const scheduled = history.filter(
    (event) => event.type === 'TaskScheduled' && event.taskScheduledEventDetails?.resource?.endsWith('Token'),
  );
  const parameters = scheduled.at(-1)?.taskScheduledEventDetails?.parameters;
  return parameters ? (JSON.parse(parameters) as { Payload: { token: string } }).Payload.token : undefined;
}

/** Answers the callback the execution waits on (whichever token that is) until it ends. */
async function answerUntilDone(sfn: SFNClient, executionArn: string) {
  return eventually(async () => {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (described.status !== 'RUNNING') return described;
    const token = latestToken(await historyOf(sfn, executionArn));
    if (token)
      await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"ok":true}' })).catch(() => {});
    return undefined;
  });
}

const recordedTimes = new Set([
  'timestamp',
  'startDate',
  'enteredAt',
  'startedAt',
  'submittedAt',
  'heartbeatAt',
]);

/**
 * Rewrites an execution's journal as if all it recorded (but the fields in `keep`) had happened `ms`
 * earlier: as if the service had been down that long.
 */
function backdate(dir: string, executionArn: string, ms: number, keep: string[] = []) {
  const shift = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(shift);
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, field]) => [
        key,
        recordedTimes.has(key) && !keep.includes(key) && typeof field === 'number'
          ? field - ms
          : shift(field),
      ]),
    );
  };
  const files = readdirSync(join(dir, 'executions')).map((name) => join(dir, 'executions', name));
  const file = files.find((path) => readFileSync(path, 'utf8').includes(`"executionArn":"${executionArn}"`));
  const lines = readFileSync(file as string, 'utf8')
    .split('\n')
    .filter(Boolean);
  const shifted = lines.map((line) => JSON.stringify(shift(JSON.parse(line))));
  writeFileSync(file as string, `${shifted.join('\n')}\n`);
}

const hour = 3600_000;

/** Recorded events in the shape GetExecutionHistory gives them (type and details). */
const asListed = (events: RecordedEvent[]): HistoryEvent[] =>
  events.map((event) => ({
    type: event.type,
    ...(event.details ? { [event.details.member]: event.details.value } : {}),
  })) as HistoryEvent[];

const ids = (history: HistoryEvent[]) => history.map((event) => event.id);
const oneToN = (history: HistoryEvent[]) => history.map((_, index) => index + 1);

describe('local Step Functions service: a restart carries running executions on', () => {
  it('after kill -9 between any two writes (a torn last line included), ends as an uninterrupted run does', async () => {
    const reference = stateDir('sfn-journal-');
    const full = await startService(reference);
    const executionArn = await startExecution(full.sfn, 'journey', { id: 'j' }, 'journey');
    const described = await answerUntilDone(full.sfn, executionArn);
    expect(described.status).toBe('SUCCEEDED');
    const expectedTypes = typesOf(await historyOf(full.sfn, executionArn));
    const journals = readdirSync(join(reference, 'executions'));
    expect(journals).toHaveLength(1);
    const journal = join(reference, 'executions', journals[0] as string);
    const lines = readFileSync(journal, 'utf8').split('\n').filter(Boolean);

    for (let kept = 0; kept < lines.length; kept += 1) {
      // The process died after `kept` writes, in the middle of the next one.
      const dir = stateDir('sfn-crash-');
      mkdirSync(join(dir, 'executions'), { recursive: true });
      copyFileSync(join(reference, 'token-signing-key'), join(dir, 'token-signing-key'));
      const torn = (lines[kept] as string).slice(0, 20);
      writeFileSync(
        join(dir, 'executions', journals[0] as string),
        `${lines.slice(0, kept).join('\n')}\n${torn}`,
      );

      const resumed = await startService(dir);
      if (kept === 0) {
        // Killed while recording its creation: StartExecution never answered, the execution does not exist.
        await expect(resumed.sfn.send(new DescribeExecutionCommand({ executionArn }))).rejects.toBeInstanceOf(
          ExecutionDoesNotExist,
        );
        await resumed.close();
        continue;
      }
      const ended = await answerUntilDone(resumed.sfn, executionArn);
      const history = await historyOf(resumed.sfn, executionArn);
      expect({ kept, status: ended.status, output: ended.output }).toEqual({
        kept,
        status: 'SUCCEEDED',
        output: described.output,
      });
      expect({ kept, types: typesOf(history) }).toEqual({ kept, types: expectedTypes });
      expect(ids(history)).toEqual(oneToN(history));
      await resumed.close();
      const reopened = await startService(dir);
      expect(await historyOf(reopened.sfn, executionArn)).toEqual(history);
      await reopened.close();
    }
  }, 120_000);

  it('has recorded an answer when SendTaskSuccess returns: a kill -9 right then loses nothing', async () => {
    const dir = stateDir('sfn-answer-');
    const engine = new StepFunctionsEngine({
      machines: [compileMachine('journey', journey, undefined)],
      invoker: testInvoker(functions(() => ({}))),
      persistDir: dir,
      retryIntervalScale: 0,
    });
    const record = engine.startExecution(arnOf('journey'), '{"id":"a"}', 'answered');
    const token = await eventually(async () =>
      record.events.at(-1)?.type === 'TaskSubmitted' ? latestToken(asListed(record.events)) : undefined,
    );
    taskOperations(engine).SendTaskSuccess?.({ taskToken: token, output: '{"ok":true}' });
    // What a process killed the moment SendTaskSuccess returned leaves behind.
    const crashed = stateDir('sfn-answer-crash-');
    cpSync(dir, crashed, { recursive: true });
    engine.close();

    // Nobody answers again: the caller was told its answer was taken.
    const resumed = await startService(crashed);
    const done = await settled(resumed.sfn, record.executionArn, 'SUCCEEDED');
    expect(JSON.parse(done.output as string)).toMatchObject({ reply: { ok: true } });
  });

  it('runs a Task that was in flight when the service stopped again, from its recorded input', async () => {
    const dir = stateDir('sfn-inflight-');
    const first = await startService(dir, () => new Promise(() => {}));
    const executionArn = await startExecution(first.sfn, 'single', { id: 'in-flight' });
    await eventually(async () => first.invoker.calls.find((call) => call.name === 'slow'));
    await first.close();

    const second = await startService(dir, (payload) => ({ answered: payload }));
    const done = await settled(second.sfn, executionArn, 'SUCCEEDED');
    expect(JSON.parse(done.output as string)).toEqual({ answered: { id: 'in-flight' } });
    expect(second.invoker.calls).toEqual([{ name: 'slow', payload: { id: 'in-flight' } }]);
    const history = await historyOf(second.sfn, executionArn);
    expect(typesOf(history)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(ids(history)).toEqual(oneToN(history));
  });

  it('resumes a Wait with the time it has left: Seconds count from when it was entered', async () => {
    const dir = stateDir('sfn-wait-');
    const first = await startService(dir);
    const executionArn = await startExecution(first.sfn, 'longWait', {});
    await eventually(async () =>
      (await historyOf(first.sfn, executionArn)).find((event) => event.type === 'WaitStateEntered'),
    );
    await first.close();
    backdate(dir, executionArn, hour);

    // Its half hour passed while the service was down: it goes on at once, without entering the Wait again.
    const second = await startService(dir);
    await settled(second.sfn, executionArn, 'SUCCEEDED');
    const history = await historyOf(second.sfn, executionArn);
    expect(typesOf(history)).toEqual([
      'ExecutionStarted',
      'WaitStateEntered',
      'WaitStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(ids(history)).toEqual(oneToN(history));
  });

  it('times a callback Task out at once when its deadline passed while the service was down', async () => {
    const dir = stateDir('sfn-deadline-');
    const first = await startService(dir);
    const executionArn = await startExecution(first.sfn, 'deadlines', { id: 'late' });
    const token = await eventually(async () => latestToken(await historyOf(first.sfn, executionArn)));
    await eventually(async () =>
      (await historyOf(first.sfn, executionArn)).find((event) => event.type === 'TaskSubmitted'),
    );
    await first.sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await first.close();
    // Scheduled two hours ago, past its one-hour TimeoutSeconds; its last heartbeat is recent.
    backdate(dir, executionArn, 2 * hour, ['heartbeatAt']);

    const second = await startService(dir);
    const done = await settled(second.sfn, executionArn, 'SUCCEEDED');
    expect(JSON.parse(done.output as string)).toMatchObject({ caught: { Error: 'States.Timeout' } });
    expect(typesOf(await historyOf(second.sfn, executionArn))).toContain('TaskTimedOut');
    await expect(
      second.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it('keeps a heartbeat sent before the restart: the heartbeat clock runs from it', async () => {
    const dir = stateDir('sfn-heartbeat-');
    const first = await startService(dir);
    const executionArn = await startExecution(first.sfn, 'deadlines', { id: 'alive' });
    const token = await eventually(async () => latestToken(await historyOf(first.sfn, executionArn)));
    await eventually(async () =>
      (await historyOf(first.sfn, executionArn)).find((event) => event.type === 'TaskSubmitted'),
    );
    await first.sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await first.close();
    // Submitted 45 minutes ago (past the 30-minute heartbeat), last heartbeat just now, within the hour.
    backdate(dir, executionArn, 45 * 60_000, ['heartbeatAt']);

    const second = await startService(dir);
    await second.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"alive":true}' }));
    const done = await settled(second.sfn, executionArn, 'SUCCEEDED');
    expect(JSON.parse(done.output as string)).toEqual({ alive: true });
  });

  it('runs a Parallel that was waiting inside a branch again from its start: a new token replaces the old', async () => {
    const dir = stateDir('sfn-parallel-');
    const first = await startService(dir);
    const executionArn = await startExecution(first.sfn, 'parallelPark', { id: 'p' });
    const oldToken = await eventually(async () => latestToken(await historyOf(first.sfn, executionArn)));
    await first.close();

    const second = await startService(dir);
    await expect(
      second.sfn.send(new SendTaskSuccessCommand({ taskToken: oldToken, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
    const newToken = await eventually(async () => {
      const token = latestToken(await historyOf(second.sfn, executionArn));
      return token !== oldToken ? token : undefined;
    });
    await second.sfn.send(new SendTaskSuccessCommand({ taskToken: newToken, output: '"ok"' }));
    const done = await settled(second.sfn, executionArn, 'SUCCEEDED');
    expect(JSON.parse(done.output as string)).toEqual(['ok']);
    const history = await historyOf(second.sfn, executionArn);
    expect(typesOf(history).filter((type) => type === 'ParallelStateEntered')).toHaveLength(1);
    expect(typesOf(history).filter((type) => type === 'ParallelStateStarted')).toHaveLength(2);
    expect(ids(history)).toEqual(oneToN(history));
  });
});
