import type { Json } from './types';

/**
 * How far a top-level state got. The host records it, together with the history events of each step, so
 * that an execution survives a restart of its host: it resumes where its progress says it was, as AWS
 * executions do (AWS never fails an execution because the service restarted).
 */
export interface StateProgress {
  /** `$$.State.EnteredTime` (epoch ms); a Wait's `Seconds` count from here. */
  readonly enteredAt: number;
  /** Retries used so far, per retrier of the state's `Retry`. */
  readonly retriesUsed?: readonly number[];
  /** When the retry being waited for starts (epoch ms). */
  readonly retryAt?: number;
  /** The Task attempt under way, or the last one. */
  readonly attempt?: AttemptProgress;
  /** The state is done (its exit event is recorded): the execution goes on with this. */
  readonly exited?: { readonly output: Json; readonly next?: string };
}

/** One attempt of a Task state. */
export interface AttemptProgress {
  /** When it was scheduled (epoch ms): TimeoutSeconds counts from here, whatever happens after. */
  readonly startedAt: number;
  /** A callback task's token, issued before its resource is called. */
  readonly token?: string;
  /** When the resource answered (epoch ms): from then on a callback task only waits for its token. */
  readonly submittedAt?: number;
  /** The last SendTaskHeartbeat (epoch ms), filled in on resume from the execution's callback record. */
  readonly heartbeatAt?: number;
  /** How it ended; its closing event is recorded. */
  readonly outcome?: TaskOutcome;
}

/** A Task's result, or its error as Retry and Catch see it (`null`: left out by SendTaskFailure). */
export type TaskOutcome =
  | { readonly result: Json }
  | { readonly error: { error: string | null; cause: string | null; heartbeat?: true } };

/** A history event before the host numbers it. */
export interface NewEvent {
  readonly type: string;
  readonly member?: string;
  readonly details?: Record<string, unknown>;
}

/**
 * Records the steps of one state. A top-level state's steps carry its progress (recorded with their events
 * in one write, so a crash never separates them); a state inside a Parallel or Map only has events, since a
 * restart runs its enclosing top-level state again.
 */
export class StepRecorder {
  private current: StateProgress;
  private resumedAttempt: AttemptProgress | undefined;

  constructor(
    progress: StateProgress,
    private readonly sink: (progress: StateProgress, events: readonly NewEvent[]) => void,
  ) {
    this.current = progress;
    this.resumedAttempt = progress.attempt;
  }

  get progress(): StateProgress {
    return this.current;
  }

  step(change: Partial<StateProgress>, events: readonly NewEvent[] = []): void {
    this.current = { ...this.current, ...change };
    this.sink(this.current, events);
  }

  /** The attempt that was under way before a restart, once: later attempts start afresh. */
  takeResumedAttempt(): AttemptProgress | undefined {
    const attempt = this.resumedAttempt;
    this.resumedAttempt = undefined;
    return attempt;
  }
}
