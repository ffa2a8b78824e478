import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { StatesError } from './asl/errors';
import type { TaskOutcome } from './asl/progress';
import type { Json } from './asl/types';

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
 * Where the broker records what callers told it, before it answers them: AWS's 200 to SendTaskSuccess means
 * the answer will not be lost, whatever happens to the service afterwards.
 */
export interface CallbackJournal {
  answered(executionArn: string, token: string, answer: TaskOutcome): void;
  heartbeat(executionArn: string, token: string, at: number): void;
}

/**
 * Task tokens for `.waitForTaskToken` states. Like AWS's, a token describes its task and is signed, so the
 * service can tell a token it never issued (InvalidToken) from one whose task is over (TaskTimedOut: AWS
 * answers "Provided task does not exist anymore" for answered, timed-out or closed tasks) without
 * remembering every token ever issued.
 */
export class TokenBroker {
  private readonly pending = new Map<string, PendingTask>();

  constructor(
    private readonly secret: Buffer = randomBytes(32),
    private readonly journal?: CallbackJournal,
  ) {}

  /**
   * A token is live from the moment it exists, as in AWS: the resource that publishes it (a DynamoDB write,
   * a Lambda) may make it visible to a caller who answers before the task starts waiting.
   */
  create(executionArn: string, stateName: string): string {
    const body = Buffer.from(
      JSON.stringify({ e: executionArn, s: stateName, n: randomBytes(12).toString('hex') }),
    ).toString('base64url');
    const token = `${body}.${this.sign(body)}`;
    this.register(executionArn, token);
    return token;
  }

  /**
   * After a restart: a token issued before it is live again, for the task that carries on waiting; with
   * `answer` when the caller's answer was recorded before the restart (a second answer is then refused).
   */
  restore(executionArn: string, token: string, answer?: TaskOutcome): void {
    const task = this.register(executionArn, token);
    if (!answer) return;
    task.answered = true;
    if ('result' in answer) task.resolve(answer.result);
    else task.reject(StatesError.fromRecorded(answer.error));
  }

  private register(executionArn: string, token: string): PendingTask {
    let resolve!: (output: unknown) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<unknown>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // An early answer (or a cancellation before anyone waits) must not surface as an unhandled rejection.
    promise.catch(() => undefined);
    const task: PendingTask = {
      executionArn,
      promise,
      resolve,
      reject,
      answered: false,
      onHeartbeat: () => {},
    };
    this.pending.set(token, task);
    return task;
  }

  /** The callback's outcome: settles on SendTaskSuccess/SendTaskFailure (possibly already), `expire` or `cancelExecution`. */
  wait(token: string, onHeartbeat: () => void): Promise<unknown> {
    const task = this.pending.get(token);
    if (!task) return Promise.reject(new StatesError('States.Runtime', 'Task token is no longer valid'));
    task.onHeartbeat = onHeartbeat;
    return task.promise;
  }

  succeed(token: string, output: Json): void {
    this.answer(token, { result: output }).resolve(output);
  }

  fail(token: string, error: string | undefined, cause: string | undefined): void {
    const reported = StatesError.reported(error, cause);
    this.answer(token, { error: reported.recorded }).reject(reported);
  }

  heartbeat(token: string): void {
    const task = this.live(token);
    this.journal?.heartbeat(task.executionArn, token, Date.now());
    task.onHeartbeat();
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

  /**
   * A token answers once; its settled promise stays reachable for a `wait` that has not started yet. The
   * answer is recorded before the caller hears back.
   */
  private answer(token: string, answer: TaskOutcome): PendingTask {
    const task = this.live(token);
    if (task.answered)
      throw new TokenError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    task.answered = true;
    this.journal?.answered(task.executionArn, token, answer);
    return task;
  }
}
