import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { StatesError } from './asl/errors';

interface PendingTask {
  executionArn: string;
  promise: Promise<unknown>;
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
  answered: boolean;
  /** Called on SendTaskHeartbeat so the waiting task can restart its heartbeat timer. */
  onHeartbeat: () => void;
}

export class TokenError extends Error {
  constructor(
    readonly shape: 'InvalidToken' | 'TaskTimedOut',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Task tokens for `.waitForTaskToken` states. Like AWS's, a token describes its task and is signed, so the
 * service can tell a token it never issued (InvalidToken) from one whose task is over (TaskTimedOut: AWS
 * answers "Provided task does not exist anymore" for answered, timed-out or closed tasks) without
 * remembering every token ever issued.
 */
export class TokenBroker {
  private readonly pending = new Map<string, PendingTask>();

  constructor(private readonly secret: Buffer = randomBytes(32)) {}

  /**
   * A token is live from the moment it exists, as in AWS: the resource that publishes it (a DynamoDB write,
   * a Lambda) may make it visible to a caller who answers before the task starts waiting.
   */
  create(executionArn: string, stateName: string): string {
    const body = Buffer.from(
      JSON.stringify({ e: executionArn, s: stateName, n: randomBytes(12).toString('hex') }),
    ).toString('base64url');
    const token = `${body}.${this.sign(body)}`;
    let resolve!: (output: unknown) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<unknown>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // An early answer (or a cancellation before anyone waits) must not surface as an unhandled rejection.
    promise.catch(() => undefined);
    this.pending.set(token, {
      executionArn,
      promise,
      resolve,
      reject,
      answered: false,
      onHeartbeat: () => {},
    });
    return token;
  }

  /** The callback's outcome: settles on SendTaskSuccess/SendTaskFailure (possibly already), `expire` or `cancelExecution`. */
  wait(token: string, onHeartbeat: () => void): Promise<unknown> {
    const task = this.pending.get(token);
    if (!task) return Promise.reject(new StatesError('States.Runtime', 'Task token is no longer valid'));
    task.onHeartbeat = onHeartbeat;
    return task.promise;
  }

  succeed(token: string, output: unknown): void {
    this.answer(token).resolve(output);
  }

  fail(token: string, error: string | undefined, cause: string | undefined): void {
    this.answer(token).reject(StatesError.reported(error, cause));
  }

  heartbeat(token: string): void {
    this.live(token).onHeartbeat();
  }

  /** The task timed out: its wait rejects with `error`; late callbacks get TaskTimedOut like AWS. */
  expire(token: string, error: Error): void {
    const task = this.pending.get(token);
    this.pending.delete(token);
    task?.reject(error);
  }

  /** Forgets a token whose task ended another way. */
  discard(token: string): void {
    this.pending.delete(token);
  }

  /** The execution stopped: every wait of it ends. */
  cancelExecution(executionArn: string): void {
    for (const [token, task] of this.pending) {
      if (task.executionArn !== executionArn) continue;
      this.pending.delete(token);
      task.reject(new StatesError('States.Runtime', 'Execution is no longer running'));
    }
  }

  private sign(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }

  /** The pending task of a token this service issued, or the error AWS answers. */
  private live(token: string): PendingTask {
    const [body = '', signature = ''] = token.split('.');
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(signature);
    if (
      token.split('.').length !== 2 ||
      given.length !== expected.length ||
      !timingSafeEqual(given, expected)
    )
      throw new TokenError('InvalidToken', 'Invalid Token');
    const task = this.pending.get(token);
    if (!task) throw new TokenError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    return task;
  }

  /** A token answers once; its settled promise stays reachable for a `wait` that has not started yet. */
  private answer(token: string): PendingTask {
    const task = this.live(token);
    if (task.answered)
      throw new TokenError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    task.answered = true;
    return task;
  }
}
