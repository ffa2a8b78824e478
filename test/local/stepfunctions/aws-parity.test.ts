import type { SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepFunctionsService } from '../../../local/stepfunctions/service';
import { historyOf, settled, startExecution, startTestSfn, testInvoker } from './harness';

/**
 * Regression tests for behaviour that differed from AWS (review of issue 8). Each expectation comes from a
 * history recorded against AWS in localstack's snapshot tests (tests/aws/services/stepfunctions/v2/...),
 * named next to the test.
 */
const callback = (extra: Record<string, unknown>) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
  Parameters: { FunctionName: 'keep', Payload: { 'token.$': '$$.Task.Token', 'id.$': '$.id' } },
  ...extra,
});
const caughtBy = (errors: string[]) => [{ ErrorEquals: errors, ResultPath: '$.caught', Next: 'Caught' }];

const machines: Record<string, unknown> = {
  heartbeatCaught: {
    StartAt: 'Wait',
    States: {
      Wait: callback({ HeartbeatSeconds: 1, Catch: caughtBy(['States.HeartbeatTimeout']), End: true }),
      Caught: { Type: 'Succeed' },
    },
  },
  heartbeatUncaught: {
    StartAt: 'Wait',
    States: { Wait: callback({ HeartbeatSeconds: 1, End: true }) },
  },
  timeoutNotHeartbeat: {
    StartAt: 'Wait',
    States: {
      Wait: callback({ TimeoutSeconds: 1, Catch: caughtBy(['States.HeartbeatTimeout']), End: true }),
      Caught: { Type: 'Succeed' },
    },
  },
  executionTimeout: {
    TimeoutSeconds: 1,
    StartAt: 'Long',
    States: { Long: { Type: 'Wait', Seconds: 30, End: true } },
  },
};

describe('local Step Functions matches what AWS records', () => {
  let service: StepFunctionsService;
  let sfn: SFNClient;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    ({ service, sfn } = await startTestSfn({
      stateMachines: Object.entries(machines).map(([name, definition]) => ({
        name,
        definition: JSON.stringify(definition),
      })),
      invoker: testInvoker({
        keep: (payload) => {
          const { token, id } = payload as { token: string; id: string };
          tokens.set(id, token);
          return {};
        },
      }),
      retryIntervalScale: 0,
    }));
  });
  afterAll(async () => {
    await service?.close();
  });

  const start = (machine: string, input: unknown = {}) => startExecution(sfn, machine, input);
  const timedOutEvent = async (arn: string) =>
    (await historyOf(sfn, arn)).find((e) => e.type === 'TaskTimedOut')?.taskTimedOutEventDetails;

  // test_heartbeats.snapshot.json: TaskTimedOut and ExecutionFailed carry error States.Timeout and no cause.
  it('a heartbeat timeout is reported as States.Timeout without a cause; States.HeartbeatTimeout catches it', async () => {
    const failed = await settled(sfn, await start('heartbeatUncaught', { id: 'hb-uncaught' }));
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('States.Timeout');
    expect(failed.cause).toBeUndefined();
    const event = await timedOutEvent(failed.executionArn as string);
    expect(event?.error).toBe('States.Timeout');
    expect(event?.cause).toBeUndefined();

    const caught = await settled(sfn, await start('heartbeatCaught', { id: 'hb-caught' }));
    expect(caught.status).toBe('SUCCEEDED');
    // test_task_service_lambda.snapshot.json (test_invoke_timeout): the Catch output of a timeout.
    expect(JSON.parse(caught.output as string).caught).toEqual({ Error: 'States.Timeout', Cause: '' });
  });

  it('States.HeartbeatTimeout does not catch a TimeoutSeconds timeout', async () => {
    const failed = await settled(sfn, await start('timeoutNotHeartbeat', { id: 'to' }));
    expect(failed).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(failed.cause).toBeUndefined();
  });

  // test_timeouts.snapshot.json (test_global_timeout): DescribeExecution has no error and no cause.
  it('an execution past its TimeoutSeconds is TIMED_OUT with neither error nor cause', async () => {
    const arn = await start('executionTimeout');
    const described = await settled(sfn, arn);
    expect(described.status).toBe('TIMED_OUT');
    expect(described.error).toBeUndefined();
    expect(described.cause).toBeUndefined();
    expect((await historyOf(sfn, arn)).at(-1)?.type).toBe('ExecutionTimedOut');
  });
});
