import { describe, expect, it } from 'vitest';
import { Interpreter } from '../../../local/emulators/stepfunctions/asl/interpreter';
import type { Json, MachineDefinition } from '../../../local/emulators/stepfunctions/asl/types';

/**
 * The interpreter against histories AWS recorded (localstack's snapshot tests under
 * tests/aws/services/stepfunctions/v2, recorded against AWS: the file is named next to each test). Runs
 * definitions without Task states, so no service is needed.
 */
async function run(
  definition: unknown,
  input: Json = {},
  events: string[] = [],
): Promise<{ output?: Json; error?: string; cause?: string }> {
  const machine = definition as MachineDefinition;
  const interpreter = new Interpreter(
    {
      signal: new AbortController().signal,
      retryIntervalScale: 0,
      emit: (type) => {
        events.push(type);
      },
      entered: (_name, _input, _progress, entered) => {
        events.push(...entered.map((event) => event.type));
      },
      progressed: (_progress, recorded) => {
        events.push(...recorded.map((event) => event.type));
      },
      newTaskToken: () => 'token',
      runTask: () => Promise.reject(new Error('no tasks here')),
    },
    {
      Execution: {
        Id: 'arn:aws:states:us-east-1:000000000000:execution:m:e',
        Input: input,
        Name: 'e',
        RoleArn: 'arn:aws:iam::000000000000:role/r',
        StartTime: '2026-01-01T00:00:00.000Z',
        RedriveCount: 0,
      },
      StateMachine: { Id: 'arn:aws:states:us-east-1:000000000000:stateMachine:m', Name: 'm' },
    },
  );
  try {
    return { output: await interpreter.run(machine, machine.StartAt, input) };
  } catch (error) {
    return { error: (error as Error).name, cause: (error as Error).message };
  }
}

const single = (state: Record<string, unknown>) => ({ StartAt: 'S', States: { S: { ...state, End: true } } });

describe('Wait', () => {
  const waitFor = (timestamp: string) =>
    run(single({ Type: 'Wait', TimestampPath: '$.t' }), { t: timestamp });

  // test_base_scenarios.snapshot.json, test_wait_timestamp_path[NO_T|NO_Z|INVALID_*]; test_wait.snapshot.json.
  it.each([
    '2016-12-05 21:29:29Z',
    '2016-12-05T21:29:29',
    '2016-13-05T21:29:29Z',
    '2016-12-05T25:29:29Z',
    '05-12-2016T21:29:29Z',
    '2016-02-30T00:00:00Z',
  ])('TimestampPath %s is not an ISO-8601 offset date-time: States.Runtime', async (timestamp) => {
    const { error, cause } = await waitFor(timestamp);
    expect(error).toBe('States.Runtime');
    expect(cause).toContain('does not reference a valid ISO-8601 extended offset date-time format string');
  });

  it.each(['2016-12-05T21:29:29Z', '2016-12-05T21:29:29.123456789Z', '2016-12-05T21:29:29+01:00'])(
    'TimestampPath %s in the past ends the wait at once',
    async (timestamp) => {
      expect(await waitFor(timestamp)).toEqual({ output: { t: timestamp } });
    },
  );

  // test_wait.snapshot.json, test_timestamp_too_far_in_future_boundary[24856].
  it('a wait longer than 2^31-1 seconds is States.Runtime', async () => {
    const farAway = new Date(Date.now() + 24_856 * 86_400_000).toISOString();
    expect(await waitFor(farAway)).toMatchObject({
      error: 'States.Runtime',
      cause: 'Wait state delay is too long.',
    });
  });
});

describe('Fail', () => {
  // test_base.snapshot.json, test_state_fail_intrinsic: ErrorPath and CausePath may be intrinsic functions.
  it('takes ErrorPath and CausePath from intrinsic functions', async () => {
    const fail = {
      StartAt: 'F',
      States: {
        F: {
          Type: 'Fail',
          ErrorPath: "States.Format('{}', $.Error)",
          CausePath:
            "States.Format('This is a custom error message for {}, caused by {}.', $.Error, $.Cause)",
        },
      },
    };
    expect(await run(fail, { Error: 'error string', Cause: 'cause string' })).toEqual({
      error: 'error string',
      cause: 'This is a custom error message for error string, caused by cause string.',
    });
  });
});

describe('Map', () => {
  const map = {
    StartAt: 'M',
    States: {
      M: {
        Type: 'Map',
        ItemsPath: '$.Values',
        MaxConcurrencyPath: '$.MaxConcurrencyValue',
        ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
        End: true,
      },
    },
  };
  // test_base_scenarios.snapshot.json, test_max_concurrency_path[...].
  it.each([{}, 'NoNumber', 1.5, null])('MaxConcurrencyPath selecting %o is States.Runtime', async (value) => {
    const { error, cause } = await run(map, { MaxConcurrencyValue: value, Values: ['HelloWorld'] });
    expect(error).toBe('States.Runtime');
    expect(cause).toContain('The MaxConcurrencyPath field refers to value');
  });
  it.each([0, 1])('MaxConcurrencyPath selecting %o runs the iterations', async (value) => {
    expect(await run(map, { MaxConcurrencyValue: value, Values: ['HelloWorld'] })).toEqual({
      output: ['HelloWorld'],
    });
  });
});

describe('context object', () => {
  // test_base.snapshot.json, test_query_context_object_values: in a Pass state $$.State is {Name, EnteredTime}.
  it('has no $$.State.RetryCount outside the states that retry', async () => {
    const pass = single({ Type: 'Pass', Parameters: { 'state.$': '$$.State' } });
    const { output } = await run(pass);
    expect(Object.keys((output as { state: object }).state).sort()).toEqual(['EnteredTime', 'Name']);
    const retryCount = single({ Type: 'Pass', Parameters: { 'n.$': '$$.State.RetryCount' } });
    expect((await run(retryCount)).error).toBe('States.Runtime');
  });

  it('has $$.State.RetryCount in a Parallel state', async () => {
    const parallel = single({
      Type: 'Parallel',
      Branches: [{ StartAt: 'B', States: { B: { Type: 'Pass', End: true } } }],
      ResultSelector: { 'retries.$': '$$.State.RetryCount' },
    });
    expect(await run(parallel)).toEqual({ output: { retries: 0 } });
  });
});

describe('intrinsic functions', () => {
  it("refuse an escape other than \\' \\{ \\} \\\\ in a string literal, and read the allowed ones", async () => {
    const format = (expression: string) =>
      run(single({ Type: 'Pass', Parameters: { 'v.$': expression } }), { x: 1 });
    expect((await format(String.raw`States.Format('He said, \"Hello, {}!\"', $.x)`)).error).toBe(
      'States.IntrinsicFailure',
    );
    expect(await format(String.raw`States.Format('It\'s \{{}\} \\', $.x)`)).toEqual({
      output: { v: "It's {1} \\" },
    });
  });
});

describe('intrinsic functions AWS runs where the local service failed', () => {
  const call = async (expression: string, input: Json) =>
    (await run(single({ Type: 'Pass', Parameters: { 'v.$': expression } }), input)).output;
  // localstack intrinsic_functions/test_json_manipulation.snapshot.json, test_string_to_json.
  it('States.StringToJson of an empty or blank string is null', async () => {
    expect(await call('States.StringToJson($.s)', { s: '' })).toEqual({ v: null });
    expect(await call('States.StringToJson($.s)', { s: ' ' })).toEqual({ v: null });
  });
  // test_math_operations.snapshot.json, test_math_add / test_math_random: non-integers are rounded.
  it.each([
    [1.49, 1.5, 3],
    [1.5, 1.51, 4],
    [-1.49, -1.5, -2],
    [-2.5, 0, -2],
    [-0.5, 0.5, 1],
    [2.5, 0, 3],
  ])('States.MathAdd(%d, %d) is %d', async (a, b, sum) => {
    expect(await call('States.MathAdd($.a, $.b)', { a, b })).toEqual({ v: sum });
  });
  it('States.MathRandom accepts non-integer bounds', async () => {
    const { v } = (await call('States.MathRandom($.a, $.b)', { a: 12.5, b: 44.51 })) as { v: number };
    expect(Number.isInteger(v) && v >= 12 && v <= 45).toBe(true);
  });
  // test_generic.snapshot.json, test_format_2: objects and arrays are printed as Java maps and lists.
  it('States.Format prints objects and arrays', async () => {
    const input = { fst: { Arg1: 1, Arg2: [] }, snd: [1, 'a', null] };
    expect(await call("States.Format('fst={} and snd={}.', $.fst, $.snd)", input)).toEqual({
      v: 'fst={Arg1=1, Arg2=[]} and snd=[1, a, null].',
    });
  });
});

describe('history of a retried Parallel or Map state', () => {
  // test_base_scenarios.snapshot.json, test_parallel_state_retry: one ParallelStateFailed, after the last attempt.
  it('Parallel: ParallelStateStarted per attempt, one ParallelStateFailed', async () => {
    const events: string[] = [];
    const parallel = single({
      Type: 'Parallel',
      Branches: [
        { StartAt: 'B', States: { B: { Type: 'Fail', Error: 'FailureType', Cause: 'Cause description' } } },
      ],
      Retry: [{ ErrorEquals: ['FailureType'], MaxAttempts: 2 }],
    });
    expect(await run(parallel, {}, events)).toEqual({ error: 'FailureType', cause: 'Cause description' });
    expect(events).toEqual([
      'ParallelStateEntered',
      ...Array(3).fill(['ParallelStateStarted', 'FailStateEntered']).flat(),
      'ParallelStateFailed',
    ]);
  });

  // test_base_scenarios.snapshot.json, test_map_state_retry.
  it('Map: MapStateStarted per attempt, one MapStateFailed', async () => {
    const events: string[] = [];
    const map = single({
      Type: 'Map',
      ItemsPath: '$.arr',
      MaxConcurrency: 1,
      ItemProcessor: {
        StartAt: 'HandleItemFail',
        States: {
          HandleItemFail: { Type: 'Fail', Error: 'HandleItemFailError', Cause: 'HandleItemFailCause' },
        },
      },
      Retry: [{ ErrorEquals: ['HandleItemFailError'], MaxAttempts: 2 }],
    });
    await run(map, { arr: [1] }, events);
    const attempt = ['MapStateStarted', 'MapIterationStarted', 'FailStateEntered', 'MapIterationFailed'];
    expect(events).toEqual(['MapStateEntered', ...attempt, ...attempt, ...attempt, 'MapStateFailed']);
  });
});
