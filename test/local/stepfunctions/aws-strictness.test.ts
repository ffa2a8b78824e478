import {
  ListExecutionsCommand,
  RedriveExecutionCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  ValidationException,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileMachine } from '../../../local/emulators/stepfunctions/runner';
import type { StepFunctionsService } from '../../../local/emulators/stepfunctions/service';
import {
  arnOf,
  callbackTask,
  caughtBy,
  endlessLoop,
  eventually,
  fail,
  historyOf,
  settled,
  startExecution,
  startTestSfn,
  testInvoker,
  typesOf,
} from './harness';

/**
 * Regression tests for what AWS refuses or does differently, each once accepted by the local service
 * (issue 8): payload quotas, the history cap, TimeoutSecondsPath, heartbeat timeouts, terminal errors,
 * `$$.State` outside Task states, redriveFilter.
 */
const kib = (n: number) => 'x'.repeat(n * 1024);
const lambda = (fn: string, extra: Record<string, unknown> = {}) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: fn, 'Payload.$': '$' },
  OutputPath: '$.Payload',
  ...extra,
});

const machines: Record<string, unknown> = {
  big: {
    StartAt: 'Big',
    States: {
      Big: lambda('big', { Catch: caughtBy(['States.ALL']), End: true }),
      Caught: { Type: 'Succeed' },
    },
  },
  bigCaughtExplicitly: {
    StartAt: 'Big',
    States: {
      Big: lambda('big', { Catch: caughtBy(['States.DataLimitExceeded']), End: true }),
      Caught: { Type: 'Succeed' },
    },
  },
  bigState: {
    StartAt: 'Twice',
    States: { Twice: { Type: 'Pass', Parameters: { 'a.$': '$.s', 'b.$': '$.s' }, End: true } },
  },
  timeoutPath: {
    StartAt: 'Call',
    States: {
      Call: lambda('echo', {
        Parameters: { FunctionName: 'echo', Payload: { fixed: true } },
        TimeoutSecondsPath: '$.limits.timeout',
        Catch: caughtBy(['States.ALL']),
        End: true,
      }),
      Caught: { Type: 'Succeed' },
    },
  },
  heartbeat: {
    StartAt: 'Wait',
    States: {
      Wait: callbackTask({
        HeartbeatSeconds: 1,
        Catch: [
          { ErrorEquals: ['States.TaskFailed'], ResultPath: '$.caught', Next: 'WrongCatcher' },
          { ErrorEquals: ['States.Timeout'], ResultPath: '$.caught', Next: 'Caught' },
        ],
        End: true,
      }),
      WrongCatcher: { Type: 'Fail', Error: 'Wrong', Cause: 'States.TaskFailed caught a heartbeat timeout' },
      Caught: { Type: 'Succeed' },
    },
  },
  contextEverywhere: {
    StartAt: 'Named',
    States: {
      Named: {
        Type: 'Pass',
        Parameters: { 'state.$': '$$.State.Name', 'entered.$': '$$.State.EnteredTime' },
        ResultPath: '$.pass',
        Next: 'Check',
      },
      Check: {
        Type: 'Choice',
        Choices: [{ Variable: '$$.State.Name', StringEquals: 'Check', Next: 'Fan' }],
        Default: 'Wrong',
      },
      Wrong: { Type: 'Fail', Error: 'Wrong' },
      Fan: {
        Type: 'Map',
        ItemsPath: '$.items',
        ItemSelector: { 'state.$': '$$.State.Name', 'value.$': '$$.Map.Item.Value' },
        ItemProcessor: {
          StartAt: 'Inner',
          States: {
            Inner: { Type: 'Pass', Parameters: { 'inner.$': '$$.State.Name', 'v.$': '$.value' }, End: true },
          },
        },
        ResultPath: '$.map',
        End: true,
      },
    },
  },
  loop: endlessLoop,
  flaky: { StartAt: 'Call', States: { Call: lambda('flaky', { End: true }) } },
  branchFails: {
    StartAt: 'Both',
    States: {
      Both: {
        Type: 'Parallel',
        Branches: [
          { StartAt: 'Waits', States: { Waits: { ...callbackTask({}), End: true } } },
          {
            StartAt: 'Fails',
            States: { Fails: { Type: 'Fail', Error: 'Branch.Failed', Cause: 'on purpose' } },
          },
        ],
        End: true,
      },
    },
  },
  badPath: {
    StartAt: 'Call',
    States: {
      Call: lambda('echo', {
        Parameters: { FunctionName: 'echo', 'Payload.$': '$.nope' },
        Catch: caughtBy(['States.ALL']),
        End: true,
      }),
      Caught: { Type: 'Succeed' },
    },
  },
};

describe('local Step Functions service refuses and fails what AWS does', () => {
  let service: StepFunctionsService;
  let sfn: SFNClient;
  const tokens = new Map<string, string>();
  let flakyFailures = 0;

  beforeAll(async () => {
    ({ service, sfn } = await startTestSfn({
      stateMachines: Object.entries(machines).map(([name, definition]) => ({
        name,
        definition: JSON.stringify(definition),
      })),
      invoker: testInvoker({
        big: () => ({ blob: kib(300) }),
        echo: (payload) => payload,
        keep: (payload) => {
          const { token, id } = payload as { token: string; id: string };
          tokens.set(id, token);
          return {};
        },
        flaky: () => (flakyFailures-- > 0 ? fail('Boom', 'failing on purpose') : { ok: true }),
      }),
      retryIntervalScale: 0,
    }));
  });
  afterAll(async () => {
    await service?.close();
  });

  const start = (machine: string, input: unknown, name?: string) => startExecution(sfn, machine, input, name);

  it('refuses a StartExecution input over 256 KiB, and execution names AWS refuses', async () => {
    await expect(start('flaky', { s: kib(270) })).rejects.toBeInstanceOf(ValidationException);
    await expect(start('flaky', {}, 'n'.repeat(81))).rejects.toMatchObject({ name: 'InvalidName' });
    await expect(start('flaky', {}, 'has space')).rejects.toMatchObject({ name: 'InvalidName' });
    expect(await start('flaky', {}, 'n'.repeat(80))).toContain(':flaky:');
  });

  it('a task result over 256 KiB fails the execution with States.DataLimitExceeded, which no Catch catches', async () => {
    for (const machine of ['big', 'bigCaughtExplicitly']) {
      const described = await settled(sfn, await start(machine, {}));
      expect(described).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
      expect(described.cause).toBe(
        "The state/task 'Big' returned a result with a size exceeding the maximum number of bytes service limit.",
      );
    }
  });

  it('a state output over 256 KiB fails the execution too', async () => {
    const described = await settled(sfn, await start('bigState', { s: kib(150) }));
    expect(described).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
  });

  it('SendTaskSuccess with an output over 256 KiB is refused', async () => {
    const arn = await start('heartbeat', { id: 'big-output' });
    const token = await eventually(async () => tokens.get('big-output'));
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ s: kib(257) }) })),
    ).rejects.toBeInstanceOf(ValidationException);
    await settled(sfn, arn);
  });

  it('TimeoutSecondsPath reads the state input (not the Parameters); a bad value fails only that execution', async () => {
    const good = await settled(sfn, await start('timeoutPath', { limits: { timeout: 7 } }));
    expect(good.status).toBe('SUCCEEDED');
    const scheduled = (await historyOf(sfn, good.executionArn as string)).find(
      (e) => e.type === 'TaskScheduled',
    );
    expect(scheduled?.taskScheduledEventDetails?.timeoutInSeconds).toBe(7);

    for (const limits of [{ timeout: 'soon' }, { timeout: -1 }, {}]) {
      const bad = await settled(sfn, await start('timeoutPath', { limits }));
      // States.Runtime: not caught by the state's States.ALL catcher.
      expect(bad).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    }
    expect((await settled(sfn, await start('timeoutPath', { limits: { timeout: 3 } }))).status).toBe(
      'SUCCEEDED',
    );
  });

  it('a missing Parameters path is States.Runtime, which States.ALL does not catch', async () => {
    const described = await settled(sfn, await start('badPath', {}));
    expect(described).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });

  it('a heartbeat timeout is States.Timeout (as AWS reports it): caught by States.Timeout, not by States.TaskFailed', async () => {
    const described = await settled(sfn, await start('heartbeat', { id: 'silent' }), 'SUCCEEDED');
    expect(JSON.parse(described.output as string).caught.Error).toBe('States.Timeout');
    const events = await historyOf(sfn, described.executionArn as string);
    expect(events.find((e) => e.type === 'TaskTimedOut')?.taskTimedOutEventDetails?.error).toBe(
      'States.Timeout',
    );
  });

  it('$$.State is available in Pass, Choice and Map states, not only in Tasks', async () => {
    const described = await settled(sfn, await start('contextEverywhere', { items: [1, 2] }));
    expect(described.status).toBe('SUCCEEDED');
    const output = JSON.parse(described.output as string);
    expect(output.pass.state).toBe('Named');
    expect(Date.parse(output.pass.entered)).not.toBeNaN();
    expect(output.map).toEqual([
      { inner: 'Inner', v: 1 },
      { inner: 'Inner', v: 2 },
    ]);
  });

  it('fails an execution whose history reaches 25,000 events', async () => {
    const described = await settled(sfn, await start('loop', { n: 0 }), 'FAILED');
    expect(described.error).toBe('States.Runtime');
    expect(described.cause).toContain('25000');
    expect((await historyOf(sfn, described.executionArn as string)).length).toBe(25_000);
  });

  it('a failing Parallel branch ends its siblings: the execution fails at once and the waiting token is spent', async () => {
    const arn = await start('branchFails', { id: 'sibling' });
    const described = await settled(sfn, arn);
    expect(described).toMatchObject({ status: 'FAILED', error: 'Branch.Failed', cause: 'on purpose' });
    const token = await eventually(async () => tokens.get('sibling'));
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    ).rejects.toMatchObject({
      name: 'TaskTimedOut',
    });
  });

  it('ListExecutions honours redriveFilter', async () => {
    flakyFailures = 1;
    const redriven = await start('flaky', {});
    await settled(sfn, redriven, 'FAILED');
    await sfn.send(new RedriveExecutionCommand({ executionArn: redriven }));
    await settled(sfn, redriven, 'SUCCEEDED');
    const plain = await start('flaky', {});
    await settled(sfn, plain, 'SUCCEEDED');
    const list = async (redriveFilter: 'REDRIVEN' | 'NOT_REDRIVEN') =>
      (
        await sfn.send(new ListExecutionsCommand({ stateMachineArn: arnOf('flaky'), redriveFilter }))
      ).executions?.map((e) => e.executionArn);
    expect(await list('REDRIVEN')).toEqual([redriven]);
    expect(await list('NOT_REDRIVEN')).toContain(plain);
    expect(await list('NOT_REDRIVEN')).not.toContain(redriven);
    expect(typesOf(await historyOf(sfn, redriven))).toContain('ExecutionRedriven');
  });
});

describe('what the local service does not emulate is refused at load, naming the state', () => {
  const withState = (state: Record<string, unknown>) =>
    JSON.stringify({ StartAt: 'A', States: { A: { ...state, End: true } } });
  it.each([
    [{ Type: 'Pass', Assign: { x: 1 } }, 'Assign'],
    [{ Type: 'Pass', Output: '{% $states.input %}' }, 'Output'],
    [
      {
        Type: 'Map',
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED' },
          StartAt: 'B',
          States: { B: { Type: 'Succeed' } },
        },
        ItemReader: { Resource: 'arn:aws:states:::s3:getObject' },
      },
      'ItemReader',
    ],
    [
      { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', Parameters: { Message: 'x' } },
      'arn:aws:states:::sns:publish',
    ],
    [
      {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: 'f', InvocationType: 'Event' },
      },
      'lambda:invoke with an InvocationType other than RequestResponse',
    ],
  ])('%o', (state, named) => {
    expect(() => compileMachine('m', withState(state), undefined)).toThrow(
      new RegExp(`state 'A' uses ${named.replace(/[.:]/g, '\\$&')}`),
    );
  });
});
