import { randomBytes, randomUUID } from 'node:crypto';
import { localAccountId, queueArn } from '../protocol/identity';
import { DeliveryModel, type DeliveryOptions, resolveDelivery } from './delivery';
import { invalidParameter, missingParameter, queueDoesNotExist, SqsError } from './errors';
import {
  batchEntries,
  type Input,
  isRecord,
  optionalInteger,
  optionalString,
  optionalStringList,
  optionalStringMap,
  requiredInteger,
  requiredString,
} from './input';
import { md5Hex, md5OfMessageAttributes, type StoredAttributeValue } from './md5';
import { MessageMoves } from './message-moves';
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

export type { EngineSnapshot, MoveTask, QueueAttributes, StoredMessage, StoredQueue };

/**
 * The queues and their messages, independent of HTTP: one method per SQS operation taking the JSON
 * request members and returning the JSON response members. Time is wall-clock milliseconds throughout
 * (persisted state stays meaningful across restarts). How messages are handed out (exact, or at least once
 * like AWS) is the DeliveryModel's; dead-letter redrive is MessageMoves'.
 */

/** AWS's documented bounds for each settable numeric attribute. */
const numericBounds: Record<string, [number, number]> = {
  VisibilityTimeout: [0, 43_200],
  MessageRetentionPeriod: [60, 1_209_600],
  DelaySeconds: [0, 900],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  // AWS raised the maximum message size to 1 MiB (2025); older queues default to 256 KiB.
  MaximumMessageSize: [1_024, 1_048_576],
};

const readOnlyAttributes = new Set([
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
  'SqsManagedSseEnabled',
]);
const ignoredSettableAttributes = new Set([
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
]);
const gettableAttributes = [
  'Policy',
  'VisibilityTimeout',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
  'ApproximateNumberOfMessagesDelayed',
  'DelaySeconds',
  'ReceiveMessageWaitTimeSeconds',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'SqsManagedSseEnabled',
] as const;

const messageSystemAttributeNames = [
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
] as const;

/** SQS accepts exactly the XML 1.0 character set in bodies and string attribute values. */
const invalidCharacter = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

const queueNamePattern = /^[A-Za-z0-9_-]{1,80}$/;

export class SqsEngine {
  private readonly queues = new Map<string, StoredQueue>();
  /** Long polls waiting on a queue; woken by anything that can make a message receivable. */
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly allWaiters = new Set<() => void>();
  private closed = false;
  readonly delivery: DeliveryModel;
  private readonly moves: MessageMoves;

  constructor(
    private readonly queueUrlOf: (name: string) => string,
    private readonly onChange: () => void = () => {},
    options: { delivery?: DeliveryOptions; moveRatePerSecond?: number } = {},
  ) {
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
        return this.createQueue(input);
      case 'GetQueueUrl':
        return this.getQueueUrl(input);
      case 'ListQueues':
        return this.listQueues(input);
      case 'DeleteQueue':
        return this.deleteQueue(input);
      case 'PurgeQueue':
        return this.purgeQueue(input);
      case 'GetQueueAttributes':
        return this.getQueueAttributes(input);
      case 'SetQueueAttributes':
        return this.setQueueAttributes(input);
      case 'TagQueue':
        return this.tagQueue(input);
      case 'UntagQueue':
        return this.untagQueue(input);
      case 'ListQueueTags':
        return this.listQueueTags(input);
      case 'ListDeadLetterSourceQueues':
        return this.listDeadLetterSourceQueues(input);
      case 'SendMessage':
        return this.sendMessage(input);
      case 'SendMessageBatch':
        return this.sendMessageBatch(input);
      case 'ReceiveMessage':
        return this.receiveMessage(input, signal);
      case 'DeleteMessage':
        return this.deleteMessage(input);
      case 'DeleteMessageBatch':
        return this.batch(input, (entry) => this.deleteOne(input, entry), true);
      case 'ChangeMessageVisibility':
        return this.changeMessageVisibility(input);
      case 'ChangeMessageVisibilityBatch':
        return this.batch(input, (entry) => this.changeVisibilityOne(input, entry), true);
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

  /** Parses and validates attribute strings (CreateQueue / SetQueueAttributes) into typed settings. */
  private parseAttributes(raw: Record<string, string>): Partial<QueueAttributes> {
    const parsed: Partial<QueueAttributes> = {};
    for (const [name, value] of Object.entries(raw)) {
      const bounds = numericBounds[name];
      if (bounds) {
        const number = Number(value);
        if (value.trim() === '' || !Number.isInteger(number) || number < bounds[0] || number > bounds[1]) {
          throw new SqsError('InvalidAttributeValue', `Invalid value for the parameter ${name}.`);
        }
        (parsed as Record<string, number>)[name] = number;
      } else if (name === 'RedrivePolicy') {
        parsed.RedrivePolicy = value === '' ? undefined : this.parseRedrivePolicy(value);
      } else if (name === 'RedriveAllowPolicy' || name === 'Policy') {
        if (value !== '') {
          try {
            JSON.parse(value);
          } catch {
            throw new SqsError('InvalidAttributeValue', `Invalid value for the parameter ${name}.`);
          }
        }
        parsed[name] = value === '' ? undefined : value;
      } else if (name === 'FifoQueue' || name === 'ContentBasedDeduplication') {
        if (value === 'true') {
          throw new SqsError(
            'UnsupportedOperation',
            'FIFO queues are not supported by the local SQS service.',
          );
        }
      } else if (ignoredSettableAttributes.has(name)) {
        // Encryption settings have no local meaning; accepted so infrastructure-shaped calls keep working.
      } else {
        throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
      }
    }
    return parsed;
  }

  private parseRedrivePolicy(value: string): { deadLetterTargetArn: string; maxReceiveCount: number } {
    const invalid = (reason: string) =>
      new SqsError(
        'InvalidAttributeValue',
        `Value ${value} for parameter RedrivePolicy is invalid. Reason: ${reason}`,
      );
    let policy: unknown;
    try {
      policy = JSON.parse(value);
    } catch {
      throw invalid('Redrive policy is not a valid JSON map.');
    }
    if (!isRecord(policy) || typeof policy.deadLetterTargetArn !== 'string') {
      throw invalid('Redrive policy does not contain mandatory attribute: deadLetterTargetArn.');
    }
    const maxReceiveCount = Number(policy.maxReceiveCount);
    if (
      policy.maxReceiveCount === undefined ||
      !Number.isInteger(maxReceiveCount) ||
      maxReceiveCount < 1 ||
      maxReceiveCount > 1000
    ) {
      throw invalid('Invalid value for maxReceiveCount: must be an integer between 1 and 1000.');
    }
    const target = arnQueueName(policy.deadLetterTargetArn);
    if (!target || !this.queues.has(target)) throw invalid('Dead letter target does not exist.');
    return { deadLetterTargetArn: policy.deadLetterTargetArn, maxReceiveCount };
  }

  private attributeString(
    queue: StoredQueue,
    name: (typeof gettableAttributes)[number],
    now: number,
  ): string | undefined {
    const a = queue.attributes;
    switch (name) {
      case 'ApproximateNumberOfMessages':
        return String(this.counts(queue, now).visible);
      case 'ApproximateNumberOfMessagesNotVisible':
        return String(this.counts(queue, now).inFlight);
      case 'ApproximateNumberOfMessagesDelayed':
        return String(this.counts(queue, now).delayed);
      case 'CreatedTimestamp':
        return String(Math.floor(queue.createdTimestamp / 1000));
      case 'LastModifiedTimestamp':
        return String(Math.floor(queue.lastModifiedTimestamp / 1000));
      case 'QueueArn':
        return queueArn(queue.name);
      case 'SqsManagedSseEnabled':
        return 'false';
      case 'RedrivePolicy':
        return a.RedrivePolicy ? JSON.stringify(a.RedrivePolicy) : undefined;
      case 'RedriveAllowPolicy':
      case 'Policy':
        return a[name];
      default:
        return String(a[name]);
    }
  }

  private validateMessageAttributes(raw: unknown): Record<string, StoredAttributeValue> {
    if (raw === undefined || raw === null) return {};
    if (!isRecord(raw))
      throw invalidParameter('Value for parameter MessageAttributes is invalid. Reason: must be a map.');
    const entries = Object.entries(raw);
    if (entries.length > 10) {
      throw invalidParameter(
        `Number of message attributes [${entries.length}] exceeds the allowed maximum [10].`,
      );
    }
    const result: Record<string, StoredAttributeValue> = {};
    for (const [name, value] of entries) {
      if (
        !/^[A-Za-z0-9_.-]{1,256}$/.test(name) ||
        name.startsWith('.') ||
        name.endsWith('.') ||
        name.includes('..') ||
        /^(aws|amazon)\./i.test(name)
      ) {
        throw invalidParameter(`Message attribute name '${name}' is invalid.`);
      }
      if (!isRecord(value))
        throw invalidParameter(`The message attribute '${name}' must contain a non-empty value.`);
      const dataType = value.DataType;
      if (typeof dataType !== 'string' || dataType === '') {
        throw invalidParameter(
          `The message attribute '${name}' must contain a non-empty message attribute type.`,
        );
      }
      const baseType = dataType.split('.')[0];
      if (baseType === 'Binary') {
        if (typeof value.BinaryValue !== 'string' || value.BinaryValue === '') {
          throw invalidParameter(
            `The message attribute '${name}' with type 'Binary' must use field 'Binary'.`,
          );
        }
        result[name] = { DataType: dataType, BinaryValue: value.BinaryValue };
      } else if (baseType === 'String' || baseType === 'Number') {
        if (typeof value.StringValue !== 'string' || value.StringValue === '') {
          throw invalidParameter(
            `The message attribute '${name}' with type '${baseType}' must use field 'String'.`,
          );
        }
        if (baseType === 'Number' && !Number.isFinite(Number(value.StringValue))) {
          throw invalidParameter(`Can't cast the value of message (user) attribute '${name}' to a number.`);
        }
        if (invalidCharacter.test(value.StringValue)) {
          throw new SqsError(
            'InvalidMessageContents',
            `Invalid characters found in message attribute '${name}'.`,
          );
        }
        result[name] = { DataType: dataType, StringValue: value.StringValue };
      } else {
        throw invalidParameter(
          `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
        );
      }
    }
    return result;
  }

  /** Validates one message and builds it, but does not enqueue it (SendMessageBatch validates per entry). */
  private buildMessage(queue: StoredQueue, entry: Input, now: number): StoredMessage {
    const body = entry.MessageBody;
    if (body === undefined || body === null || body === '') throw missingParameter('MessageBody');
    if (typeof body !== 'string')
      throw invalidParameter('Value for parameter MessageBody is invalid. Reason: must be a string.');
    if (invalidCharacter.test(body)) {
      throw new SqsError(
        'InvalidMessageContents',
        'Invalid binary character in message body. Valid characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.',
      );
    }
    const delaySeconds = optionalInteger(entry, 'DelaySeconds', 0, 900) ?? queue.attributes.DelaySeconds;
    for (const forbidden of ['MessageGroupId', 'MessageDeduplicationId'] as const) {
      if (entry[forbidden] !== undefined) {
        throw invalidParameter(
          `The request include parameter that is not valid for this queue type. Reason: ${forbidden} is only for FIFO queues.`,
        );
      }
    }
    const messageAttributes = this.validateMessageAttributes(entry.MessageAttributes);
    const system = entry.MessageSystemAttributes;
    let awsTraceHeader: string | undefined;
    if (isRecord(system)) {
      for (const [name, value] of Object.entries(system)) {
        if (name !== 'AWSTraceHeader' || !isRecord(value) || typeof value.StringValue !== 'string') {
          throw invalidParameter(`Message system attribute name '${name}' is invalid.`);
        }
        awsTraceHeader = value.StringValue;
      }
    }
    let size = Buffer.byteLength(body, 'utf8');
    for (const [name, value] of Object.entries(messageAttributes)) {
      size += Buffer.byteLength(name) + Buffer.byteLength(value.DataType);
      size +=
        value.BinaryValue !== undefined
          ? Buffer.from(value.BinaryValue, 'base64').length
          : Buffer.byteLength(value.StringValue ?? '');
    }
    if (size > queue.attributes.MaximumMessageSize) {
      throw invalidParameter(
        `One or more parameters are invalid. Reason: Message must be shorter than ${queue.attributes.MaximumMessageSize} bytes.`,
      );
    }
    const md5Attributes = md5OfMessageAttributes(messageAttributes);
    return {
      id: randomUUID(),
      body,
      md5OfBody: md5Hex(body),
      messageAttributes,
      ...(md5Attributes ? { md5OfMessageAttributes: md5Attributes } : {}),
      ...(awsTraceHeader !== undefined ? { awsTraceHeader } : {}),
      sentTimestamp: now,
      receiveCount: 0,
      visibleAt: now + delaySeconds * 1000,
      received: false,
    };
  }

  private static sendResult(message: StoredMessage): Record<string, unknown> {
    return {
      MessageId: message.id,
      MD5OfMessageBody: message.md5OfBody,
      ...(message.md5OfMessageAttributes ? { MD5OfMessageAttributes: message.md5OfMessageAttributes } : {}),
    };
  }

  /** Runs one action per batch entry; an SqsError fails only its entry, as in AWS's partial batch results. */
  private batch(
    input: Input,
    run: (entry: Input & { Id: string }) => Record<string, unknown>,
    anyQueueCheck = false,
  ): Record<string, unknown> {
    if (anyQueueCheck) this.queueFromUrl(input);
    const entries = batchEntries(input);
    const Successful: Record<string, unknown>[] = [];
    const Failed: Record<string, unknown>[] = [];
    for (const entry of entries) {
      try {
        Successful.push({ Id: entry.Id, ...run(entry) });
      } catch (error) {
        if (!(error instanceof SqsError)) throw error;
        Failed.push({ Id: entry.Id, SenderFault: true, Code: error.batchCode, Message: error.message });
      }
    }
    return { Successful, Failed };
  }

  // ---------------------------------------------------------------- queue operations

  private createQueue(input: Input): Record<string, unknown> {
    const name = requiredString(input, 'QueueName');
    if (name.endsWith('.fifo'))
      throw new SqsError('UnsupportedOperation', 'FIFO queues are not supported by the local SQS service.');
    if (!queueNamePattern.test(name)) {
      throw invalidParameter(
        'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
      );
    }
    const raw = optionalStringMap(input, 'Attributes') ?? {};
    const parsed = this.parseAttributes(raw);
    const existing = this.queues.get(name);
    if (existing) {
      // Idempotent only when every given attribute equals the existing value (AWS's rule).
      for (const key of Object.keys(raw)) {
        if (ignoredSettableAttributes.has(key) || key === 'FifoQueue' || key === 'ContentBasedDeduplication')
          continue;
        const current = this.attributeString(
          existing,
          key as (typeof gettableAttributes)[number],
          Date.now(),
        );
        const wanted =
          key === 'RedrivePolicy' && parsed.RedrivePolicy
            ? JSON.stringify(parsed.RedrivePolicy)
            : (raw[key] ?? '');
        if ((current ?? '') !== wanted) {
          throw new SqsError(
            'QueueNameExists',
            `A queue already exists with the same name and a different value for attribute ${key}`,
          );
        }
      }
      return { QueueUrl: this.queueUrlOf(name) };
    }
    const now = Date.now();
    this.queues.set(name, {
      name,
      createdTimestamp: now,
      lastModifiedTimestamp: now,
      attributes: { ...defaultAttributes, ...stripUndefined(parsed) },
      tags: optionalStringMap(input, 'tags') ?? {},
      messages: new Map(),
    });
    this.changed();
    return { QueueUrl: this.queueUrlOf(name) };
  }

  private getQueueUrl(input: Input): Record<string, unknown> {
    const name = requiredString(input, 'QueueName');
    if (!this.queues.has(name)) throw queueDoesNotExist();
    return { QueueUrl: this.queueUrlOf(name) };
  }

  private listQueues(input: Input): Record<string, unknown> {
    const prefix = optionalString(input, 'QueueNamePrefix') ?? '';
    const maxResults = optionalInteger(input, 'MaxResults', 1, 1000);
    const names = [...this.queues.keys()].filter((name) => name.startsWith(prefix)).sort();
    // AWS caps an unpaginated listing at 1000; with MaxResults it pages with an opaque NextToken.
    const start = (() => {
      const token = optionalString(input, 'NextToken');
      if (token === undefined) return 0;
      const offset = Number(Buffer.from(token, 'base64url').toString('utf8'));
      if (!Number.isInteger(offset) || offset < 0) throw invalidParameter('Invalid NextToken value.');
      return offset;
    })();
    const page = names.slice(start, start + (maxResults ?? 1000));
    const next = start + page.length;
    return {
      ...(page.length > 0 ? { QueueUrls: page.map((name) => this.queueUrlOf(name)) } : {}),
      ...(maxResults !== undefined && next < names.length
        ? { NextToken: Buffer.from(String(next)).toString('base64url') }
        : {}),
    };
  }

  private deleteQueue(input: Input): Record<string, unknown> {
    const queue = this.queueFromUrl(input);
    this.queues.delete(queue.name);
    this.changed(queue);
    return {};
  }

  private purgeQueue(input: Input): Record<string, unknown> {
    const queue = this.queueFromUrl(input);
    // AWS allows one purge per 60 s (PurgeQueueInProgress); locally purges are unlimited so tests can reset queues.
    queue.messages.clear();
    this.changed(queue);
    return {};
  }

  private getQueueAttributes(input: Input): Record<string, unknown> {
    const queue = this.queueFromUrl(input);
    const requested = optionalStringList(input, 'AttributeNames') ?? [];
    const names = requested.includes('All') ? [...gettableAttributes] : requested;
    const now = Date.now();
    const Attributes: Record<string, string> = {};
    for (const name of names) {
      if (!(gettableAttributes as readonly string[]).includes(name)) {
        throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
      }
      const value = this.attributeString(queue, name as (typeof gettableAttributes)[number], now);
      if (value !== undefined) Attributes[name] = value;
    }
    return Object.keys(Attributes).length > 0 ? { Attributes } : {};
  }

  private setQueueAttributes(input: Input): Record<string, unknown> {
    const queue = this.queueFromUrl(input);
    const raw = optionalStringMap(input, 'Attributes');
    if (!raw) throw missingParameter('Attributes');
    for (const name of Object.keys(raw)) {
      if (readOnlyAttributes.has(name) && !ignoredSettableAttributes.has(name)) {
        throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
      }
    }
    const parsed = this.parseAttributes(raw);
    for (const [key, value] of Object.entries(parsed)) {
      if (value === undefined) delete (queue.attributes as unknown as Record<string, unknown>)[key];
      else (queue.attributes as unknown as Record<string, unknown>)[key] = value;
    }
    queue.lastModifiedTimestamp = Date.now();
    this.changed(queue);
    return {};
  }

  private tagQueue(input: Input): Record<string, unknown> {
    const queue = this.queueFromUrl(input);
    Object.assign(queue.tags, optionalStringMap(input, 'Tags') ?? {});
    this.changed();
    return {};
  }

  private untagQueue(input: Input): Record<string, unknown> {
    const queue = this.queueFromUrl(input);
    for (const key of optionalStringList(input, 'TagKeys') ?? []) delete queue.tags[key];
    this.changed();
    return {};
  }

  private listQueueTags(input: Input): Record<string, unknown> {
    const queue = this.queueFromUrl(input);
    return Object.keys(queue.tags).length > 0 ? { Tags: { ...queue.tags } } : {};
  }

  private listDeadLetterSourceQueues(input: Input): Record<string, unknown> {
    const queue = this.queueFromUrl(input);
    const arn = queueArn(queue.name);
    const sources = [...this.queues.values()]
      .filter((candidate) => candidate.attributes.RedrivePolicy?.deadLetterTargetArn === arn)
      .map((candidate) => this.queueUrlOf(candidate.name));
    return { queueUrls: sources };
  }

  // ---------------------------------------------------------------- message operations

  private sendMessage(input: Input): Record<string, unknown> {
    const queue = this.queueFromUrl(input);
    const message = this.buildMessage(queue, input, Date.now());
    queue.messages.set(message.id, message);
    this.changed(queue);
    return SqsEngine.sendResult(message);
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
    const result = this.batch(input, (entry) => {
      const message = this.buildMessage(queue, entry, now);
      queue.messages.set(message.id, message);
      return SqsEngine.sendResult(message);
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
        return { Messages: taken.map((message) => this.renderMessage(message, systemNames, attributeNames)) };
      }
      if (now >= deadline) return {};
      await this.waitForChange(queue, deadline, signal);
      const current = this.queues.get(queue.name);
      if (!current) return {};
      queue = current;
    }
  }

  private renderMessage(
    message: StoredMessage,
    systemNames: Set<string>,
    attributeNames: string[],
  ): Record<string, unknown> {
    const all = systemNames.has('All');
    const Attributes: Record<string, string> = {};
    const available: Record<(typeof messageSystemAttributeNames)[number], string | undefined> = {
      SenderId: localAccountId,
      SentTimestamp: String(message.sentTimestamp),
      ApproximateReceiveCount: String(message.receiveCount),
      ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp ?? message.sentTimestamp),
      AWSTraceHeader: message.awsTraceHeader,
      DeadLetterQueueSourceArn: message.deadLetterSourceArn,
    };
    for (const name of messageSystemAttributeNames) {
      const value = available[name];
      if ((all || systemNames.has(name)) && value !== undefined) Attributes[name] = value;
    }
    const wanted = (name: string) =>
      attributeNames.some(
        (pattern) =>
          pattern === 'All' ||
          pattern === '.*' ||
          pattern === name ||
          (pattern.endsWith('.*') && name.startsWith(pattern.slice(0, -1))),
      );
    const MessageAttributes: Record<string, StoredAttributeValue> = {};
    for (const [name, value] of Object.entries(message.messageAttributes)) {
      if (wanted(name)) MessageAttributes[name] = value;
    }
    const selectedMd5 = md5OfMessageAttributes(MessageAttributes);
    return {
      MessageId: message.id,
      ReceiptHandle: message.receiptHandle,
      MD5OfBody: message.md5OfBody,
      Body: message.body,
      ...(Object.keys(Attributes).length > 0 ? { Attributes } : {}),
      ...(selectedMd5 ? { MD5OfMessageAttributes: selectedMd5, MessageAttributes } : {}),
    };
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

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;
}
