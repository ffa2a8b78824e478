import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { FunctionError, functionNameOf, type LambdaInvoker } from '../../../local/emulators/lambda/invoker';
import { localCredentials, localRegion, stateMachineArn } from '../../../local/emulators/protocol/identity';
import {
  type StepFunctionsService,
  type StepFunctionsServiceOptions,
  startStepFunctionsService,
} from '../../../local/emulators/stepfunctions/service';
import { pollUntil } from '../../support/eventually';

export type TestFunction = (payload: unknown) => unknown | Promise<unknown>;

/** A LambdaInvoker over small in-test functions: real code paths, no AWS mocks. */
export function testInvoker(
  functions: Record<string, TestFunction>,
): LambdaInvoker & { calls: { name: string; payload: unknown }[] } {
  const calls: { name: string; payload: unknown }[] = [];
  return {
    calls,
    async invoke(functionNameOrArn, payload) {
      const name = functionNameOf(functionNameOrArn);
      const fn = functions[name];
      if (!fn) throw new FunctionError('ResourceNotFoundException', `Function not found: ${name}`);
      calls.push({ name, payload });
      try {
        return await fn(payload);
      } catch (error) {
        if (error instanceof FunctionError) throw error;
        const e = error as Error;
        throw new FunctionError(e.name || 'Error', e.message);
      }
    },
  };
}

/** An error type a handler throws, the way Lambda reports `errorType`. */
export const fail = (errorType: string, message: string): never => {
  throw new FunctionError(errorType, message);
};

export const sfnClient = (endpoint: string): SFNClient =>
  new SFNClient({ endpoint, region: localRegion, credentials: localCredentials, maxAttempts: 1 });

export const arnOf = stateMachineArn;

/** Starts an execution of the named local machine and returns its ARN. */
export const startExecution = async (sfn: SFNClient, machine: string, input: unknown, name?: string) =>
  (
    await sfn.send(
      new StartExecutionCommand({ stateMachineArn: arnOf(machine), input: JSON.stringify(input), name }),
    )
  ).executionArn as string;

/** A local service and an SDK client for it; the caller closes the service (in afterAll). */
export async function startTestSfn(
  options: StepFunctionsServiceOptions,
): Promise<{ service: StepFunctionsService; sfn: SFNClient }> {
  const service = await startStepFunctionsService(options);
  return { service, sfn: sfnClient(service.url) };
}

export const eventually = <T>(probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> =>
  pollUntil(probe, timeoutMs, 10);

/** Waits until the execution is no longer RUNNING (or has `status`). */
export function settled(
  sfn: SFNClient,
  executionArn: string,
  status?: string,
): Promise<DescribeExecutionCommandOutput> {
  return eventually(async () => {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (status ? described.status === status : described.status !== 'RUNNING') return described;
    return undefined;
  });
}

export async function historyOf(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

export const typesOf = (events: HistoryEvent[]): string[] => events.map((e) => e.type as string);

/** A callback Task: the in-test function `keep` receives its token (with the input's `id`) and holds it. */
export const callbackTask = (extra: Record<string, unknown>) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
  Parameters: { FunctionName: 'keep', Payload: { 'token.$': '$$.Task.Token', 'id.$': '$.id' } },
  ...extra,
});

/** A Catch that puts the error at `$.caught` and goes to the state `Caught`. */
export const caughtBy = (errors: string[]) => [
  { ErrorEquals: errors, ResultPath: '$.caught', Next: 'Caught' },
];

/** Counts forever (well past 25,000 history events): for the history limit. */
export const endlessLoop = {
  StartAt: 'Count',
  States: {
    Count: { Type: 'Pass', Parameters: { 'n.$': 'States.MathAdd($.n, 1)' }, Next: 'More' },
    More: {
      Type: 'Choice',
      Choices: [{ Variable: '$.n', NumericLessThan: 100000, Next: 'Count' }],
      Default: 'Done',
    },
    Done: { Type: 'Succeed' },
  },
};
