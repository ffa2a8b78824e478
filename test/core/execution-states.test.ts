import { describe, expect, it } from 'vitest';
import { type HistoryEventLike, stateRuns } from '../../functions/core/execution-states';

let clock = 0;
const at = () => new Date(Date.UTC(2026, 11, 1, 10, 0, clock++)).toISOString();
const event = (type: string, details?: Record<string, unknown>): HistoryEventLike => ({
  type,
  timestamp: at(),
  ...(details ? { details } : {}),
});
const entered = (name: string, input = '{}') => event('TaskStateEntered', { name, input });
const exited = (name: string, output = '{}') => event('TaskStateExited', { name, output });

describe('stateRuns', () => {
  it('colours a run: succeeded, failed after retries, not reached', () => {
    const runs = stateRuns(
      ['Reserve', 'Ship', 'Done'],
      [
        event('ExecutionStarted'),
        entered('Reserve', '{"a":1}'),
        event('LambdaFunctionScheduled', { resource: 'arn:aws:lambda:reserve' }),
        event('LambdaFunctionSucceeded', { output: '{}' }),
        exited('Reserve', '{"b":2}'),
        entered('Ship'),
        event('TaskScheduled', { resource: 'invoke' }),
        event('TaskFailed', { error: 'TransientError', cause: 'throttled' }),
        event('TaskScheduled', { resource: 'invoke' }),
        event('LambdaFunctionTimedOut', { error: 'States.Timeout' }),
        event('ExecutionFailed', { error: 'States.Timeout', cause: 'late' }),
      ],
    );
    expect(runs).toEqual([
      expect.objectContaining({
        name: 'Reserve',
        status: 'SUCCEEDED',
        input: '{"a":1}',
        output: '{"b":2}',
        entries: 1,
      }),
      expect.objectContaining({ name: 'Ship', status: 'FAILED', failedAttempts: 2, error: 'States.Timeout' }),
      { name: 'Done', status: 'NOT_REACHED', entries: 0, failedAttempts: 0 },
    ]);
    expect(runs[1]?.cause).toBe('late');
  });

  it('shows a callback wait as WAITING, and the execution-level error where the task gave none', () => {
    const runs = stateRuns(
      ['Await'],
      [
        entered('Await'),
        event('TaskScheduled', { resource: 'invoke.waitForTaskToken' }),
        event('TaskSubmitted'),
      ],
    );
    expect(runs[0]?.status).toBe('WAITING');
    const aborted = stateRuns(
      ['Await'],
      [entered('Await'), event('ExecutionAborted', { error: 'Stop', cause: 'ops' })],
    );
    expect(aborted[0]).toMatchObject({ status: 'FAILED', error: 'Stop', cause: 'ops' });
  });

  it('a redrive enters the failed state again: it is in progress, then succeeded, with its failure cleared', () => {
    const failed = [
      entered('Ship'),
      event('TaskFailed', { error: 'E' }),
      event('ExecutionFailed', { error: 'E' }),
    ];
    const redriven = [event('ExecutionRedriven'), entered('Ship', '{"again":true}')];
    expect(stateRuns(['Ship'], [...failed, ...redriven])[0]).toMatchObject({
      status: 'IN_PROGRESS',
      entries: 2,
      failedAttempts: 0,
      input: '{"again":true}',
    });
    const runs = stateRuns(['Ship'], [...failed, ...redriven, exited('Ship')]);
    expect(runs[0]).toMatchObject({ status: 'SUCCEEDED', entries: 2 });
    expect(runs[0]?.error).toBeUndefined();
  });

  it('keeps a state the definition does not name (a newer version ran it), and ignores events of no state', () => {
    const runs = stateRuns(
      [],
      [
        event('TaskStateExited', { name: 'Ghost' }),
        event('ChoiceStateEntered', { name: 'Pick' }),
        event('ChoiceStateExited', { name: 'Pick' }),
        event('TaskFailed'),
        event('ExecutionSucceeded'),
      ],
    );
    expect(runs).toEqual([expect.objectContaining({ name: 'Pick', status: 'SUCCEEDED', entries: 1 })]);
  });
});
