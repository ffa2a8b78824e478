import './polyfills';
import { type RunOptions, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { localRegion, stateMachineArn } from '../aws';
import type { ExecutionRecord, ExecutionStore } from './executions';
import {
  callResource,
  type ParsedResource,
  parseResource,
  RuntimeStatesError,
  StatesError,
  type TaskResourceDeps,
  type TokenBroker,
} from './task-resources';

type LocalHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type LocalHandler = NonNullable<LocalHandlers[string]>;
type LibraryJson = Parameters<LocalHandler>[0];
type LibraryEvent = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

interface StateDefinition {
  Type: string;
  Resource?: string;
  Parameters?: unknown;
  Retry?: { IntervalSeconds?: number }[];
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  HeartbeatSeconds?: number;
  Branches?: Definition[];
  Iterator?: Definition;
  ItemProcessor?: Definition;
  [member: string]: unknown;
}
interface Definition {
  StartAt: string;
  States: Record<string, StateDefinition>;
  [member: string]: unknown;
}

interface TaskSpec {
  resource: string;
  parsed: ParsedResource | undefined;
  /** Set when we evaluate Parameters ourselves: they need `$$.Task.Token`/`$$.State`, which the library cannot resolve. */
  parametersEvaluator?: StateMachine;
  timeoutSeconds?: number;
  heartbeatSeconds?: number;
}

export interface CompiledMachine {
  name: string;
  arn: string;
  definition: string;
  roleArn: string;
  creationDate: number;
  /** Top-level state name → type: only these can be redriven from (nested states restart with their Map/Parallel). */
  topLevelStates: Map<string, string>;
  tasks: Map<string, TaskSpec>;
  retryIntervalOverrides: Record<string, number[]>;
  runnable: Definition;
  main: StateMachine;
  /** Redrive variants (same states, StartAt = the failed state), built on first use. */
  variants: Map<string, StateMachine>;
}

/**
 * AWS's default task timeout is effectively unbounded (99999999 s); the library's is 60 s, which would kill
 * any callback wait. Node timers overflow above 2^31-1 ms (~24.8 days), so this is the longest safe value.
 */
const unboundedTaskTimeoutSeconds = 2_000_000;

/** The library overwrites `$$.Execution.Input`/`StartTime` with the (sub-)run's own; we keep the real ones under these keys. */
const rewriteContextPaths = (text: string): string =>
  text
    .replace(/\$\$\.Execution\.Input\b/g, '$$$$.__executionInput')
    .replace(/\$\$\.Execution\.StartTime\b/g, '$$$$.__executionStartTime');

function rewriteStrings(value: unknown): unknown {
  if (typeof value === 'string') return value.includes('$$.') ? rewriteContextPaths(value) : value;
  if (Array.isArray(value)) return value.map(rewriteStrings);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, key === 'Comment' ? inner : rewriteStrings(inner)]),
    );
  }
  return value;
}

const validatedDefinitions = new Set<string>();

const passEvaluator = (parameters: unknown): StateMachine =>
  new StateMachine(
    {
      StartAt: 'Parameters',
      States: { Parameters: { Type: 'Pass', Parameters: parameters, End: true } },
    } as unknown as StateMachineDefinition,
    { validationOptions: { noValidate: true } },
  );

/**
 * Builds a machine once (validating costs ~70 ms): the library runs a transformed copy where every Task is
 * overridden by our handler, Parameters that need `$$.Task.Token`/`$$.State` are evaluated by us, task
 * timeouts default to unbounded, and retry intervals are scaled (tests use ~0).
 */
export function compileMachine(
  name: string,
  definitionText: string,
  roleArn: string | undefined,
  retryIntervalScale: number,
): CompiledMachine {
  const original = JSON.parse(definitionText) as Definition;
  // Validate what the author wrote (fails fast at start-up on a broken ASL file). Validation is the expensive
  // part (~0.1–1 s per machine), so a process that restarts the service (tests, persistence) does it once per text.
  if (!validatedDefinitions.has(definitionText)) {
    new StateMachine(original as unknown as StateMachineDefinition, {
      validationOptions: { checkArn: false },
    });
    validatedDefinitions.add(definitionText);
  }
  const runnable = rewriteStrings(original) as Definition;
  const tasks = new Map<string, TaskSpec>();
  const retryIntervalOverrides: Record<string, number[]> = {};

  const visit = (definition: Definition): void => {
    for (const [stateName, state] of Object.entries(definition.States)) {
      for (const branch of state.Branches ?? []) visit(branch);
      if (state.Iterator) visit(state.Iterator);
      if (state.ItemProcessor) visit(state.ItemProcessor);
      if (state.Retry && retryIntervalScale !== 1) {
        // The library's override is a flat delay per retrier (no backoff/jitter): fine for the scaled-down test mode.
        retryIntervalOverrides[stateName] = state.Retry.map(
          (retrier) => (retrier.IntervalSeconds ?? 1) * 1000 * retryIntervalScale,
        );
      }
      if (state.Type !== 'Task') continue;
      const resource = String(state.Resource);
      const parsed = parseResource(resource);
      const spec: TaskSpec = {
        resource,
        parsed,
        timeoutSeconds: state.TimeoutSeconds,
        heartbeatSeconds: state.HeartbeatSeconds,
      };
      const parametersText = JSON.stringify(state.Parameters ?? null);
      if (
        'Parameters' in state &&
        (parsed?.waitForTaskToken || /\$\$\.(Task|State)\b/.test(parametersText))
      ) {
        spec.parametersEvaluator = passEvaluator(state.Parameters);
        delete state.Parameters;
      }
      if (state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) {
        state.TimeoutSeconds = unboundedTaskTimeoutSeconds;
      }
      tasks.set(stateName, spec);
    }
  };
  visit(runnable);

  return {
    name,
    arn: stateMachineArn(name),
    definition: definitionText,
    roleArn: roleArn ?? `arn:aws:iam::000000000000:role/${name}-role`,
    creationDate: Date.now(),
    topLevelStates: new Map(
      Object.entries(original.States).map(([stateName, state]) => [stateName, state.Type]),
    ),
    tasks,
    retryIntervalOverrides,
    runnable,
    main: new StateMachine(runnable as unknown as StateMachineDefinition, {
      validationOptions: { noValidate: true },
    }),
    variants: new Map(),
  };
}

/**
 * When an injected fault fires: `before` the task's resource is called (nothing happened, as when the
 * Lambda service throttles), or `after` it returned (its effect is applied: a Lambda committed its writes, a
 * DynamoDB update was made, a callback token was parked; yet the task fails, as when a Lambda times out after
 * writing or the response is lost). Only `after` can reveal a task that is not idempotent on redrive.
 */
export type FaultPhase = 'before' | 'after';

export interface FaultDefinition {
  readonly error: string;
  readonly cause?: string;
  readonly times: number;
  readonly phase?: FaultPhase;
}

/** Local-only fault injection: a Task state fails `times` attempts in a row, before or after its resource. */
export class FaultRegistry {
  private readonly faults = new Map<
    string,
    { error: string; cause?: string; remaining: number; phase: FaultPhase }
  >();

  set(stateMachine: string, state: string, fault: FaultDefinition): void {
    this.faults.set(`${stateMachine}\u0000${state}`, {
      error: fault.error,
      cause: fault.cause,
      remaining: fault.times,
      phase: fault.phase ?? 'before',
    });
  }

  clear(): void {
    this.faults.clear();
  }

  /** The fault to throw now, if one is armed for this state and phase (an `after` fault waits for a successful call). */
  take(stateMachine: string, state: string, phase: FaultPhase): StatesError | undefined {
    const key = `${stateMachine}\u0000${state}`;
    const fault = this.faults.get(key);
    if (!fault || fault.phase !== phase || fault.remaining <= 0) return undefined;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.faults.delete(key);
    return new StatesError(fault.error, fault.cause ?? `Injected fault at ${state} (local cloud)`);
  }
}

/** The state types' prefixes of AWS history event types (`TaskStateEntered`, `ChoiceStateExited`, ...). */
const statePrefix = (type: string): string => `${type}State`;

interface Attempt {
  /** Set when the library gave up on this attempt (its TimeoutSeconds fired): our handler must stay quiet. */
  cancelled: boolean;
  token?: string;
}

interface ActiveRun {
  record: ExecutionRecord;
  machine: CompiledMachine;
  finished: boolean;
  abort: () => void;
  context: Record<string, unknown>;
  /** Attempts of the current entry into each state ($$.State.RetryCount), reset on StateEntered. */
  attempts: Map<string, number>;
  enteredAt: Map<string, number>;
  inFlight: Map<string, Attempt>;
}

export interface RunnerDeps {
  store: ExecutionStore;
  broker: TokenBroker;
  faults: FaultRegistry;
  resources: TaskResourceDeps;
}

const stringify = (value: unknown): string =>
  typeof value === 'string' ? value : JSON.stringify(value ?? null);
const nextTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Runs executions with aws-local-stepfunctions and turns what happens into AWS execution records and
 * history. Library events arrive through an async generator (a few microtasks late); task events are
 * emitted by our handlers, which first wait one macrotask so every earlier library event is recorded first.
 */
export class ExecutionRunner {
  private readonly active = new Map<string, ActiveRun>();
  private readonly waiters = new Map<string, (() => void)[]>();

  constructor(private readonly deps: RunnerDeps) {}

  isActive(executionArn: string): boolean {
    return this.active.has(executionArn);
  }

  /** Runs a new execution, or (redrive) resumes one at `from.name` with that state's recorded input. */
  start(record: ExecutionRecord, machine: CompiledMachine, from?: { name: string; input: unknown }): void {
    const executionInput = JSON.parse(record.input) as unknown;
    const run: ActiveRun = {
      record,
      machine,
      finished: false,
      abort: () => {},
      context: {
        Execution: {
          Id: record.executionArn,
          Name: record.name,
          RoleArn: machine.roleArn,
          RedriveCount: record.redriveCount,
        },
        StateMachine: { Id: machine.arn, Name: machine.name },
        __executionInput: executionInput,
        __executionStartTime: new Date(record.startDate).toISOString(),
      },
      attempts: new Map(),
      enteredAt: new Map(),
      inFlight: new Map(),
    };
    this.active.set(record.executionArn, run);
    const handlers: LocalHandlers = {};
    for (const stateName of machine.tasks.keys()) {
      handlers[stateName] = (input) => this.runTask(run, stateName, input);
    }
    const stateMachine = from ? this.variant(machine, from.name) : machine.main;
    const execution = stateMachine.run((from ? from.input : executionInput) as LibraryJson, {
      overrides: {
        taskResourceLocalHandlers: handlers,
        retryIntervalOverrides: machine.retryIntervalOverrides,
      },
      context: run.context,
    });
    run.abort = execution.abort;
    // Outcomes are recorded from the event log; the result promise only needs its rejection observed.
    execution.result.catch(() => undefined);
    void this.consume(run, execution.eventLogs, from !== undefined);
  }

  /** StopExecution: the execution ends now; whatever is still in flight is ignored. */
  stop(executionArn: string, error: string | undefined, cause: string | undefined): void {
    const run = this.active.get(executionArn);
    if (!run) return;
    const { record } = run;
    this.finish(run, () => {
      record.status = 'ABORTED';
      record.error = error;
      record.cause = cause;
      const details: Record<string, unknown> = {};
      if (error !== undefined) details.error = error;
      if (cause !== undefined) details.cause = cause;
      this.deps.store.append(record, 'ExecutionAborted', 'executionAbortedEventDetails', details);
    });
    run.abort();
  }

  /** Resolves once the execution is no longer running (for `states:startExecution.sync`). */
  whenDone(executionArn: string): Promise<void> {
    if (!this.active.has(executionArn)) return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.waiters.get(executionArn) ?? [];
      list.push(resolve);
      this.waiters.set(executionArn, list);
    });
  }

  /** Stops every running execution without recording anything (shutdown: a restart marks them failed). */
  abortAll(): void {
    for (const run of this.active.values()) {
      run.finished = true;
      this.deps.broker.cancelExecution(run.record.executionArn);
      run.abort();
    }
    this.active.clear();
  }

  private variant(machine: CompiledMachine, stateName: string): StateMachine {
    let variant = machine.variants.get(stateName);
    if (!variant) {
      variant = new StateMachine(
        { ...machine.runnable, StartAt: stateName } as unknown as StateMachineDefinition,
        {
          validationOptions: { noValidate: true },
        },
      );
      machine.variants.set(stateName, variant);
    }
    return variant;
  }

  private finish(run: ActiveRun, record: () => void): void {
    if (run.finished) return;
    run.finished = true;
    run.record.stopDate = Date.now();
    record();
    this.deps.broker.cancelExecution(run.record.executionArn);
    this.deps.store.changed();
    this.active.delete(run.record.executionArn);
    for (const resolve of this.waiters.get(run.record.executionArn) ?? []) resolve();
    this.waiters.delete(run.record.executionArn);
  }

  private emit(run: ActiveRun, type: string, member?: string, details?: Record<string, unknown>): void {
    if (!run.finished) this.deps.store.append(run.record, type, member, details);
  }

  private async consume(
    run: ActiveRun,
    events: AsyncGenerator<LibraryEvent>,
    redriven: boolean,
  ): Promise<void> {
    for await (const event of events) {
      if (run.finished) continue;
      this.onLibraryEvent(run, event, redriven);
    }
  }

  private onLibraryEvent(run: ActiveRun, event: LibraryEvent, redriven: boolean): void {
    const { record } = run;
    switch (event.type) {
      case 'ExecutionStarted':
        // A redrive continues the same history: ExecutionRedriven was already recorded instead.
        if (!redriven) {
          this.emit(run, 'ExecutionStarted', 'executionStartedEventDetails', {
            input: record.input,
            inputDetails: { truncated: false },
            roleArn: run.machine.roleArn,
          });
        }
        return;
      case 'StateEntered':
        if (run.machine.topLevelStates.has(event.state.name)) {
          record.currentState = { name: event.state.name, input: event.state.input };
        }
        run.attempts.set(event.state.name, 0);
        run.enteredAt.set(event.state.name, event.timestamp);
        this.emit(run, `${statePrefix(event.state.type)}Entered`, 'stateEnteredEventDetails', {
          name: event.state.name,
          input: stringify(event.state.input),
          inputDetails: { truncated: false },
        });
        return;
      case 'StateExited':
        this.emit(run, `${statePrefix(event.state.type)}Exited`, 'stateExitedEventDetails', {
          name: event.state.name,
          output: stringify(event.state.output),
          outputDetails: { truncated: false },
        });
        return;
      case 'StateFailed': {
        // The library enforces TimeoutSeconds itself (so States.TaskFailed correctly excludes States.Timeout);
        // we record the timeout and silence the abandoned attempt.
        const attempt = run.inFlight.get(event.state.name);
        if (
          event.state.type === 'Task' &&
          event.Error === 'States.Timeout' &&
          attempt &&
          !attempt.cancelled
        ) {
          attempt.cancelled = true;
          const cause = 'Task timed out (TimeoutSeconds elapsed)';
          if (attempt.token) this.deps.broker.expire(attempt.token, new StatesError('States.Timeout', cause));
          const parsed = run.machine.tasks.get(event.state.name)?.parsed;
          this.emit(run, 'TaskTimedOut', 'taskTimedOutEventDetails', {
            resourceType: parsed?.resourceType ?? 'unknown',
            resource: parsed?.resourceName ?? 'unknown',
            error: 'States.Timeout',
            cause,
          });
        }
        return;
      }
      case 'ExecutionSucceeded':
        this.finish(run, () => {
          record.status = 'SUCCEEDED';
          record.output = stringify(event.output);
          this.deps.store.append(record, 'ExecutionSucceeded', 'executionSucceededEventDetails', {
            output: record.output,
            outputDetails: { truncated: false },
          });
        });
        return;
      case 'ExecutionFailed':
        this.finish(run, () => {
          record.status = 'FAILED';
          record.error = event.Error;
          record.cause = stringify(event.Cause);
          this.deps.store.append(record, 'ExecutionFailed', 'executionFailedEventDetails', {
            error: record.error,
            cause: record.cause,
          });
        });
        return;
      case 'ExecutionTimeout':
        this.finish(run, () => {
          record.status = 'TIMED_OUT';
          record.error = 'States.Timeout';
          record.cause = 'The execution ran longer than the state machine TimeoutSeconds';
          this.deps.store.append(record, 'ExecutionTimedOut', 'executionTimedOutEventDetails', {
            error: record.error,
            cause: record.cause,
          });
        });
        return;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
        this.emit(
          run,
          event.type,
          `${event.type === 'MapIterationStarted' ? 'mapIterationStarted' : 'mapIterationSucceeded'}EventDetails`,
          {
            name: event.parentState.name,
            index: event.index,
          },
        );
        return;
      case 'MapIterationFailed':
        this.emit(run, 'MapIterationFailed', 'mapIterationFailedEventDetails', {
          name: event.parentState.name,
          index: event.index,
        });
        return;
      default:
        // StateRetried/StateCaught have no AWS event of their own; Parallel branch events are not recorded.
        return;
    }
  }

  /** The Task handler the library calls with the state's effective input (after InputPath and, usually, Parameters). */
  private async runTask(run: ActiveRun, stateName: string, input: LibraryJson): Promise<LibraryJson> {
    await nextTick();
    if (run.finished) throw new RuntimeStatesError('States.Runtime', 'Execution is no longer running');
    const spec = run.machine.tasks.get(stateName);
    const parsed = spec?.parsed;
    if (!spec || !parsed) {
      throw new RuntimeStatesError(
        'States.Runtime',
        `Task resource ${spec?.resource ?? '?'} is not supported by the local Step Functions service`,
      );
    }
    const retryCount = run.attempts.get(stateName) ?? 0;
    run.attempts.set(stateName, retryCount + 1);
    const token = parsed.waitForTaskToken ? this.deps.broker.create(run.record.executionArn) : undefined;
    const attempt: Attempt = { cancelled: false, token };
    run.inFlight.set(stateName, attempt);

    let params: unknown = input;
    if (spec.parametersEvaluator) {
      const context = {
        ...run.context,
        State: {
          Name: stateName,
          EnteredTime: new Date(run.enteredAt.get(stateName) ?? Date.now()).toISOString(),
          RetryCount: retryCount,
        },
        ...(token ? { Task: { Token: token } } : {}),
      };
      try {
        params = await spec.parametersEvaluator.run(input, { context }).result;
      } catch (error) {
        // Bad paths are States.Runtime (not retryable or catchable), exactly as the library treats its own.
        throw (error as { cause?: unknown }).cause ?? error;
      }
    }

    const lambdaFunction = parsed.kind === 'lambda:function';
    const names = { resourceType: parsed.resourceType, resource: parsed.resourceName };
    const quiet = (): boolean => attempt.cancelled || run.finished;
    if (lambdaFunction) {
      this.emit(run, 'LambdaFunctionScheduled', 'lambdaFunctionScheduledEventDetails', {
        resource: parsed.resourceName,
        input: stringify(params),
        inputDetails: { truncated: false },
        ...(spec.timeoutSeconds ? { timeoutInSeconds: spec.timeoutSeconds } : {}),
      });
      this.emit(run, 'LambdaFunctionStarted');
    } else {
      this.emit(run, 'TaskScheduled', 'taskScheduledEventDetails', {
        ...names,
        region: localRegion,
        parameters: stringify(params),
        ...(spec.timeoutSeconds ? { timeoutInSeconds: spec.timeoutSeconds } : {}),
        ...(spec.heartbeatSeconds ? { heartbeatInSeconds: spec.heartbeatSeconds } : {}),
      });
      this.emit(run, 'TaskStarted', 'taskStartedEventDetails', names);
    }

    try {
      const before = this.deps.faults.take(run.machine.name, stateName, 'before');
      if (before) throw before;
      let result = await callResource(parsed, params, this.deps.resources);
      // For a waitForTaskToken resource, `after` means the token is parked (on the item the resource wrote)
      // and the task then fails: the parked token is stale from then on (a callback gets TaskDoesNotExist),
      // which is what a redrive must cope with. Failing after the callback arrived would not be realistic:
      // on AWS an answered task succeeds.
      const after = this.deps.faults.take(run.machine.name, stateName, 'after');
      if (after) throw after;
      if (token) {
        if (!quiet()) {
          this.emit(run, 'TaskSubmitted', 'taskSubmittedEventDetails', {
            ...names,
            output: stringify(result),
            outputDetails: { truncated: false },
          });
        }
        result = await this.waitForCallback(token, spec.heartbeatSeconds);
      }
      if (!quiet()) {
        if (lambdaFunction) {
          this.emit(run, 'LambdaFunctionSucceeded', 'lambdaFunctionSucceededEventDetails', {
            output: stringify(result),
            outputDetails: { truncated: false },
          });
        } else {
          this.emit(run, 'TaskSucceeded', 'taskSucceededEventDetails', {
            ...names,
            output: stringify(result),
            outputDetails: { truncated: false },
          });
        }
      }
      return (result ?? null) as LibraryJson;
    } catch (caught) {
      const error =
        caught instanceof StatesError
          ? caught
          : new StatesError('States.TaskFailed', caught instanceof Error ? caught.message : String(caught));
      if (!quiet()) {
        if (error.name === 'States.Timeout') {
          this.emit(run, 'TaskTimedOut', 'taskTimedOutEventDetails', {
            ...names,
            error: error.name,
            cause: error.message,
          });
        } else if (lambdaFunction) {
          this.emit(run, 'LambdaFunctionFailed', 'lambdaFunctionFailedEventDetails', {
            error: error.name,
            cause: error.message,
          });
        } else {
          this.emit(run, 'TaskFailed', 'taskFailedEventDetails', {
            ...names,
            error: error.name,
            cause: error.message,
          });
        }
      }
      throw error;
    } finally {
      if (token) this.deps.broker.discard(token);
      if (run.inFlight.get(stateName) === attempt) run.inFlight.delete(stateName);
    }
  }

  /** Waits for SendTaskSuccess/SendTaskFailure; HeartbeatSeconds without a heartbeat fails the task with States.Timeout. */
  private waitForCallback(token: string, heartbeatSeconds: number | undefined): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      if (!heartbeatSeconds) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(
        () =>
          this.deps.broker.expire(
            token,
            new StatesError('States.Timeout', 'Task heartbeat timed out (HeartbeatSeconds elapsed)'),
          ),
        heartbeatSeconds * 1000,
      );
    };
    const wait = this.deps.broker.wait(token, arm);
    arm();
    return wait.finally(() => clearTimeout(timer));
  }
}
