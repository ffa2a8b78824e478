import { describe, expect, it } from 'vitest';
import { ruleMatches } from '../../../local/emulators/stepfunctions/asl/choice-rules';
import { errorMatches, StatesError, taskTimeout } from '../../../local/emulators/stepfunctions/asl/errors';
import { retryDelaySeconds } from '../../../local/emulators/stepfunctions/asl/interpreter';
import { evaluateIntrinsic } from '../../../local/emulators/stepfunctions/asl/intrinsics';
import {
  applyResultPath,
  queryPath,
  referenceSteps,
} from '../../../local/emulators/stepfunctions/asl/json-path';
import { evaluateTemplate } from '../../../local/emulators/stepfunctions/asl/payload-template';
import type { ContextObject, Json } from '../../../local/emulators/stepfunctions/asl/types';

const context: ContextObject = {
  Execution: {
    Id: 'arn:x',
    Input: { a: 1 },
    Name: 'run-1',
    RoleArn: 'arn:role',
    StartTime: '2026-01-01T00:00:00.000Z',
    RedriveCount: 0,
  },
  StateMachine: { Id: 'arn:sm', Name: 'sm' },
  State: { EnteredTime: '2026-01-01T00:00:01.000Z', Name: 'Here', RetryCount: 2 },
};
const intrinsic = (expression: string, data: Json = {}) => evaluateIntrinsic(expression, data, context);

describe('error matching (Retry/Catch ErrorEquals)', () => {
  const error = (name: string) => new StatesError(name, 'cause');
  it('States.ALL matches everything but the terminal errors', () => {
    expect(errorMatches('States.ALL', error('Custom'), 'Task')).toBe(true);
    expect(errorMatches('States.ALL', error('States.Timeout'), 'Task')).toBe(true);
    expect(errorMatches('States.ALL', error('States.Runtime'), 'Task')).toBe(false);
    expect(errorMatches('States.ALL', error('States.DataLimitExceeded'), 'Task')).toBe(false);
    expect(errorMatches('States.DataLimitExceeded', error('States.DataLimitExceeded'), 'Task')).toBe(false);
  });
  it('States.TaskFailed matches a Task error except timeouts; a heartbeat timeout is a States.Timeout', () => {
    expect(errorMatches('States.TaskFailed', error('Lambda.ServiceException'), 'Task')).toBe(true);
    expect(errorMatches('States.TaskFailed', taskTimeout(false), 'Task')).toBe(false);
    expect(errorMatches('States.TaskFailed', taskTimeout(true), 'Task')).toBe(false);
    expect(errorMatches('States.Timeout', taskTimeout(true), 'Task')).toBe(true);
    expect(errorMatches('States.HeartbeatTimeout', taskTimeout(true), 'Task')).toBe(true);
    expect(errorMatches('States.HeartbeatTimeout', taskTimeout(false), 'Task')).toBe(false);
  });
});

describe('retry delays', () => {
  it('grow by BackoffRate and stop at MaxDelaySeconds; FULL jitter stays below the backoff', () => {
    const retrier = { ErrorEquals: ['X'], IntervalSeconds: 2, BackoffRate: 3, MaxDelaySeconds: 10 };
    expect([0, 1, 2, 3].map((n) => retryDelaySeconds(retrier, n))).toEqual([2, 6, 10, 10]);
    for (let n = 0; n < 50; n += 1) {
      const jittered = retryDelaySeconds({ ...retrier, JitterStrategy: 'FULL' }, 1);
      expect(jittered).toBeGreaterThanOrEqual(0);
      expect(jittered).toBeLessThan(6);
    }
    expect(retryDelaySeconds({ ErrorEquals: ['X'] }, 2)).toBe(4); // defaults: 1 s × 2^n
  });
});

describe('JSONPath', () => {
  it('reads reference paths, context paths and multi-node paths', () => {
    const data = { a: { 'b c': [10, 20] }, items: [{ n: 1 }, { n: 5 }] };
    expect(referenceSteps("$.a['b c'][1]")).toEqual(['a', 'b c', 1]);
    expect(queryPath("$.a['b c'][1]", data)).toBe(20);
    expect(queryPath('$$.State.Name', data, context)).toBe('Here');
    expect(queryPath('$.items[?(@.n > 2)].n', data)).toEqual([5]);
    expect(() => queryPath('$.missing', data)).toThrow('No results');
  });
  it('ResultPath writes copy-on-write, creates objects, and fails through a non-object', () => {
    const input = { keep: 1, nested: { x: 1 } };
    expect(applyResultPath('$.nested.y', input, 2)).toEqual({ keep: 1, nested: { x: 1, y: 2 } });
    expect(input).toEqual({ keep: 1, nested: { x: 1 } });
    expect(applyResultPath('$.a.b', input, 3)).toEqual({ ...input, a: { b: 3 } });
    expect(applyResultPath(null, input, 3)).toBe(input);
    expect(() => applyResultPath('$.keep.x', input, 3)).toThrow(
      expect.objectContaining({ name: 'States.ResultPathMatchFailure' }),
    );
  });
});

describe('payload templates', () => {
  it('evaluates .$ fields from the data, the context and intrinsics, recursively', () => {
    const template = {
      static: 'v',
      'path.$': '$.a',
      nested: { 'state.$': '$$.State.Name', 'retries.$': '$$.State.RetryCount' },
      'id.$': "States.Format('ORDER#{}', $.a)",
    };
    expect(evaluateTemplate(template, { a: 7 }, context)).toEqual({
      static: 'v',
      path: 7,
      nested: { state: 'Here', retries: 2 },
      id: 'ORDER#7',
    });
  });
  it('a missing path is States.Runtime with the AWS wording', () => {
    expect(() => evaluateTemplate({ 'x.$': '$.nope' }, { a: 1 }, context)).toThrow(
      expect.objectContaining({
        name: 'States.Runtime',
        message: `The JSONPath '$.nope' specified for the field 'x.$' could not be found in the input '{"a":1}'`,
      }),
    );
  });
});

describe('intrinsic functions', () => {
  it('format, convert and build arrays', () => {
    expect(intrinsic("States.Format('a{}b\\{\\}{}', $.x, 3)", { x: 'X' })).toBe('aXb{}3');
    expect(intrinsic('States.StringToJson(\'{"k":1}\')')).toEqual({ k: 1 });
    expect(intrinsic('States.JsonToString($.o)', { o: { k: [1] } })).toBe('{"k":[1]}');
    expect(intrinsic("States.Array(1, 'two', $.x, true, null)", { x: [3] })).toEqual([
      1,
      'two',
      [3],
      true,
      null,
    ]);
    expect(intrinsic('States.ArrayPartition(States.ArrayRange(1, 5, 1), 2)')).toEqual([[1, 2], [3, 4], [5]]);
    expect(intrinsic('States.ArrayContains($.a, $.v)', { a: [{ k: 1 }], v: { k: 1 } })).toBe(true);
    expect(intrinsic('States.ArrayGetItem($.a, 1)', { a: ['x', 'y'] })).toBe('y');
    expect(intrinsic('States.ArrayLength($.a)', { a: [1, 2, 3] })).toBe(3);
    expect(intrinsic('States.ArrayUnique($.a)', { a: [1, 1, { b: 2 }, { b: 2 }] })).toEqual([1, { b: 2 }]);
  });
  it('encode, hash, merge, add and split', () => {
    expect(intrinsic("States.Base64Decode(States.Base64Encode('hé'))")).toBe('hé');
    expect(intrinsic("States.Hash('abc', 'SHA-256')")).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(intrinsic('States.JsonMerge($.a, $.b, false)', { a: { x: 1, y: 1 }, b: { y: 2 } })).toEqual({
      x: 1,
      y: 2,
    });
    expect(intrinsic('States.MathAdd($.n, -3)', { n: 10 })).toBe(7);
    expect(intrinsic("States.StringSplit('a,b;;c', ',;')")).toEqual(['a', 'b', 'c']);
    const random = intrinsic('States.MathRandom(5, 9)') as number;
    expect(random >= 5 && random < 9).toBe(true);
    expect(intrinsic('States.UUID()')).toMatch(/^[0-9a-f-]{36}$/);
  });
  it('refuses bad calls with States.IntrinsicFailure', () => {
    for (const bad of [
      "States.Format('{}')",
      'States.Nope(1)',
      'States.ArrayGetItem($.a, 5)',
      "States.Format('x'",
    ]) {
      expect(() => intrinsic(bad, { a: [] })).toThrow(
        expect.objectContaining({ name: 'States.IntrinsicFailure' }),
      );
    }
  });
});

describe('Choice rules', () => {
  const data = { s: 'order-17', n: 5, b: true, t: '2026-05-01T10:00:00Z', other: 5, nil: null };
  const matches = (rule: Record<string, Json>) => ruleMatches(rule, data, context);
  it('compares strings, numbers, booleans, timestamps and paths; And/Or/Not', () => {
    expect(matches({ Variable: '$.s', StringMatches: 'order-*' })).toBe(true);
    expect(matches({ Variable: '$.n', NumericGreaterThanEquals: 5 })).toBe(true);
    expect(matches({ Variable: '$.n', NumericEqualsPath: '$.other' })).toBe(true);
    expect(matches({ Variable: '$.b', BooleanEquals: false })).toBe(false);
    expect(matches({ Variable: '$.t', TimestampLessThan: '2026-06-01T00:00:00Z' })).toBe(true);
    expect(matches({ Variable: '$.n', StringEquals: '5' })).toBe(false); // a type mismatch is false
    expect(matches({ Variable: '$.nil', IsNull: true })).toBe(true);
    expect(matches({ Variable: '$.t', IsTimestamp: true })).toBe(true);
    expect(matches({ Variable: '$.missing', IsPresent: false })).toBe(true);
    expect(matches({ Variable: '$$.State.Name', StringEquals: 'Here' })).toBe(true);
    expect(
      matches({
        And: [{ Variable: '$.n', NumericLessThan: 9 }, { Not: { Variable: '$.s', StringEquals: 'x' } }],
      }),
    ).toBe(true);
    expect(
      matches({
        Or: [
          { Variable: '$.n', NumericLessThan: 1 },
          { Variable: '$.b', BooleanEquals: true },
        ],
      }),
    ).toBe(true);
  });
  it('a missing Variable is States.Runtime (except for IsPresent)', () => {
    expect(() => matches({ Variable: '$.missing', StringEquals: 'x' })).toThrow(
      expect.objectContaining({ name: 'States.Runtime' }),
    );
  });
});
