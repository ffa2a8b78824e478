import { randomUUID } from 'node:crypto';
import { invalidParameter, SqsError } from './errors';
import { type Input, optionalInteger, optionalString, requiredString } from './input';
import { arnQueueName, type MoveTask, messageKey, type StoredMessage, type StoredQueue } from './model';

/**
 * Dead-letter queue redrive: StartMessageMoveTask, ListMessageMoveTasks and CancelMessageMoveTask.
 *
 * As in AWS, a task runs asynchronously: StartMessageMoveTask returns a handle at once, and the task then
 * moves the DLQ's messages, oldest first, at MaxNumberOfMessagesPerSecond (locally a modest default rate when
 * absent, so RUNNING is observable), while ListMessageMoveTasks shows RUNNING with the moved count growing,
 * then COMPLETED. CancelMessageMoveTask stops a RUNNING task (CANCELLING, then CANCELLED at its next step);
 * what has been moved stays moved. Only one active task per source queue.
 *
 * "All redriven messages are considered new messages with a new messageID and enqueueTime" (and so a fresh
 * receive count and retention period):
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue-redrive.html
 * Messages in flight in the DLQ are not moved; the task completes when no visible message is left to move.
 */

/** What the tasks need from the engine. */
export interface MoveHost {
  queue(name: string): StoredQueue | undefined;
  queueFromArn(arn: string, parameter: string): StoredQueue;
  /** Queues whose redrive policy names this DLQ. */
  sourcesOf(deadLetterArn: string): StoredQueue[];
  expire(queue: StoredQueue, now: number): void;
  /** Wakes long polls on the queue (a message arrived) and persists. */
  changed(queue?: StoredQueue): void;
}

/** Locally, a task without MaxNumberOfMessagesPerSecond moves this many messages a second (AWS: up to 500). */
export const defaultMoveRatePerSecond = 10;

export class MessageMoves {
  private readonly tasks: MoveTask[] = [];
  private readonly timers = new Map<MoveTask, NodeJS.Timeout>();

  constructor(
    private readonly host: MoveHost,
    private readonly defaultRate = defaultMoveRatePerSecond,
  ) {}

  snapshot(): MoveTask[] {
    return this.tasks;
  }

  /** Restores persisted tasks and resumes the ones that were running. */
  restore(tasks: MoveTask[]): void {
    this.close();
    this.tasks.splice(0, this.tasks.length, ...tasks);
    for (const task of this.tasks) {
      if (task.status === 'RUNNING') this.schedule(task);
      else if (task.status === 'CANCELLING') task.status = 'CANCELLED';
    }
  }

  close(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  start(input: Input): Record<string, unknown> {
    const sourceArn = requiredString(input, 'SourceArn');
    const source = this.host.queueFromArn(sourceArn, 'SourceArn');
    const destinationArn = optionalString(input, 'DestinationArn');
    if (destinationArn) this.host.queueFromArn(destinationArn, 'DestinationArn');
    const maxPerSecond = optionalInteger(input, 'MaxNumberOfMessagesPerSecond', 1, 500);
    if (this.host.sourcesOf(sourceArn).length === 0) {
      throw invalidParameter('Source queue must be configured as a Dead Letter Queue.');
    }
    if (
      this.tasks.some(
        (task) => task.sourceArn === sourceArn && (task.status === 'RUNNING' || task.status === 'CANCELLING'),
      )
    ) {
      throw invalidParameter(
        'There is already a task running. Only one active task is allowed for a source queue ARN at a given time.',
      );
    }
    const now = Date.now();
    this.host.expire(source, now);
    const task: MoveTask = {
      taskHandle: Buffer.from(JSON.stringify({ taskId: randomUUID(), sourceArn })).toString('base64'),
      sourceArn,
      ...(destinationArn ? { destinationArn } : {}),
      ...(maxPerSecond !== undefined ? { maxNumberOfMessagesPerSecond: maxPerSecond } : {}),
      status: 'RUNNING',
      approximateNumberOfMessagesMoved: 0,
      approximateNumberOfMessagesToMove: movable(source, now).length,
      startedTimestamp: now,
    };
    this.tasks.unshift(task);
    this.schedule(task);
    this.host.changed();
    return { TaskHandle: task.taskHandle };
  }

  list(input: Input): Record<string, unknown> {
    const sourceArn = requiredString(input, 'SourceArn');
    this.host.queueFromArn(sourceArn, 'SourceArn');
    const maxResults = optionalInteger(input, 'MaxResults', 1, 10) ?? 1;
    const Results = this.tasks
      .filter((task) => task.sourceArn === sourceArn)
      .slice(0, maxResults)
      .map((task) => ({
        // "only populated for tasks that are in RUNNING status"
        ...(task.status === 'RUNNING' ? { TaskHandle: task.taskHandle } : {}),
        Status: task.status,
        SourceArn: task.sourceArn,
        ...(task.destinationArn ? { DestinationArn: task.destinationArn } : {}),
        ...(task.maxNumberOfMessagesPerSecond !== undefined
          ? { MaxNumberOfMessagesPerSecond: task.maxNumberOfMessagesPerSecond }
          : {}),
        ApproximateNumberOfMessagesMoved: task.approximateNumberOfMessagesMoved,
        ApproximateNumberOfMessagesToMove: task.approximateNumberOfMessagesToMove,
        ...(task.failureReason ? { FailureReason: task.failureReason } : {}),
        StartedTimestamp: task.startedTimestamp,
      }));
    return { Results };
  }

  cancel(input: Input): Record<string, unknown> {
    const handle = requiredString(input, 'TaskHandle');
    const task = this.tasks.find((candidate) => candidate.taskHandle === handle);
    if (!task)
      throw new SqsError(
        'ResourceNotFoundException',
        "The resource that you specified for the TaskHandle parameter doesn't exist.",
      );
    if (task.status !== 'RUNNING')
      throw new SqsError('UnsupportedOperation', 'Only active tasks can be cancelled.');
    // No further message moves; the task reads CANCELLING until its next step would have run.
    task.status = 'CANCELLING';
    this.host.changed();
    return { ApproximateNumberOfMessagesMoved: task.approximateNumberOfMessagesMoved };
  }

  private schedule(task: MoveTask): void {
    const rate = task.maxNumberOfMessagesPerSecond ?? this.defaultRate;
    const timer = setTimeout(() => {
      this.timers.delete(task);
      this.step(task);
    }, 1000 / rate);
    timer.unref();
    this.timers.set(task, timer);
  }

  private finish(task: MoveTask, status: MoveTask['status'], failureReason?: string): void {
    task.status = status;
    if (failureReason) task.failureReason = failureReason;
    this.host.changed();
  }

  /** Moves one message (the oldest visible one), then schedules the next step or ends the task. */
  private step(task: MoveTask): void {
    const outcome = this.moveOne(task);
    if (outcome === 'continue') this.schedule(task);
    else if (outcome !== 'idle') this.finish(task, outcome.status, outcome.failureReason);
  }

  private moveOne(
    task: MoveTask,
  ): 'continue' | 'idle' | { status: MoveTask['status']; failureReason?: string } {
    if (task.status === 'CANCELLING') return { status: 'CANCELLED' };
    if (task.status !== 'RUNNING') return 'idle';
    if (task.approximateNumberOfMessagesMoved >= task.approximateNumberOfMessagesToMove) {
      return { status: 'COMPLETED' };
    }
    const source = this.host.queue(arnQueueName(task.sourceArn) ?? '');
    if (!source) return { status: 'FAILED', failureReason: 'The source queue no longer exists.' };
    const now = Date.now();
    this.host.expire(source, now);
    const [message] = movable(source, now);
    if (!message) return { status: 'COMPLETED' };
    const target = this.destination(task, message);
    if (!target) {
      return {
        status: 'FAILED',
        failureReason: `No destination for message ${message.id}: its source queue no longer exists.`,
      };
    }
    source.messages.delete(messageKey(message));
    // Its stale copies (at-least-once delivery) go with it: the move is the service's own receive and delete.
    for (const [key, candidate] of source.messages) {
      if (candidate.copy !== undefined && candidate.id === message.id) source.messages.delete(key);
    }
    const {
      deadLetterSourceArn: _source,
      firstReceiveTimestamp: _first,
      receiptHandle: _handle,
      ...rest
    } = message;
    const moved: StoredMessage = {
      ...rest,
      id: randomUUID(),
      sentTimestamp: now,
      receiveCount: 0,
      visibleAt: now,
      received: false,
    };
    target.messages.set(messageKey(moved), moved);
    task.approximateNumberOfMessagesMoved += 1;
    this.host.changed(target);
    return task.approximateNumberOfMessagesMoved >= task.approximateNumberOfMessagesToMove
      ? { status: 'COMPLETED' }
      : 'continue';
  }

  /**
   * DestinationArn if given; else the queue the message was dead-lettered from, or for a message sent to the
   * DLQ directly, the single queue that uses it as DLQ (if there is exactly one).
   */
  private destination(task: MoveTask, message: StoredMessage): StoredQueue | undefined {
    if (task.destinationArn) return this.host.queue(arnQueueName(task.destinationArn) ?? '');
    if (message.deadLetterSourceArn) return this.host.queue(arnQueueName(message.deadLetterSourceArn) ?? '');
    const sources = this.host.sourcesOf(task.sourceArn);
    return sources.length === 1 ? sources[0] : undefined;
  }
}

/** The messages a task can move now: visible originals (not stale copies), oldest first. */
function movable(queue: StoredQueue, now: number): StoredMessage[] {
  return [...queue.messages.values()].filter(
    (message) => message.copy === undefined && message.visibleAt <= now,
  );
}
