import { ruleMatches } from './choice-rules';
import { asStatesError, errorMatches, runtimeError, StatesError } from './errors';
import { applyResultPath, selectPath } from './json-path';
import { limits, serialiseWithinQuota } from './limits';
import { evaluateTemplate } from './payload-template';
import { type AttemptProgress, type NewEvent, type StateProgress, StepRecorder } from './progress';
import { failField, maxConcurrency, taskSeconds, waitUntil } from './state-fields';
import { Aborted, childController, sleep } from './timers';
import type { Catcher, ContextObject, Json, MachineDefinition, Retrier, StateDefinition } from './types';

/** One attempt of a Task state, as the host runs it (calls the resource, records task events, enforces timeouts). */
export interface TaskRequest {
  readonly stateName: string;
  readonly state: StateDefinition;
  readonly parameters: Json;
  /** `parameters` serialised (already checked against the payload quota). */
  readonly parametersText: string;
  readonly token?: string;
  readonly timeoutSeconds: number;
  readonly heartbeatSeconds?: number;
  readonly signal: AbortSignal;
  /** The attempt as recorded before a restart: it carries on from there (absent: a new attempt). */
  readonly resumed?: AttemptProgress;
  /** Records the attempt's progress with its task events (for a top-level state, in one write). */
  step(attempt: AttemptProgress, events: readonly NewEvent[]): void;
}

/** What the interpreter needs from its host; it knows nothing about executions, persistence or resources. */
export interface InterpreterHooks {
  /** Ends every wait of the execution (StopExecution, timeout, shutdown). */
  readonly signal: AbortSignal;
  /** Multiplies Retry intervals (1 = AWS timing; tests use ~0). */
  readonly retryIntervalScale: number;
  emit(type: string, member?: string, details?: Record<string, unknown>): void;
  /**
   * A top-level state was entered with this input: a redrive resumes there, and so does a restart, from
   * `progress`. `events` (its entered event) are recorded with it; none when the input is over the quota.
   */
  entered(name: string, input: Json, progress: StateProgress, events: readonly NewEvent[]): void;
  /** The current top-level state got further: record its progress with `events`, in one write. */
  progressed(progress: StateProgress, events: readonly NewEvent[]): void;
  newTaskToken(stateName: string): string;
  runTask(request: TaskRequest): Promise<Json>;
}

interface Scope {
  readonly topLevel: boolean;
  readonly signal: AbortSignal;
  readonly map?: ContextObject['Map'];
}

/** Whether an attempt of a Parallel or Map state has started its branches or iterations (and not finished them). */
interface BranchesProgress {
  started: boolean;
}

/** One state being run: its name and definition, the input it received, its `$$` and where it runs. */
interface StateCall {
  readonly name: string;
  readonly state: StateDefinition;
  readonly input: Json;
  readonly context: ContextObject;
  readonly scope: Scope;
}

interface Outcome {
  readonly output: Json;
  /** The next state; undefined when the (sub-)machine ends here. */
  readonly next?: string;
}

const isWaitForTaskToken = (resource: string | undefined): boolean =>
  resource?.endsWith('.waitForTaskToken') === true;

/**
 * Runs ASL (JSONPath) state machines the way Step Functions does: input/output processing, Retry with
 * backoff and jitter, Catch, Choice rules, Wait, Parallel, inline Map, the context object in every state,
 * and the payload quota on every state's input and output. Errors reach the caller as StatesError.
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-amazon-states-language.html
 */
export class Interpreter {
  constructor(
    private readonly hooks: InterpreterHooks,
    private readonly execution: Pick<ContextObject, 'Execution' | 'StateMachine'>,
  ) {}

  /**
   * Runs from `startAt`. With `resumed` (the progress recorded for `startAt` before a restart), that state
   * is not entered again: it carries on from its progress.
   */
  run(definition: MachineDefinition, startAt: string, input: Json, resumed?: StateProgress): Promise<Json> {
    return this.runMachine(
      definition,
      startAt,
      input,
      { topLevel: true, signal: this.hooks.signal },
      resumed,
    );
  }

  private async runMachine(
    definition: MachineDefinition,
    startAt: string,
    input: Json,
    scope: Scope,
    resumed?: StateProgress,
  ): Promise<Json> {
    let name = startAt;
    let data = input;
    let progress = resumed;
    for (;;) {
      const state = definition.States[name];
      if (!state) throw runtimeError(`State '${name}' does not exist`);
      const { output, next } = progress?.exited ?? (await this.runState(name, state, data, scope, progress));
      progress = undefined;
      if (next === undefined) return output;
      name = next;
      data = output;
    }
  }

  private async runState(
    name: string,
    state: StateDefinition,
    input: Json,
    scope: Scope,
    resumed: StateProgress | undefined,
  ): Promise<Outcome> {
    if (scope.signal.aborted) throw new Aborted();
    const recorder = new StepRecorder(resumed ?? { enteredAt: Date.now() }, (progress, events) => {
      if (scope.topLevel) this.hooks.progressed(progress, events);
      else for (const { type, member, details } of events) this.hooks.emit(type, member, details);
    });
    if (!resumed) this.enter(name, state, input, scope, recorder.progress);
    const context: ContextObject = {
      ...this.execution,
      State: { EnteredTime: new Date(recorder.progress.enteredAt).toISOString(), Name: name },
      ...(scope.map ? { Map: scope.map } : {}),
    };
    const outcome = await this.evaluate({ name, state, input, context, scope }, recorder);
    const outputText = serialiseWithinQuota(outcome.output, name);
    recorder.step({ exited: outcome }, [
      {
        type: `${state.Type}StateExited`,
        member: 'stateExitedEventDetails',
        details: { name, output: outputText, outputDetails: { truncated: false } },
      },
    ]);
    return outcome;
  }

  /** Records the state's entered event; a top-level state's also becomes where the execution is. */
  private enter(name: string, state: StateDefinition, input: Json, scope: Scope, progress: StateProgress) {
    let inputText: string;
    try {
      inputText = serialiseWithinQuota(input, name);
    } catch (error) {
      if (scope.topLevel) this.hooks.entered(name, input, progress, []);
      throw error;
    }
    const details = { name, input: inputText, inputDetails: { truncated: false } };
    const event = { type: `${state.Type}StateEntered`, member: 'stateEnteredEventDetails', details };
    if (scope.topLevel) this.hooks.entered(name, input, progress, [event]);
    else this.hooks.emit(event.type, event.member, event.details);
  }

  private async evaluate(call: StateCall, recorder: StepRecorder): Promise<Outcome> {
    const { state, input, context } = call;
    const next = state.End ? undefined : state.Next;
    switch (state.Type) {
      case 'Pass': {
        const effective = this.effectiveInput(state, input, context);
        const result = 'Result' in state ? (state.Result as Json) : effective;
        return { output: this.stateOutput(state, input, result, context), next };
      }
      case 'Succeed':
        return {
          output: selectPath(state.OutputPath, selectPath(state.InputPath, input, 'InputPath'), 'OutputPath'),
        };
      case 'Fail':
        throw this.failure(state, input, context);
      case 'Choice':
        return this.choose(state, input, context);
      case 'Wait':
        return this.wait(call, recorder.progress.enteredAt, next);
      case 'Task':
        return this.retrying(call, recorder, (attemptContext) =>
          this.task({ ...call, context: attemptContext }, recorder),
        );
      case 'Parallel':
        return this.retrying(call, recorder, (attemptContext, progress) =>
          this.parallel({ ...call, context: attemptContext }, progress),
        );
      case 'Map':
        return this.retrying(call, recorder, (attemptContext, progress) =>
          this.map({ ...call, context: attemptContext }, progress),
        );
      default:
        throw runtimeError(`Unsupported state type ${String((state as { Type: unknown }).Type)}`);
    }
  }

  /** InputPath, then Parameters. */
  private effectiveInput(state: StateDefinition, input: Json, context: ContextObject): Json {
    const selected = selectPath(state.InputPath, input, 'InputPath', context);
    return state.Parameters === undefined ? selected : evaluateTemplate(state.Parameters, selected, context);
  }

  /** ResultSelector (for results of work), ResultPath into the raw input, then OutputPath. */
  private stateOutput(state: StateDefinition, input: Json, result: Json, context: ContextObject): Json {
    return selectPath(
      state.OutputPath,
      applyResultPath(state.ResultPath, input, result),
      'OutputPath',
      context,
    );
  }

  private failure(state: StateDefinition, input: Json, context: ContextObject): StatesError {
    return new StatesError(
      failField(state.Error, state.ErrorPath, 'ErrorPath', input, context) ?? '',
      failField(state.Cause, state.CausePath, 'CausePath', input, context) ?? '',
    );
  }

  private choose(state: StateDefinition, input: Json, context: ContextObject): Outcome {
    const effective = selectPath(state.InputPath, input, 'InputPath', context);
    const output = selectPath(state.OutputPath, effective, 'OutputPath', context);
    for (const rule of state.Choices ?? []) {
      if (ruleMatches(rule, effective, context)) return { output, next: String(rule.Next) };
    }
    if (state.Default !== undefined) return { output, next: state.Default };
    throw new StatesError('States.NoChoiceMatched', 'No Choice rule matched and there is no Default');
  }

  /** A Wait resumed after a restart waits only what is left: its `Seconds` count from when it was entered. */
  private async wait({ state, input, context, scope }: StateCall, enteredAt: number, next?: string) {
    const effective = selectPath(state.InputPath, input, 'InputPath', context);
    const until = waitUntil(state, effective, context, enteredAt);
    await sleep(until - Date.now(), scope.signal);
    return { output: selectPath(state.OutputPath, effective, 'OutputPath', context), next };
  }

  private async task({ name, state, input, context, scope }: StateCall, recorder: StepRecorder) {
    const selected = selectPath(state.InputPath, input, 'InputPath', context);
    const timeoutSeconds =
      taskSeconds(state.TimeoutSeconds, state.TimeoutSecondsPath, selected, 'TimeoutSecondsPath', context) ??
      limits.defaultTaskTimeoutSeconds;
    const heartbeatSeconds = taskSeconds(
      state.HeartbeatSeconds,
      state.HeartbeatSecondsPath,
      selected,
      'HeartbeatSecondsPath',
      context,
    );
    if (heartbeatSeconds !== undefined && heartbeatSeconds >= timeoutSeconds)
      throw runtimeError(
        `HeartbeatSeconds (${heartbeatSeconds}) must be smaller than TimeoutSeconds (${timeoutSeconds})`,
      );
    const resumed = recorder.takeResumedAttempt();
    const token = isWaitForTaskToken(state.Resource)
      ? (resumed?.token ?? this.hooks.newTaskToken(name))
      : undefined;
    const taskContext: ContextObject = token ? { ...context, Task: { Token: token } } : context;
    const parameters =
      state.Parameters === undefined ? selected : evaluateTemplate(state.Parameters, selected, taskContext);
    const parametersText = serialiseWithinQuota(parameters, name);
    const attempt = childController(scope.signal);
    try {
      const result = await this.hooks.runTask({
        stateName: name,
        state,
        parameters,
        parametersText,
        token,
        timeoutSeconds,
        heartbeatSeconds,
        signal: attempt.signal,
        resumed,
        step: (progress, events) => recorder.step({ attempt: progress, retryAt: undefined }, events),
      });
      const selectedResult =
        state.ResultSelector === undefined
          ? result
          : evaluateTemplate(state.ResultSelector, result, taskContext);
      return this.stateOutput(state, input, selectedResult, taskContext);
    } finally {
      attempt.abort();
    }
  }

  private async parallel(call: StateCall, progress: BranchesProgress): Promise<Json> {
    const { name, state, input, context, scope } = call;
    const effective = this.effectiveInput(state, input, context);
    const branches = state.Branches ?? [];
    this.hooks.emit('ParallelStateStarted');
    progress.started = true;
    const results = await this.together(
      branches.map(
        (branch) => (signal: AbortSignal) =>
          this.runMachine(branch, branch.StartAt, effective, { topLevel: false, signal }),
      ),
      0,
      scope.signal,
    );
    this.hooks.emit('ParallelStateSucceeded');
    progress.started = false;
    return this.resultOf(state, input, results, context, name);
  }

  private async map(call: StateCall, progress: BranchesProgress) {
    const { name, state, input, context, scope } = call;
    const selected = selectPath(state.InputPath, input, 'InputPath', context);
    const items = selectPath(state.ItemsPath, selected, 'ItemsPath', context);
    if (!Array.isArray(items)) throw runtimeError(`The ItemsPath of '${name}' must select an array`);
    const processor = state.ItemProcessor ?? state.Iterator;
    if (!processor) throw runtimeError(`Map state '${name}' has no ItemProcessor`);
    const selector = state.ItemSelector ?? state.Parameters;
    const concurrency = maxConcurrency(state, selected, context);
    this.hooks.emit('MapStateStarted', 'mapStateStartedEventDetails', { length: items.length });
    progress.started = true;
    const runs = items.map((value, index) => async (signal: AbortSignal) => {
      const map = { Item: { Index: index, Value: value } };
      const itemInput =
        selector === undefined ? value : evaluateTemplate(selector, selected, { ...context, Map: map });
      this.hooks.emit('MapIterationStarted', 'mapIterationStartedEventDetails', { name, index });
      try {
        const output = await this.runMachine(processor, processor.StartAt, itemInput, {
          topLevel: false,
          signal,
          map,
        });
        this.hooks.emit('MapIterationSucceeded', 'mapIterationSucceededEventDetails', { name, index });
        return output;
      } catch (error) {
        if (!signal.aborted)
          this.hooks.emit('MapIterationFailed', 'mapIterationFailedEventDetails', { name, index });
        throw error;
      }
    });
    const results = await this.together(runs, concurrency, scope.signal);
    this.hooks.emit('MapStateSucceeded');
    progress.started = false;
    return this.resultOf(state, input, results, context, name);
  }

  private resultOf(
    state: StateDefinition,
    input: Json,
    results: Json[],
    context: ContextObject,
    name: string,
  ): Json {
    serialiseWithinQuota(results, name);
    const selected =
      state.ResultSelector === undefined ? results : evaluateTemplate(state.ResultSelector, results, context);
    return this.stateOutput(state, input, selected, context);
  }

  /**
   * Runs work items with at most `concurrency` at a time (0 = all); the first failure aborts the others and
   * is what the state fails with, as in Step Functions.
   */
  private async together(
    work: ((signal: AbortSignal) => Promise<Json>)[],
    concurrency: number,
    parent: AbortSignal,
  ) {
    const group = childController(parent);
    const results: Json[] = new Array(work.length);
    let nextIndex = 0;
    let failure: unknown;
    const worker = async () => {
      while (failure === undefined && nextIndex < work.length) {
        const index = nextIndex++;
        try {
          results[index] = await (work[index] as (signal: AbortSignal) => Promise<Json>)(group.signal);
        } catch (error) {
          failure ??= error;
          group.abort();
        }
      }
    };
    const width = concurrency > 0 ? Math.min(concurrency, work.length) : work.length;
    try {
      await Promise.all(Array.from({ length: width }, worker));
    } finally {
      group.abort();
    }
    if (failure !== undefined) throw failure;
    return results;
  }

  /** Retry (first matching retrier, backoff, MaxDelaySeconds, jitter), then Catch; `$$.State.RetryCount` counts retries. */
  private async retrying(
    { state, input, context, scope }: StateCall,
    recorder: StepRecorder,
    attempt: (context: ContextObject, progress: BranchesProgress) => Promise<Json>,
  ): Promise<Outcome> {
    const next = state.End ? undefined : state.Next;
    // After a restart: the retries already used, and the rest of a backoff that was under way.
    const used = [...(recorder.progress.retriesUsed ?? (state.Retry ?? []).map(() => 0))];
    const { retryAt, attempt: underWay } = recorder.progress;
    if (retryAt !== undefined && !underWay) await sleep(retryAt - Date.now(), scope.signal);
    for (let retryCount = used.reduce((sum, n) => sum + n, 0); ; retryCount += 1) {
      const attemptContext: ContextObject = {
        ...context,
        State: { ...(context.State as NonNullable<ContextObject['State']>), RetryCount: retryCount },
      };
      const progress: BranchesProgress = { started: false };
      try {
        return { output: await attempt(attemptContext, progress), next };
      } catch (thrown) {
        // A stopped execution or an abandoned branch (a sibling failed) neither retries nor catches.
        if (scope.signal.aborted) throw thrown instanceof Aborted ? thrown : new Aborted();
        const error = asStatesError(thrown);
        const retrierIndex = (state.Retry ?? []).findIndex((r) => this.handles(r, error, state));
        const retrier = state.Retry?.[retrierIndex];
        if (retrier && (used[retrierIndex] ?? 0) < (retrier.MaxAttempts ?? 3)) {
          const delay = retryDelaySeconds(retrier, used[retrierIndex] ?? 0);
          used[retrierIndex] = (used[retrierIndex] ?? 0) + 1;
          const at = Date.now() + delay * 1000 * this.hooks.retryIntervalScale;
          recorder.step({ retriesUsed: [...used], retryAt: at, attempt: undefined });
          await sleep(at - Date.now(), scope.signal);
          continue;
        }
        // AWS records one ParallelStateFailed/MapStateFailed, once no retrier retries the state (localstack's
        // AWS-validated test_parallel_state_retry and test_map_state_retry histories).
        if (progress.started) this.hooks.emit(`${state.Type}StateFailed`);
        const catcher = (state.Catch ?? []).find((c) => this.handles(c, error, state));
        if (!catcher) throw error;
        return { output: applyResultPath(catcher.ResultPath, input, error.output), next: catcher.Next };
      }
    }
  }

  private handles(handler: Retrier | Catcher, error: StatesError, state: StateDefinition): boolean {
    return handler.ErrorEquals.some((pattern) => errorMatches(pattern, error, state.Type));
  }
}

/** IntervalSeconds × BackoffRate^n, capped by MaxDelaySeconds; FULL jitter draws uniformly below it. */
export function retryDelaySeconds(retrier: Retrier, retriesSoFar: number): number {
  let delay = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** retriesSoFar;
  if (retrier.MaxDelaySeconds !== undefined) delay = Math.min(delay, retrier.MaxDelaySeconds);
  return retrier.JitterStrategy === 'FULL' ? Math.random() * delay : delay;
}
