import { StatesError } from './asl/errors';

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

  /** The faults still armed, with the attempts they will still fail. */
  list(): { stateMachine: string; state: string; error: string; remaining: number; phase: FaultPhase }[] {
    return [...this.faults].map(([key, fault]) => {
      const [stateMachine = '', state = ''] = key.split('\u0000');
      return { stateMachine, state, error: fault.error, remaining: fault.remaining, phase: fault.phase };
    });
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
