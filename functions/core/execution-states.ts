/**
 * What an execution's history says about each state of its workflow, for the console's graph: the state
 * colours (succeeded, failed, in progress, waiting for a callback, not reached) and what a click shows (input,
 * output, error, cause and the attempts it took). Pure: it reads Step Functions history events as data.
 *
 * Task events (scheduled, failed, succeeded) carry no state name: they belong to the state entered last and
 * not yet exited, which is exact for this system's workflows (no Parallel or Map states).
 */
export type StateStatus = 'SUCCEEDED' | 'FAILED' | 'IN_PROGRESS' | 'WAITING' | 'NOT_REACHED';

export interface HistoryEventLike {
  readonly type: string;
  readonly timestamp: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface StateRun {
  readonly name: string;
  readonly status: StateStatus;
  /** How many times the state was entered (a redrive or a loop enters it again). */
  readonly entries: number;
  /** Failed attempts of its task during the last entry, retried or not. */
  readonly failedAttempts: number;
  readonly enteredAt?: string;
  readonly exitedAt?: string;
  readonly input?: string;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const failureTypes = new Set([
  'TaskFailed',
  'TaskTimedOut',
  'LambdaFunctionFailed',
  'LambdaFunctionTimedOut',
  'TaskStartFailed',
  'TaskSubmitFailed',
  'LambdaFunctionStartFailed',
  'LambdaFunctionScheduleFailed',
]);
const scheduledTypes = new Set(['TaskScheduled', 'LambdaFunctionScheduled']);
/** The execution ended without its open state exiting: that state is where it stopped. */
const endedTypes = new Set(['ExecutionFailed', 'ExecutionTimedOut', 'ExecutionAborted']);

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export function stateRuns(stateNames: readonly string[], events: readonly HistoryEventLike[]): StateRun[] {
  const runs = new Map<string, Mutable<StateRun>>(
    stateNames.map((name) => [name, { name, status: 'NOT_REACHED', entries: 0, failedAttempts: 0 }]),
  );
  let open: Mutable<StateRun> | undefined;
  for (const event of events) {
    const details = event.details ?? {};
    if (event.type.endsWith('StateEntered')) {
      const name = text(details.name) ?? '';
      const run = runs.get(name) ?? { name, status: 'NOT_REACHED', entries: 0, failedAttempts: 0 };
      runs.set(name, run);
      Object.assign(run, { status: 'IN_PROGRESS', entries: run.entries + 1, failedAttempts: 0 });
      run.enteredAt = event.timestamp;
      run.input = text(details.input);
      for (const field of ['exitedAt', 'output', 'error', 'cause'] as const) delete run[field];
      open = run;
    } else if (event.type.endsWith('StateExited')) {
      const run = runs.get(text(details.name) ?? '');
      if (run)
        Object.assign(run, { status: 'SUCCEEDED', exitedAt: event.timestamp, output: text(details.output) });
      if (run === open) open = undefined;
    } else if (open && scheduledTypes.has(event.type)) {
      open.status = text(details.resource)?.endsWith('.waitForTaskToken') ? 'WAITING' : 'IN_PROGRESS';
    } else if (open && failureTypes.has(event.type)) {
      Object.assign(open, {
        failedAttempts: open.failedAttempts + 1,
        error: text(details.error),
        cause: text(details.cause),
      });
    } else if (open && endedTypes.has(event.type)) {
      open.status = 'FAILED';
      open.error ??= text(details.error);
      open.cause ??= text(details.cause);
      open = undefined;
    }
  }
  return [...runs.values()];
}
