import { randomBytes } from 'node:crypto';
import { localAccountId, queueArn } from '../protocol/identity';
import { DeliveryModel, type DeliveryOptions, resolveDelivery } from './delivery';
import { invalidParameter, queueDoesNotExist, SqsError } from './errors';
import {
  batchEntries,
  type Input,
  optionalInteger,
  optionalStringList,
  requiredInteger,
  requiredString,
  runBatch,
} from './input';
import { MessageMoves } from './message-moves';
import { buildMessage, renderMessage, sendResult } from './messages';
import {
  arnQueueName,
  decodeReceiptHandle,
  defaultAttributes,
  type EngineSnapshot,
  encodeReceiptHandle,
  type MoveTask,
  maximumMessageBytes,
  messageKey,
  type QueueAttributes,
  type StoredMessage,
  type StoredQueue,
} from './model';
import { type QueueRegistry, queueOperations } from './queue-operations';

export type { EngineSnapshot, MoveTask, QueueAttributes, StoredMessage, StoredQueue };

/**
 * The queues and their messages, independent of HTTP: one method per SQS operation taking the JSON
 * request members and returning the JSON response members. Time is wall-clock milliseconds throughout
 * (persisted state stays meaningful across restarts). How messages are handed out (exact, or at least once
 * like AWS) is the DeliveryModel's; dead-letter redrive is MessageMoves'.
 */

/** A message redrive moved to its dead-letter queue: someone should look at it. */
export interface DeadLetterEvent {
  readonly queue: string;
  readonly deadLetterQueue: string;
  readonly messageId: string;
  readonly receiveCount: number;
}

export class SqsEngine {
  private readonly queues = new Map<string, StoredQueue>();
  /** Long polls waiting on a queue; woken by anything that can make a message receivable. */
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly allWaiters = new Set<() => void>();
  private closed = false;
  readonly delivery: DeliveryModel;
  private readonly moves: MessageMoves;
  private readonly queueOps = queueOperations(this.registry());
  private readonly onDeadLetter: (event: DeadLetterEvent) => void;

  constructor(
    private readonly queueUrlOf: (name: string) => string,
    private readonly onChange: () => void = () => {},
    options: {
      delivery?: DeliveryOptions;
      moveRatePerSecond?: number;
      onDeadLetter?: (event: DeadLetterEvent) => void;
    } = {},
  ) {
    this.onDeadLetter = options.onDeadLetter ?? (() => {});
    this.delivery = new DeliveryModel(resolveDelivery(options.delivery));
    this.moves = new MessageMoves(
      {
        queue: (name) => this.queues.get(name),
        queueFromArn: (arn, parameter) => this.queueFromArn(arn, parameter),
        sourcesOf: (deadLetterArn) =>
          [...this.queues.values()].filter(
            (queue) => queue.attributes.RedrivePolicy?.deadLetterTargetArn === deadLetterArn,
          ),
        expire: (queue, now) => this.expire(queue, now),
        changed: (queue) => this.changed(queue),
      },
      options.moveRatePerSecond,
    );
  }

  // ---------------------------------------------------------------- state

  snapshot(): EngineSnapshot {
    return {
      version: 1,
      queues: [...this.queues.values()].map((queue) => ({
        ...queue,
        messages: [...queue.messages.values()],
      })),
      moveTasks: this.moves.snapshot(),
    };
  }

  restore(snapshot: EngineSnapshot): void {
    this.queues.clear();
    for (const queue of snapshot.queues) {
      this.queues.set(queue.name, {
        ...queue,
        messages: new Map(queue.messages.map((message) => [messageKey(message), message])),
      });
    }
    this.moves.restore(snapshot.moveTasks);
  }

  hasQueue(name: string): boolean {
    return this.queues.has(name);
  }

  /**
   * Creates or reconfigures a queue from the system definition. Unlike CreateQueue this skips AWS's
   * lower bounds (so tests can use e.g. a 2 s retention) and makes the definition win over persisted settings.
   */
  defineQueue(name: string, attributes: Partial<QueueAttributes>): void {
    const now = Date.now();
    const existing = this.queues.get(name);
    if (existing) {
      existing.attributes = { ...existing.attributes, ...attributes };
      if (!('RedrivePolicy' in attributes)) delete existing.attributes.RedrivePolicy;
      return;
    }
    this.queues.set(name, {
      name,
      createdTimestamp: now,
      lastModifiedTimestamp: now,
      attributes: { ...defaultAttributes, ...attributes },
      tags: {},
      messages: new Map(),
    });
  }

  /** Ends every pending long poll (with no messages) so the HTTP server can close. */
  close(): void {
    this.closed = true;
    this.moves.close();
    for (const wake of [...this.allWaiters]) wake();
  }

  // ---------------------------------------------------------------- dispatch

  async handle(operation: string, input: Input, signal: AbortSignal): Promise<Record<string, unknown>> {
    switch (operation) {
      case 'CreateQueue':
        return this.queueOps.CreateQueue(input);
      case 'GetQueueUrl':
        return this.queueOps.GetQueueUrl(input);
      case 'ListQueues':
        return this.queueOps.ListQueues(input);
      case 'DeleteQueue':
        return this.queueOps.DeleteQueue(input);
      case 'PurgeQueue':
        return this.queueOps.PurgeQueue(input);
      case 'GetQueueAttributes':
        return this.queueOps.GetQueueAttributes(input);
      case 'SetQueueAttributes':
        return this.queueOps.SetQueueAttributes(input);
      case 'TagQueue':
        return this.queueOps.TagQueue(input);
      case 'UntagQueue':
        return this.queueOps.UntagQueue(input);
      case 'ListQueueTags':
        return this.queueOps.ListQueueTags(input);
      case 'ListDeadLetterSourceQueues':
        return this.queueOps.ListDeadLetterSourceQueues(input);
      case 'SendMessage':
        return this.sendMessage(input);
      case 'SendMessageBatch':
        return this.sendMessageBatch(input);
      case 'ReceiveMessage':
        return this.receiveMessage(input, signal);
      case 'DeleteMessage':
        return this.deleteMessage(input);
      case 'DeleteMessageBatch':
        this.queueFromUrl(input);
        return runBatch(batchEntries(input), (entry) => this.deleteOne(input, entry));
      case 'ChangeMessageVisibility':
        return this.changeMessageVisibility(input);
      case 'ChangeMessageVisibilityBatch':
        this.queueFromUrl(input);
        return runBatch(batchEntries(input), (entry) => this.changeVisibilityOne(input, entry));
      case 'StartMessageMoveTask':
        return this.moves.start(input);
      case 'ListMessageMoveTasks':
        return this.moves.list(input);
      case 'CancelMessageMoveTask':
        return this.moves.cancel(input);
      default:
        throw new SqsError(
          'UnknownOperationException',
          `The action ${operation} is not valid for this web service.`,
        );
    }
  }

  // ---------------------------------------------------------------- helpers

  private registry(): QueueRegistry {
    return {
      queues: this.queues,
      queueUrlOf: (name) => this.queueUrlOf(name),
      queueFromUrl: (input) => this.queueFromUrl(input),
      counts: (queue, now) => this.counts(queue, now),
      changed: (queue) => this.changed(queue),
    };
  }

  private changed(queue?: StoredQueue): void {
    if (queue) this.wake(queue.name);
    this.onChange();
  }

  private wake(name: string): void {
    const set = this.waiters.get(name);
    if (!set) return;
    this.waiters.delete(name);
    for (const wake of set) wake();
  }

  private queueFromUrl(input: Input): StoredQueue {
    const url = requiredString(input, 'QueueUrl');
    // Only the path matters: clients may reach us as localhost, 127.0.0.1 or a container name.
    let path: string;
    try {
      path = new URL(url).pathname;
    } catch {
      path = url;
    }
    const segments = path.split('/').filter(Boolean);
    const name = segments.at(-1);
    const account = segments.at(-2);
    const queue = name ? this.queues.get(name) : undefined;
    if (!queue || (account !== undefined && account !== localAccountId)) throw queueDoesNotExist();
    return queue;
  }

  private queueFromArn(arn: string, parameter: string): StoredQueue {
    const name = arnQueueName(arn);
    if (!name)
      throw invalidParameter(`Value ${arn} for parameter ${parameter} is invalid. Reason: not an SQS ARN.`);
    const queue = this.queues.get(name);
    if (!queue)
      throw new SqsError(
        'ResourceNotFoundException',
        `The resource that you specified for the ${parameter} parameter doesn't exist.`,
      );
    return queue;
  }

  /** Drops messages older than the retention period (AWS deletes them silently, whatever their state). */
  private expire(queue: StoredQueue, now: number): void {
    const cutoff = now - queue.attributes.MessageRetentionPeriod * 1000;
    for (const [id, message] of queue.messages) {
      if (message.sentTimestamp <= cutoff) queue.messages.delete(id);
    }
  }

  private counts(queue: StoredQueue, now: number): { visible: number; inFlight: number; delayed: number } {
    this.expire(queue, now);
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const message of queue.messages.values()) {
      // Stale copies are the at-least-once model's hidden duplicates: AWS does not count them either.
      if (message.copy !== undefined) continue;
      if (message.visibleAt <= now) visible++;
      else if (message.received) inFlight++;
      else delayed++;
    }
    return { visible, inFlight, delayed };
  }

  // ---------------------------------------------------------------- message operations

  private sendMessage(input: Input): Record<string, unknown> {
    const queue = this.queueFromUrl(input);
    const message = buildMessage(queue, input, Date.now());
    queue.messages.set(message.id, message);
    this.changed(queue);
    return sendResult(message);
  }

  private sendMessageBatch(input: Input): Record<string, unknown> {
    const queue = this.queueFromUrl(input);
    const entries = batchEntries(input);
    const total = entries.reduce(
      (sum, entry) =>
        sum + (typeof entry.MessageBody === 'string' ? Buffer.byteLength(entry.MessageBody) : 0),
      0,
    );
    // The batch limit is SQS's own (1 MiB), whatever the queue's MaximumMessageSize.
    if (total > maximumMessageBytes) {
      throw new SqsError(
        'BatchRequestTooLong',
        `Batch requests cannot be longer than ${maximumMessageBytes} bytes. You have sent ${total} bytes.`,
      );
    }
    const now = Date.now();
    const result = runBatch(entries, (entry) => {
      const message = buildMessage(queue, entry, now);
      queue.messages.set(message.id, message);
      return sendResult(message);
    });
    this.changed(queue);
    return result;
  }

  /**
   * Takes up to `max` receivable messages, in the order the delivery model picks. A message whose next
   * receive would exceed the queue's maxReceiveCount is moved to the dead-letter queue instead of being
   * delivered (AWS semantics). At least once, a delivered message may leave a stale copy behind.
   */
  private take(queue: StoredQueue, max: number, visibilityTimeout: number, now: number): StoredMessage[] {
    this.expire(queue, now);
    const policy = queue.attributes.RedrivePolicy;
    const deadLetterQueue = policy
      ? this.queues.get(arnQueueName(policy.deadLetterTargetArn) ?? '')
      : undefined;
    const taken: StoredMessage[] = [];
    const takenIds = new Set<string>();
    for (const [key, message] of this.delivery.order(queue.name, [...queue.messages])) {
      if (taken.length >= max) break;
      if (message.visibleAt > now) continue;
      // One response never holds two copies of a message.
      if (takenIds.has(message.id)) continue;
      if (
        policy &&
        deadLetterQueue &&
        deadLetterQueue !== queue &&
        message.receiveCount >= policy.maxReceiveCount
      ) {
        queue.messages.delete(key);
        // A stale copy is not dead-lettered twice over: the original carries the message's fate.
        if (message.copy !== undefined) continue;
        // The message keeps its id, body, SentTimestamp (retention counts from the original send) and receive count.
        deadLetterQueue.messages.set(message.id, {
          ...message,
          deadLetterSourceArn: queueArn(queue.name),
          visibleAt: now,
          received: false,
          receiptHandle: undefined,
        });
        this.wake(deadLetterQueue.name);
        this.onDeadLetter({
          queue: queue.name,
          deadLetterQueue: deadLetterQueue.name,
          messageId: message.id,
          receiveCount: message.receiveCount,
        });
        continue;
      }
      message.receiveCount += 1;
      message.firstReceiveTimestamp ??= now;
      message.visibleAt = now + visibilityTimeout * 1000;
      message.received = true;
      message.receiptHandle = encodeReceiptHandle(queue.name, key);
      taken.push(message);
      takenIds.add(message.id);
      const staleCopyDelay =
        message.copy === undefined ? this.delivery.staleCopyDelay(queue.name) : undefined;
      if (staleCopyDelay !== undefined) {
        const copy: StoredMessage = {
          ...message,
          copy: randomBytes(6).toString('hex'),
          visibleAt: now + staleCopyDelay,
          received: false,
          receiptHandle: undefined,
        };
        queue.messages.set(messageKey(copy), copy);
      }
    }
    return taken;
  }

  private waitForChange(queue: StoredQueue, deadline: number, signal: AbortSignal): Promise<void> {
    const now = Date.now();
    let until = deadline;
    for (const message of queue.messages.values()) {
      if (message.visibleAt > now && message.visibleAt < until) until = message.visibleAt;
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.get(queue.name)?.delete(done);
        this.allWaiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      // +2 ms: timers may fire a hair before Date.now() reaches the visibility deadline.
      const timer = setTimeout(done, Math.max(0, until - now) + 2);
      let set = this.waiters.get(queue.name);
      if (!set) {
        set = new Set();
        this.waiters.set(queue.name, set);
      }
      set.add(done);
      this.allWaiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private async receiveMessage(input: Input, signal: AbortSignal): Promise<Record<string, unknown>> {
    let queue = this.queueFromUrl(input);
    const max = optionalInteger(input, 'MaxNumberOfMessages', 1, 10) ?? 1;
    const visibilityTimeout = optionalInteger(input, 'VisibilityTimeout', 0, 43_200);
    const waitSeconds =
      optionalInteger(input, 'WaitTimeSeconds', 0, 20) ?? queue.attributes.ReceiveMessageWaitTimeSeconds;
    const systemNames = new Set([
      ...(optionalStringList(input, 'AttributeNames') ?? []),
      ...(optionalStringList(input, 'MessageSystemAttributeNames') ?? []),
    ]);
    const attributeNames = optionalStringList(input, 'MessageAttributeNames') ?? [];
    const deadline = Date.now() + waitSeconds * 1000;
    for (;;) {
      // An aborted long poll (client gone) must not take messages: they would be invisible for nobody.
      if (signal.aborted || this.closed) return {};
      const now = Date.now();
      // A short poll samples a subset of the servers; at least once, it may find none holding a message.
      if (waitSeconds === 0 && this.delivery.emptyShortPoll(queue.name)) return {};
      const taken = this.take(queue, max, visibilityTimeout ?? queue.attributes.VisibilityTimeout, now);
      if (taken.length > 0) {
        this.onChange();
        return { Messages: taken.map((message) => renderMessage(message, systemNames, attributeNames)) };
      }
      if (now >= deadline) return {};
      await this.waitForChange(queue, deadline, signal);
      const current = this.queues.get(queue.name);
      if (!current) return {};
      queue = current;
    }
  }

  /**
   * Resolves a receipt handle. Returns undefined when the message is already gone, or the handle is not the
   * latest one for the message: AWS documents that deleting with such a handle "succeeds, but the message
   * might not be deleted", and that is what we do (it surfaces double processing instead of hiding it).
   */
  private messageForHandle(queue: StoredQueue, handle: string): StoredMessage | undefined {
    const decoded = decodeReceiptHandle(handle);
    if (decoded.queue !== queue.name) {
      throw new SqsError(
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${handle}" is not a valid for this queue.`,
      );
    }
    const message = queue.messages.get(decoded.key);
    return message && message.receiptHandle === handle ? message : undefined;
  }

  private deleteOne(input: Input, entry: Input): Record<string, unknown> {
    const queue = this.queueFromUrl(input);
    const message = this.messageForHandle(queue, requiredString(entry, 'ReceiptHandle'));
    if (message) {
      queue.messages.delete(messageKey(message));
      this.changed();
    }
    return {};
  }

  private deleteMessage(input: Input): Record<string, unknown> {
    return this.deleteOne(input, input);
  }

  private changeVisibilityOne(input: Input, entry: Input): Record<string, unknown> {
    const queue = this.queueFromUrl(input);
    const handle = requiredString(entry, 'ReceiptHandle');
    const timeout = requiredInteger(entry, 'VisibilityTimeout', 0, 43_200);
    const message = this.messageForHandle(queue, handle);
    if (!message) {
      throw new SqsError(
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${handle}" is not a valid receipt handle.`,
      );
    }
    const now = Date.now();
    if (message.visibleAt <= now)
      throw new SqsError('MessageNotInflight', 'The message referred to is not in flight.');
    // The new timeout counts from now, not from the receive (AWS semantics).
    message.visibleAt = now + timeout * 1000;
    this.changed(queue);
    return {};
  }

  private changeMessageVisibility(input: Input): Record<string, unknown> {
    return this.changeVisibilityOne(input, input);
  }
}
