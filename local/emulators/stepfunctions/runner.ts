import { stateMachineArn } from '../protocol/identity';
import { asStatesError, runtimeError } from './asl/errors';
import { Interpreter, type InterpreterHooks } from './asl/interpreter';
import { limits } from './asl/limits';
import type { StateProgress } from './asl/progress';
import { Aborted } from './asl/timers';
import type { Json, MachineDefinition, StateDefinition } from './asl/types';
import type { Closing, ExecutionRecord, ExecutionStore } from './executions';
import type { FaultRegistry } from './fault-injection';
import { parseResource, type TaskResourceDeps } from './task-resources';
import { runTaskAttempt, type TaskHost } from './task-runner';
import type { TokenBroker } from './tokens';

export interface CompiledMachine {
  name: string;
  arn: string;
  /** The definition text as given (DescribeStateMachine echoes it). */
  definition: string;
  parsed: MachineDefinition;
  roleArn: string;
  creationDate: number;
}

/** Every state of a definition, those inside Parallel branches and Map processors included. */
export function* allStates(definition: MachineDefinition): Generator<[string, StateDefinition]> {
  for (const [name, state] of Object.entries(definition.States)) {
    yield [name, state];
    for (const branch of state.Branches ?? []) yield* allStates(branch);
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor) yield* allStates(processor);
  }
}

/**
 * Valid ASL that this service does not run: variables and JSONata fields, Distributed Map, task credentials.
 * Ignoring them would run a different workflow than AWS does, so a definition using them is refused.
 */
const notEmulatedFields = [
  'Assign',
  'Arguments',
  'Output',
  'QueryLanguage',
  'Credentials',
  'ItemReader',
  'ItemBatcher',
  'ResultWriter',
  'ToleratedFailureCount',
  'ToleratedFailurePercentage',
  'ToleratedFailureCountPath',
  'ToleratedFailurePercentagePath',
  'Label',
] as const;

/** A lambda:invoke whose InvocationType is (or may be) Event or DryRun: AWS then answers without the function's result. */
const asyncLambdaInvoke = (state: StateDefinition): boolean => {
  const parameters = state.Parameters as Record<string, unknown> | undefined;
  if (parseResource(String(state.Resource))?.kind !== 'lambda:invoke' || !parameters) return false;
  return (
    'InvocationType.$' in parameters || (parameters.InvocationType ?? 'RequestResponse') !== 'RequestResponse'
  );
};

/**
 * Prepares a definition to run here. What AWS accepts but this service cannot emulate (JSONata, a resource
 * it does not integrate with) is refused at load, naming the state, rather than failing later at run time.
 */
export function compileMachine(
  name: string,
  definitionText: string,
  roleArn: string | undefined,
): CompiledMachine {
  const parsed = JSON.parse(definitionText) as MachineDefinition;
  if (parsed.QueryLanguage !== undefined && parsed.QueryLanguage !== 'JSONPath')
    throw new Error(
      `${name}: QueryLanguage ${parsed.QueryLanguage} is not emulated by the local Step Functions service`,
    );
  for (const [stateName, state] of allStates(parsed)) {
    const field = notEmulatedFields.find((candidate) => candidate in state);
    const distributed =
      (state as { ProcessorConfig?: { Mode?: string } }).ProcessorConfig?.Mode === 'DISTRIBUTED';
    if (field || distributed)
      throw new Error(
        `${name}: state '${stateName}' uses ${field ?? 'a Distributed Map'}, which the local Step Functions service does not emulate`,
      );
    if (state.Type === 'Task' && !parseResource(String(state.Resource)))
      throw new Error(
        `${name}: state '${stateName}' uses ${state.Resource}, which the local Step Functions service does not emulate`,
      );
    if (state.Type === 'Task' && asyncLambdaInvoke(state))
      throw new Error(
        `${name}: state '${stateName}' uses lambda:invoke with an InvocationType other than RequestResponse, which the local Step Functions service does not emulate`,
      );
  }
  return {
    name,
    arn: stateMachineArn(name),
    definition: definitionText,
    parsed,
    roleArn: roleArn ?? `arn:aws:iam::000000000000:role/${name}-role`,
    creationDate: Date.now(),
  };
}

interface ActiveRun {
  record: ExecutionRecord;
  machine: CompiledMachine;
  controller: AbortController;
  finished: boolean;
  timer?: NodeJS.Timeout;
}

export interface RunnerDeps {
  store: ExecutionStore;
  broker: TokenBroker;
  faults: FaultRegistry;
  resources: TaskResourceDeps;
  /** Multiplies Retry intervals (1 = AWS timing; tests pass ~0 so retries do not wait). */
  retryIntervalScale: number;
  /** Multiplies enforced Task timeouts (1 = AWS timing). */
  taskTimeoutScale: number;
}

const historyLimitCause = `The execution reached the maximum number of history events (${limits.historyEvents}).`;

/**
 * Owns the running executions: it runs each with the interpreter, records what happens as AWS history
 * events on the execution record, and closes the record exactly once (succeeded, failed, timed out, aborted).
 */
export class ExecutionRunner {
  private readonly active = new Map<string, ActiveRun>();
  private readonly waiters = new Map<string, (() => void)[]>();

  constructor(private readonly deps: RunnerDeps) {}

  /** Runs a new execution, or (redrive) runs one again from `from.name`, entered with its recorded input. */
  start(record: ExecutionRecord, machine: CompiledMachine, from?: { name: string; input: unknown }): void {
    this.launch(record, machine, from ?? this.beginning(record, machine), !from);
  }

  /**
   * After a restart: carries on a RUNNING execution from where its record says it was. AWS never fails an
   * execution because the service restarted; neither does this one. A state inside a Parallel or Map is
   * not recorded: its enclosing top-level state runs again (every Task is idempotent by contract).
   */
  resume(record: ExecutionRecord, machine: CompiledMachine): void {
    const at = record.currentState;
    if (!at) {
      // Created, but stopped before it entered its first state.
      this.launch(record, machine, this.beginning(record, machine), record.events.length === 0);
      return;
    }
    const attempt = at.progress?.attempt;
    const heartbeatAt = record.callback?.token === attempt?.token ? record.callback?.heartbeatAt : undefined;
    const progress =
      at.progress && attempt && heartbeatAt !== undefined
        ? { ...at.progress, attempt: { ...attempt, heartbeatAt } }
        : at.progress;
    this.launch(record, machine, { ...at, progress }, false);
  }

  private beginning(record: ExecutionRecord, machine: CompiledMachine) {
    return { name: machine.parsed.StartAt, input: JSON.parse(record.input) as Json };
  }

  /** Runs the execution from `from` (with `progress`: carries that state on rather than entering it). */
  private launch(
    record: ExecutionRecord,
    machine: CompiledMachine,
    from: { name: string; input: unknown; progress?: StateProgress | undefined },
    announce: boolean,
  ): void {
    const run: ActiveRun = { record, machine, controller: new AbortController(), finished: false };
    this.active.set(record.executionArn, run);
    const input = JSON.parse(record.input) as Json;
    if (announce) {
      const details = { input: record.input, inputDetails: { truncated: false }, roleArn: machine.roleArn };
      this.recorded(run, 1, () =>
        this.deps.store.append(record, 'ExecutionStarted', 'executionStartedEventDetails', details),
      );
    }
    const timeoutSeconds = machine.parsed.TimeoutSeconds;
    if (timeoutSeconds !== undefined && timeoutSeconds * 1000 < 2 ** 31) {
      const elapsed = Date.now() - (record.redriveDate ?? record.startDate);
      run.timer = setTimeout(() => this.timedOut(run), timeoutSeconds * 1000 - elapsed);
    }
    const interpreter = new Interpreter(this.hooks(run), {
      Execution: {
        Id: record.executionArn,
        Input: input,
        Name: record.name,
        RoleArn: machine.roleArn,
        StartTime: new Date(record.startDate).toISOString(),
        RedriveCount: record.redriveCount,
        ...(record.redriveDate ? { RedriveTime: new Date(record.redriveDate).toISOString() } : {}),
      },
      StateMachine: { Id: machine.arn, Name: machine.name },
    });
    interpreter
      .run(machine.parsed, from.name, from.input as Json, from.progress)
      .then(
        (output) => this.succeeded(run, output),
        (error: unknown) => {
          if (!(error instanceof Aborted)) this.failed(run, asStatesError(error));
        },
      )
      // A bug in the recording itself must fail this execution, never the process.
      .catch((error: unknown) => this.failed(run, runtimeError(String(error))));
  }

  /** StopExecution: the execution ends now; whatever is still in flight is ignored. */
  stop(executionArn: string, error: string | undefined, cause: string | undefined): void {
    const run = this.active.get(executionArn);
    if (!run) return;
    this.finish(run, { status: 'ABORTED', error, cause });
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

  /** Stops every running execution without recording anything (shutdown: they stay RUNNING, to be resumed). */
  abortAll(): void {
    for (const run of this.active.values()) {
      run.finished = true;
      clearTimeout(run.timer);
      this.deps.broker.cancelExecution(run.record.executionArn);
      run.controller.abort();
    }
    this.active.clear();
  }

  private hooks(run: ActiveRun): InterpreterHooks {
    const taskHost: TaskHost = {
      machineName: run.machine.name,
      faults: this.deps.faults,
      broker: this.deps.broker,
      resources: this.deps.resources,
      timeoutScale: this.deps.taskTimeoutScale,
    };
    const { store } = this.deps;
    return {
      signal: run.controller.signal,
      retryIntervalScale: this.deps.retryIntervalScale,
      emit: (type, member, details) =>
        this.recorded(run, 1, () => store.append(run.record, type, member, details)),
      entered: (name, input, progress, events) =>
        this.recorded(run, events.length, () => store.enter(run.record, name, input, progress, events)),
      progressed: (progress, events) =>
        this.recorded(run, events.length, () => store.progressed(run.record, progress, events)),
      newTaskToken: (stateName) => this.deps.broker.create(run.record.executionArn, stateName),
      runTask: (request) => {
        if (run.finished) return Promise.reject(new Aborted());
        return runTaskAttempt(taskHost, request);
      },
    };
  }

  /** Records a change that adds `events` history events, unless the execution is over. */
  private recorded(run: ActiveRun, events: number, write: () => void): void {
    if (run.finished) return;
    // The closing event must fit too: AWS fails an execution whose history reaches the quota.
    if (run.record.events.length + events >= limits.historyEvents) {
      this.failed(run, runtimeError(historyLimitCause));
      return;
    }
    write();
  }

  private succeeded(run: ActiveRun, output: Json): void {
    this.finish(run, { status: 'SUCCEEDED', output: JSON.stringify(output ?? null) });
  }

  private failed(run: ActiveRun, error: { name: string; message: string }): void {
    this.finish(run, { status: 'FAILED', error: error.name || undefined, cause: error.message || undefined });
  }

  /** AWS's DescribeExecution of a TIMED_OUT execution has neither error nor cause (localstack test_global_timeout). */
  private timedOut(run: ActiveRun): void {
    this.finish(run, { status: 'TIMED_OUT' });
  }

  private finish(run: ActiveRun, closing: Closing): void {
    if (run.finished) return;
    run.finished = true;
    clearTimeout(run.timer);
    const { record } = run;
    this.deps.store.close(record, closing);
    run.controller.abort();
    this.deps.broker.cancelExecution(record.executionArn);
    this.active.delete(record.executionArn);
    for (const resolve of this.waiters.get(record.executionArn) ?? []) resolve();
    this.waiters.delete(record.executionArn);
  }
}
