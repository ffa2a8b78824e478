import {
  DescribeExecutionCommand,
  ExecutionNotRedrivable,
  GetExecutionHistoryCommand,
  InvalidToken,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  SendTaskFailureCommand,
  type SFNClient,
  StopExecutionCommand,
  ValidationException,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepFunctionsService } from '../../../local/emulators/stepfunctions/service';
import {
  arnOf,
  callbackTask,
  caughtBy,
  endlessLoop,
  eventually,
  historyOf,
  settled,
  startExecution,
  startTestSfn,
  testInvoker,
} from './harness';

/**
 * Regression tests for behaviour that differed from AWS (review of issue 8). Each expectation comes from a
 * history recorded against AWS in localstack's snapshot tests (tests/aws/services/stepfunctions/v2/...),
 * named next to the test.
 */

const machines: Record<string, unknown> = {
  heartbeatCaught: {
    StartAt: 'Wait',
    States: {
      Wait: callbackTask({ HeartbeatSeconds: 1, Catch: caughtBy(['States.HeartbeatTimeout']), End: true }),
      Caught: { Type: 'Succeed' },
    },
  },
  heartbeatUncaught: {
    StartAt: 'Wait',
    States: { Wait: callbackTask({ HeartbeatSeconds: 1, End: true }) },
  },
  timeoutNotHeartbeat: {
    StartAt: 'Wait',
    States: {
      Wait: callbackTask({ TimeoutSeconds: 1, Catch: caughtBy(['States.HeartbeatTimeout']), End: true }),
      Caught: { Type: 'Succeed' },
    },
  },
  workerFails: {
    StartAt: 'Wait',
    States: {
      Wait: callbackTask({ Catch: caughtBy(['States.ALL']), End: true }),
      Caught: { Type: 'Succeed' },
    },
  },
  loop: endlessLoop,
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

  // test_callback.snapshot.json (test_sqs_failure_in_wait_for_task_tok_no_error_field): SendTaskFailure with
  // neither error nor cause is caught by States.ALL with {"Error": null, "Cause": null}; TaskFailed has neither.
  it('SendTaskFailure without error and cause: the Catch output has nulls, the TaskFailed event neither field', async () => {
    const arn = await start('workerFails', { id: 'no-error' });
    const token = await eventually(async () => tokens.get('no-error'));
    await sfn.send(new SendTaskFailureCommand({ taskToken: token }));
    const described = await settled(sfn, arn);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output as string).caught).toEqual({ Error: null, Cause: null });
    const failed = (await historyOf(sfn, arn)).find((e) => e.type === 'TaskFailed');
    expect(failed?.taskFailedEventDetails).toEqual({
      resourceType: 'lambda',
      resource: 'invoke.waitForTaskToken',
    });
  });

  // The API model (botocore stepfunctions/2016-11-23): error ≤ 256, cause ≤ 32768, taskToken ≤ 2048 characters.
  it('refuses SendTaskFailure and StopExecution members over their length constraints, as AWS validates them', async () => {
    const arn = await start('workerFails', { id: 'too-long' });
    const taskToken = await eventually(async () => tokens.get('too-long'));
    const tooLong = [
      { taskToken, error: 'e'.repeat(257) },
      { taskToken, cause: 'c'.repeat(32_769) },
      { taskToken: 't'.repeat(2049) },
    ];
    for (const request of tooLong)
      await expect(sfn.send(new SendTaskFailureCommand(request))).rejects.toBeInstanceOf(ValidationException);
    await expect(
      sfn.send(new StopExecutionCommand({ executionArn: arn, cause: 'c'.repeat(32_769) })),
    ).rejects.toBeInstanceOf(ValidationException);
    await sfn.send(
      new SendTaskFailureCommand({ taskToken, error: 'e'.repeat(256), cause: 'c'.repeat(32_768) }),
    );
    expect((await settled(sfn, arn)).status).toBe('SUCCEEDED');
  });

  // API reference, GetExecutionHistory/ListExecutions: a bad or expired nextToken is "HTTP 400 InvalidToken".
  it('answers InvalidToken to a nextToken it never issued', async () => {
    const arn = await start('workerFails', { id: 'paging' });
    await expect(
      sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, nextToken: 'not-a-token' })),
    ).rejects.toBeInstanceOf(InvalidToken);
    await expect(
      sfn.send(
        new ListExecutionsCommand({ stateMachineArn: arnOf('workerFails'), nextToken: 'not-a-token' }),
      ),
    ).rejects.toBeInstanceOf(InvalidToken);
    await sfn.send(new StopExecutionCommand({ executionArn: arn }));
  });

  // AWS: redriveStatusReason "Execution history event limit exceeded" (DescribeExecution API reference).
  it('does not redrive an execution that failed on the history event limit', async () => {
    const arn = await start('loop', { n: 0 });
    expect((await settled(sfn, arn)).status).toBe('FAILED');
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    expect(described).toMatchObject({
      redriveStatus: 'NOT_REDRIVABLE',
      redriveStatusReason: 'Execution history event limit exceeded',
    });
    await expect(sfn.send(new RedriveExecutionCommand({ executionArn: arn }))).rejects.toBeInstanceOf(
      ExecutionNotRedrivable,
    );
  });
});
