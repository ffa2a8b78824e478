import {
  DescribeExecutionCommand,
  type ExecutionListItem,
  type ExecutionStatus,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { ExecutionSummary } from '../../contracts/ops-schemas';
import { callAws, errorName } from '../errors';

/** An execution's ARN from its state machine's ARN and its name (how AWS builds it). */
export function executionArnOf(stateMachineArn: string, executionName: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
}

/** The workflow name is the last segment of the state machine ARN. */
export const workflowNameOf = (stateMachineArn: string): string =>
  stateMachineArn.split(':').at(-1) ?? stateMachineArn;

/**
 * Starts an execution named after the business key. The name makes it idempotent: starting it again with
 * the same input (a retried request) is not an error, whatever state the first one is in.
 */
export async function startNamedExecution(
  sfn: SFNClient,
  stateMachineArn: string,
  name: string,
  input: Record<string, unknown>,
): Promise<{ executionArn: string; alreadyStarted: boolean }> {
  try {
    const started = await callAws('startExecution', () =>
      sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) })),
    );
    return {
      executionArn: started.executionArn ?? executionArnOf(stateMachineArn, name),
      alreadyStarted: false,
    };
  } catch (error) {
    if (errorName(error) === 'ExecutionAlreadyExists') {
      return { executionArn: executionArnOf(stateMachineArn, name), alreadyStarted: true };
    }
    throw error;
  }
}

export interface ExecutionPage {
  readonly items: ExecutionSummary[];
  readonly nextToken?: string;
}

export async function listExecutionSummaries(
  sfn: SFNClient,
  stateMachineArn: string,
  options: { status: ExecutionStatus; limit: number; nextToken?: string; view?: 'full' | 'summary' },
): Promise<ExecutionPage> {
  const page = await callAws('listExecutions', () =>
    sfn.send(
      new ListExecutionsCommand({
        stateMachineArn,
        statusFilter: options.status,
        maxResults: options.limit,
        nextToken: options.nextToken,
      }),
    ),
  );
  const items =
    options.view === 'summary'
      ? (page.executions ?? []).map(listedSummary)
      : await Promise.all(
          (page.executions ?? []).map((execution) =>
            describeExecutionSummary(sfn, execution.executionArn ?? ''),
          ),
        );
  return { items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
}

/**
 * One listing over several state machines (ops want every workflow's failures in one place). The page token
 * carries which machine the listing is in and that machine's own token.
 */
export async function listExecutionSummariesAcross(
  sfn: SFNClient,
  stateMachineArns: readonly string[],
  options: { status: ExecutionStatus; limit: number; nextToken?: string; view?: 'full' | 'summary' },
): Promise<ExecutionPage> {
  let cursor = decodeCursor(options.nextToken, stateMachineArns.length);
  const items: ExecutionSummary[] = [];
  while (cursor.machine < stateMachineArns.length && items.length < options.limit) {
    const page = await listExecutionSummaries(sfn, stateMachineArns[cursor.machine] as string, {
      status: options.status,
      limit: options.limit - items.length,
      ...(options.view ? { view: options.view } : {}),
      ...(cursor.token ? { nextToken: cursor.token } : {}),
    }).catch((error: unknown) => {
      // Step Functions refuses a token it did not issue with InvalidToken.
      if (cursor.token && (error as Error).name === 'InvalidToken')
        throw new InvalidPageTokenError('nextToken is not a token this API issued');
      throw error;
    });
    items.push(...page.items);
    cursor = page.nextToken
      ? { machine: cursor.machine, token: page.nextToken }
      : { machine: cursor.machine + 1 };
  }
  const more = cursor.machine < stateMachineArns.length;
  return { items, ...(more ? { nextToken: encodeCursor(cursor) } : {}) };
}

/** What ListExecutions itself says of an execution (the `summary` view). */
function listedSummary(execution: ExecutionListItem): ExecutionSummary {
  const executionArn = execution.executionArn ?? '';
  return {
    executionArn,
    executionId: execution.name ?? executionArn.split(':').at(-1) ?? executionArn,
    workflow: workflowNameOf(execution.stateMachineArn ?? ''),
    status: execution.status ?? 'UNKNOWN',
    startDate: (execution.startDate ?? new Date(0)).toISOString(),
    ...(execution.stopDate ? { stopDate: execution.stopDate.toISOString() } : {}),
  };
}

interface Cursor {
  readonly machine: number;
  readonly token?: string;
}
const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');
/** A page token this API did not issue (or that Step Functions no longer accepts): the client's mistake, a 400. */
export class InvalidPageTokenError extends Error {
  override readonly name = 'InvalidPageToken';
}

function decodeCursor(token: string | undefined, machines: number): Cursor {
  if (!token) return { machine: 0 };
  let parsed: Partial<Cursor> | undefined;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<Cursor>;
  } catch {
    // not JSON: refused below
  }
  const machine = parsed?.machine;
  if (
    typeof machine !== 'number' ||
    !Number.isInteger(machine) ||
    machine < 0 ||
    machine >= machines ||
    (parsed?.token !== undefined && typeof parsed.token !== 'string')
  )
    throw new InvalidPageTokenError('nextToken is not a token this API issued');
  return { machine, ...(parsed?.token ? { token: parsed.token } : {}) };
}

export async function describeExecutionSummary(
  sfn: SFNClient,
  executionArn: string,
): Promise<ExecutionSummary> {
  const described = await callAws('describeExecution', () =>
    sfn.send(new DescribeExecutionCommand({ executionArn })),
  );
  const failure = described.status === 'FAILED' ? await findFailure(sfn, executionArn) : undefined;
  return {
    executionArn,
    executionId: described.name ?? executionArn.split(':').at(-1) ?? executionArn,
    workflow: workflowNameOf(described.stateMachineArn ?? ''),
    status: described.status ?? 'UNKNOWN',
    startDate: (described.startDate ?? new Date(0)).toISOString(),
    ...(described.stopDate ? { stopDate: described.stopDate.toISOString() } : {}),
    ...(failure?.failedState ? { failedState: failure.failedState } : {}),
    ...((described.error ?? failure?.error) ? { error: described.error ?? failure?.error } : {}),
    ...((described.cause ?? failure?.cause) ? { cause: described.cause ?? failure?.cause } : {}),
    input: parseJson(described.input),
  };
}

/** The state that failed: the last `*StateEntered` before the failure, read from the newest events backwards. */
async function findFailure(
  sfn: SFNClient,
  executionArn: string,
): Promise<{ failedState?: string; error?: string; cause?: string }> {
  let nextToken: string | undefined;
  let failure: { error?: string; cause?: string } | undefined;
  do {
    const token = nextToken;
    const page = await callAws('getExecutionHistory', () =>
      sfn.send(
        new GetExecutionHistoryCommand({
          executionArn,
          reverseOrder: true,
          maxResults: 100,
          nextToken: token,
        }),
      ),
    );
    for (const event of page.events ?? []) {
      failure ??= failureDetails(event);
      if (failure && event.type?.endsWith('StateEntered')) {
        return { failedState: event.stateEnteredEventDetails?.name, ...failure };
      }
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return failure ?? {};
}

function failureDetails(event: HistoryEvent): { error?: string; cause?: string } | undefined {
  const details =
    event.executionFailedEventDetails ??
    event.taskFailedEventDetails ??
    event.lambdaFunctionFailedEventDetails ??
    event.taskTimedOutEventDetails ??
    event.lambdaFunctionTimedOutEventDetails;
  return details ? { error: details.error, cause: details.cause } : undefined;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export type RedriveResult =
  | { readonly outcome: 'redriven'; readonly executionArn: string }
  | { readonly outcome: 'not-found' }
  | { readonly outcome: 'not-redrivable'; readonly reason: string };

export async function redriveExecution(sfn: SFNClient, executionArn: string): Promise<RedriveResult> {
  try {
    await callAws('redriveExecution', () => sfn.send(new RedriveExecutionCommand({ executionArn })));
    return { outcome: 'redriven', executionArn };
  } catch (error) {
    const name = errorName(error);
    if (name === 'ExecutionDoesNotExist' || name === 'StateMachineDoesNotExist')
      return { outcome: 'not-found' };
    if (name === 'ExecutionNotRedrivable' || name === 'ExecutionLimitExceeded') {
      return { outcome: 'not-redrivable', reason: (error as Error).message };
    }
    throw error;
  }
}
