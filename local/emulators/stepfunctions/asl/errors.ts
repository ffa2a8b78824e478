/**
 * Errors as Step Functions' Retry and Catch see them: `name` is the error name, `message` the cause.
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 */
export class StatesError extends Error {
  /** A timeout because no heartbeat came in time: AWS reports it as `States.Timeout`, `States.HeartbeatTimeout` matches it too. */
  heartbeat = false;

  /** SendTaskFailure may leave out error and cause; a Catch then sees `null` for them, as on AWS. */
  private absent = { error: false, cause: false };

  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }

  /** An error reported by a task's worker (SendTaskFailure), whose error and cause are optional. */
  static reported(error: string | undefined, cause: string | undefined): StatesError {
    const reported = new StatesError(error ?? '', cause ?? '');
    reported.absent = { error: error === undefined, cause: cause === undefined };
    return reported;
  }

  /** The error as recorded in an execution's progress, to be rebuilt identically after a restart. */
  get recorded(): { error: string | null; cause: string | null; heartbeat?: true } {
    return {
      error: this.output.Error,
      cause: this.output.Cause,
      ...(this.heartbeat ? { heartbeat: true } : {}),
    };
  }

  static fromRecorded(recorded: {
    error: string | null;
    cause: string | null;
    heartbeat?: true;
  }): StatesError {
    const error = StatesError.reported(recorded.error ?? undefined, recorded.cause ?? undefined);
    error.heartbeat = recorded.heartbeat === true;
    return error;
  }

  /** What a Catch puts at its ResultPath. */
  get output(): { Error: string | null; Cause: string | null } {
    return { Error: this.absent.error ? null : this.name, Cause: this.absent.cause ? null : this.message };
  }

  /** Terminal errors end the execution: no Retry or Catch (not even `States.ALL`) may handle them. */
  get terminal(): boolean {
    return terminalErrors.has(this.name);
  }
}

/**
 * `States.ALL` "can't catch the States.DataLimitExceeded terminal error type and runtime error types"
 * (AWS error-handling guide); we treat an explicit match the same way, so a local Catch never rescues an
 * execution that AWS would fail.
 */
const terminalErrors = new Set(['States.DataLimitExceeded', 'States.Runtime']);

export const runtimeError = (cause: string): StatesError => new StatesError('States.Runtime', cause);

/** Normalises anything thrown inside the interpreter: unexpected exceptions become `States.Runtime`. */
export const asStatesError = (thrown: unknown): StatesError =>
  thrown instanceof StatesError
    ? thrown
    : runtimeError(thrown instanceof Error ? thrown.message : String(thrown));

/**
 * A Task timeout as AWS reports it: error `States.Timeout`, no cause (a Catch sees `"Cause": ""`), for
 * TimeoutSeconds and HeartbeatSeconds alike (localstack's AWS-validated snapshots, test_timeouts and
 * test_heartbeats).
 */
export function taskTimeout(heartbeat: boolean): StatesError {
  const error = new StatesError('States.Timeout', '');
  error.heartbeat = heartbeat;
  return error;
}

/**
 * Does one `ErrorEquals` entry match? `States.ALL` matches every non-terminal error; `States.TaskFailed` is a
 * wildcard for a Task's errors except timeouts; `States.HeartbeatTimeout` matches a heartbeat timeout only.
 */
export function errorMatches(pattern: string, error: StatesError, stateType: string): boolean {
  if (error.terminal) return false;
  if (pattern === error.name) return true;
  if (pattern === 'States.ALL') return true;
  if (pattern === 'States.HeartbeatTimeout') return error.heartbeat;
  if (pattern === 'States.TaskFailed') return stateType === 'Task' && error.name !== 'States.Timeout';
  return false;
}
