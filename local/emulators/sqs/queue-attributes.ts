import { queueArn } from '../protocol/identity';
import { SqsError } from './errors';
import { isRecord } from './input';
import { arnQueueName, type QueueAttributes, type StoredQueue } from './model';

/** Queue attributes: their bounds, which can be set or read, and their parsing and rendering (AWS's rules). */
/** AWS's documented bounds for each settable numeric attribute. */
export const numericBounds: Record<string, [number, number]> = {
  VisibilityTimeout: [0, 43_200],
  MessageRetentionPeriod: [60, 1_209_600],
  DelaySeconds: [0, 900],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  // AWS raised the maximum message size to 1 MiB (2025); older queues default to 256 KiB.
  MaximumMessageSize: [1_024, 1_048_576],
};

export const readOnlyAttributes = new Set([
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
  'SqsManagedSseEnabled',
]);
export const ignoredSettableAttributes = new Set([
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
]);
export const gettableAttributes = [
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

export type GettableAttribute = (typeof gettableAttributes)[number];

/** Parses and validates attribute strings (CreateQueue / SetQueueAttributes) into typed settings. */
export function parseAttributes(
  raw: Record<string, string>,
  queueExists: (name: string) => boolean,
): Partial<QueueAttributes> {
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
      parsed.RedrivePolicy = value === '' ? undefined : parseRedrivePolicy(value, queueExists);
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
        throw new SqsError('UnsupportedOperation', 'FIFO queues are not supported by the local SQS service.');
      }
    } else if (ignoredSettableAttributes.has(name)) {
      // Encryption settings have no local meaning; accepted so infrastructure-shaped calls keep working.
    } else {
      throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
  }
  return parsed;
}

function parseRedrivePolicy(
  value: string,
  queueExists: (name: string) => boolean,
): { deadLetterTargetArn: string; maxReceiveCount: number } {
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
  if (!target || !queueExists(target)) throw invalid('Dead letter target does not exist.');
  return { deadLetterTargetArn: policy.deadLetterTargetArn, maxReceiveCount };
}

/** A queue attribute as GetQueueAttributes answers it; `counts` are read only for the message counts. */
export function attributeString(
  queue: StoredQueue,
  name: GettableAttribute,
  counts: () => { visible: number; inFlight: number; delayed: number },
): string | undefined {
  const a = queue.attributes;
  switch (name) {
    case 'ApproximateNumberOfMessages':
      return String(counts().visible);
    case 'ApproximateNumberOfMessagesNotVisible':
      return String(counts().inFlight);
    case 'ApproximateNumberOfMessagesDelayed':
      return String(counts().delayed);
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
