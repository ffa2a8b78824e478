import { readFileSync } from 'node:fs';
import { workflows } from '../../functions/contracts/system';
import { repositoryRoot } from '../../local/system-resolution';

/**
 * The Task states of every workflow, read from the ASL files, for the redrive suites: a state added to a
 * workflow fails them (naming it) until it has a scenario.
 */
export interface AslState {
  Type: string;
  Retry?: { ErrorEquals: string[]; MaxAttempts?: number }[];
  Catch?: { ErrorEquals: string[] }[];
  Branches?: AslDefinition[];
  Iterator?: AslDefinition;
  ItemProcessor?: AslDefinition;
}
interface AslDefinition {
  States: Record<string, AslState>;
}

type WorkflowName = keyof typeof workflows;
export interface TaskState {
  workflow: WorkflowName;
  state: string;
  definition: AslState;
}

function taskStatesOf(workflow: WorkflowName, definition: AslDefinition): TaskState[] {
  return Object.entries(definition.States).flatMap(([state, node]) => [
    ...(node.Type === 'Task' ? [{ workflow, state, definition: node }] : []),
    ...[...(node.Branches ?? []), node.Iterator, node.ItemProcessor]
      .filter((nested): nested is AslDefinition => nested !== undefined)
      .flatMap((nested) => taskStatesOf(workflow, nested)),
  ]);
}

export const taskStates: TaskState[] = (Object.keys(workflows) as WorkflowName[]).flatMap((workflow) =>
  taskStatesOf(
    workflow,
    JSON.parse(
      readFileSync(`${repositoryRoot}/${workflows[workflow].definitionFile}`, 'utf8'),
    ) as AslDefinition,
  ),
);

export const keyOf = (task: { workflow: string; state: string }) => `${task.workflow}/${task.state}`;

/**
 * The injected error: one the state's Retry retries (Lambda tasks retry TransientError, DynamoDB tasks the
 * SDK's transient errors), and `times` = every attempt that retrier allows, so the execution fails there.
 */
export function faultFor(task: TaskState): { error: string; times: number } {
  for (const error of ['TransientError', 'DynamoDb.SdkClientException']) {
    const retrier = task.definition.Retry?.find(
      (candidate) => candidate.ErrorEquals.includes(error) || candidate.ErrorEquals.includes('States.ALL'),
    );
    if (retrier) return { error, times: (retrier.MaxAttempts ?? 3) + 1 };
  }
  return { error: 'TransientError', times: 1 };
}

/** Errors a workflow models (some Catch takes them): a task failing with one of them is a path, not a fault. */
export const modelledErrors = (workflow: string) =>
  new Set(
    taskStates
      .filter((task) => task.workflow === workflow)
      .flatMap((task) => (task.definition.Catch ?? []).flatMap((catcher) => catcher.ErrorEquals)),
  );
