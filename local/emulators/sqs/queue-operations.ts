import { queueArn } from '../protocol/identity';
import { invalidParameter, missingParameter, queueDoesNotExist, SqsError } from './errors';
import {
  type Input,
  optionalInteger,
  optionalString,
  optionalStringList,
  optionalStringMap,
  requiredString,
} from './input';
import { defaultAttributes, type StoredQueue } from './model';
import {
  attributeString,
  type GettableAttribute,
  gettableAttributes,
  ignoredSettableAttributes,
  parseAttributes,
  readOnlyAttributes,
} from './queue-attributes';

/** What the queue operations need from the engine: its queues and a few of its helpers. */
export interface QueueRegistry {
  readonly queues: Map<string, StoredQueue>;
  queueUrlOf(name: string): string;
  queueFromUrl(input: Input): StoredQueue;
  counts(queue: StoredQueue, now: number): { visible: number; inFlight: number; delayed: number };
  changed(queue?: StoredQueue): void;
}

const queueNamePattern = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * The SQS operations on queues themselves (create, find, list, delete, purge, attributes, tags). Long because
 * it is a table of eleven small operations sharing the registry; each entry is one SQS operation.
 */
export const queueOperations = (registry: QueueRegistry) => ({
  CreateQueue(input: Input): Record<string, unknown> {
    const name = requiredString(input, 'QueueName');
    if (name.endsWith('.fifo'))
      throw new SqsError('UnsupportedOperation', 'FIFO queues are not supported by the local SQS service.');
    if (!queueNamePattern.test(name)) {
      throw invalidParameter(
        'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
      );
    }
    const raw = optionalStringMap(input, 'Attributes') ?? {};
    const parsed = parseAttributes(raw, (name) => registry.queues.has(name));
    const existing = registry.queues.get(name);
    if (existing) {
      // Idempotent only when every given attribute equals the existing value (AWS's rule).
      for (const key of Object.keys(raw)) {
        if (ignoredSettableAttributes.has(key) || key === 'FifoQueue' || key === 'ContentBasedDeduplication')
          continue;
        const current = attributeString(existing, key as GettableAttribute, () =>
          registry.counts(existing, Date.now()),
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
      return { QueueUrl: registry.queueUrlOf(name) };
    }
    const now = Date.now();
    registry.queues.set(name, {
      name,
      createdTimestamp: now,
      lastModifiedTimestamp: now,
      attributes: { ...defaultAttributes, ...stripUndefined(parsed) },
      tags: optionalStringMap(input, 'tags') ?? {},
      messages: new Map(),
    });
    registry.changed();
    return { QueueUrl: registry.queueUrlOf(name) };
  },

  GetQueueUrl(input: Input): Record<string, unknown> {
    const name = requiredString(input, 'QueueName');
    if (!registry.queues.has(name)) throw queueDoesNotExist();
    return { QueueUrl: registry.queueUrlOf(name) };
  },

  ListQueues(input: Input): Record<string, unknown> {
    const prefix = optionalString(input, 'QueueNamePrefix') ?? '';
    const maxResults = optionalInteger(input, 'MaxResults', 1, 1000);
    const names = [...registry.queues.keys()].filter((name) => name.startsWith(prefix)).sort();
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
      ...(page.length > 0 ? { QueueUrls: page.map((name) => registry.queueUrlOf(name)) } : {}),
      ...(maxResults !== undefined && next < names.length
        ? { NextToken: Buffer.from(String(next)).toString('base64url') }
        : {}),
    };
  },

  DeleteQueue(input: Input): Record<string, unknown> {
    const queue = registry.queueFromUrl(input);
    registry.queues.delete(queue.name);
    registry.changed(queue);
    return {};
  },

  PurgeQueue(input: Input): Record<string, unknown> {
    const queue = registry.queueFromUrl(input);
    // AWS allows one purge per 60 s (PurgeQueueInProgress); locally purges are unlimited so tests can reset queues.
    queue.messages.clear();
    registry.changed(queue);
    return {};
  },

  GetQueueAttributes(input: Input): Record<string, unknown> {
    const queue = registry.queueFromUrl(input);
    const requested = optionalStringList(input, 'AttributeNames') ?? [];
    const names = requested.includes('All') ? [...gettableAttributes] : requested;
    const now = Date.now();
    const Attributes: Record<string, string> = {};
    for (const name of names) {
      if (!(gettableAttributes as readonly string[]).includes(name)) {
        throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
      }
      const value = attributeString(queue, name as GettableAttribute, () => registry.counts(queue, now));
      if (value !== undefined) Attributes[name] = value;
    }
    return Object.keys(Attributes).length > 0 ? { Attributes } : {};
  },

  SetQueueAttributes(input: Input): Record<string, unknown> {
    const queue = registry.queueFromUrl(input);
    const raw = optionalStringMap(input, 'Attributes');
    if (!raw) throw missingParameter('Attributes');
    for (const name of Object.keys(raw)) {
      if (readOnlyAttributes.has(name) && !ignoredSettableAttributes.has(name)) {
        throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
      }
    }
    const parsed = parseAttributes(raw, (name) => registry.queues.has(name));
    for (const [key, value] of Object.entries(parsed)) {
      if (value === undefined) delete (queue.attributes as unknown as Record<string, unknown>)[key];
      else (queue.attributes as unknown as Record<string, unknown>)[key] = value;
    }
    queue.lastModifiedTimestamp = Date.now();
    registry.changed(queue);
    return {};
  },

  TagQueue(input: Input): Record<string, unknown> {
    const queue = registry.queueFromUrl(input);
    Object.assign(queue.tags, optionalStringMap(input, 'Tags') ?? {});
    registry.changed();
    return {};
  },

  UntagQueue(input: Input): Record<string, unknown> {
    const queue = registry.queueFromUrl(input);
    for (const key of optionalStringList(input, 'TagKeys') ?? []) delete queue.tags[key];
    registry.changed();
    return {};
  },

  ListQueueTags(input: Input): Record<string, unknown> {
    const queue = registry.queueFromUrl(input);
    return Object.keys(queue.tags).length > 0 ? { Tags: { ...queue.tags } } : {};
  },

  ListDeadLetterSourceQueues(input: Input): Record<string, unknown> {
    const queue = registry.queueFromUrl(input);
    const arn = queueArn(queue.name);
    const sources = [...registry.queues.values()]
      .filter((candidate) => candidate.attributes.RedrivePolicy?.deadLetterTargetArn === arn)
      .map((candidate) => registry.queueUrlOf(candidate.name));
    return { queueUrls: sources };
  },
});

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;
}
