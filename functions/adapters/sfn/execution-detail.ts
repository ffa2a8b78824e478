import {
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { ExecutionSummary } from '../../contracts/ops-schemas';
import { type HistoryEventLike, type StateRun, stateRuns } from '../../core/execution-states';
import { callAws, errorName } from '../errors';
import { describeExecutionSummary, executionArnOf, workflowNameOf } from './executions';

/** What the console shows of one execution: its summary, its workflow's ASL, each state's run, its history. */
export interface ExecutionDetail {
  readonly execution: ExecutionSummary & { output?: unknown };
  readonly definition: Record<string, unknown>;
  readonly states: StateRun[];
  readonly events: HistoryView[];
}

export interface HistoryView {
  readonly id: number;
  readonly type: string;
  readonly timestamp: string;
  readonly previousEventId?: number;
  readonly details?: Record<string, unknown>;
}

/**
 * Step Functions keeps up to 25,000 events per execution; this system's run to a few hundred. Past this many
 * the states are coloured from the first ones only (GetExecutionHistory pages hold at most 1,000).
 */
const maxHistoryPages = 10;

/**
 * Reads an execution by name from the first of the workflows that knows it (names are unique per workflow
 * only; `workflow` narrows the search). Undefined when none does.
 */
export async function readExecutionDetail(
  sfn: SFNClient,
  stateMachineArns: readonly string[],
  executionId: string,
  workflow?: string,
): Promise<ExecutionDetail | undefined> {
  const candidates = stateMachineArns.filter((arn) => !workflow || workflowNameOf(arn) === workflow);
  for (const stateMachineArn of candidates) {
    const executionArn = executionArnOf(stateMachineArn, executionId);
    let summary: ExecutionSummary & { output?: unknown };
    try {
      summary = await describeExecutionSummary(sfn, executionArn);
    } catch (error) {
      if (errorName(error) === 'ExecutionDoesNotExist') continue;
      throw error;
    }
    const [definition, events] = await Promise.all([
      readDefinition(sfn, stateMachineArn),
      readHistory(sfn, executionArn),
    ]);
    const states = definition.States as Record<string, unknown> | undefined;
    return {
      execution: summary,
      definition,
      states: stateRuns(Object.keys(states ?? {}), events.map(asHistoryEvent)),
      events,
    };
  }
  return undefined;
}

async function readDefinition(sfn: SFNClient, stateMachineArn: string): Promise<Record<string, unknown>> {
  const described = await callAws('describeStateMachine', () =>
    sfn.send(new DescribeStateMachineCommand({ stateMachineArn })),
  );
  return JSON.parse(described.definition ?? '{}') as Record<string, unknown>;
}

async function readHistory(sfn: SFNClient, executionArn: string): Promise<HistoryView[]> {
  const events: HistoryView[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < maxHistoryPages; page++) {
    const token = nextToken;
    const answer = await callAws('getExecutionHistory', () =>
      sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken: token })),
    );
    events.push(...(answer.events ?? []).map(viewOf));
    nextToken = answer.nextToken;
    if (!nextToken) break;
  }
  return events;
}

/** The event without the SDK's shape: its one `…EventDetails` member becomes `details`. */
function viewOf(event: HistoryEvent): HistoryView {
  const detailsKey = Object.keys(event).find((key) => key.endsWith('EventDetails'));
  const details = detailsKey ? (event as unknown as Record<string, unknown>)[detailsKey] : undefined;
  return {
    id: event.id ?? 0,
    type: event.type ?? 'Unknown',
    timestamp: (event.timestamp ?? new Date(0)).toISOString(),
    ...(event.previousEventId ? { previousEventId: event.previousEventId } : {}),
    ...(details && typeof details === 'object' ? { details: details as Record<string, unknown> } : {}),
  };
}

const asHistoryEvent = (event: HistoryView): HistoryEventLike => ({
  type: event.type,
  timestamp: event.timestamp,
  ...(event.details ? { details: event.details } : {}),
});
