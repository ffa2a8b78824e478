import { randomBytes } from 'node:crypto';
import { SqsError } from './errors';
import { isRecord } from './input';
import type { StoredAttributeValue } from './md5';

/** The stored shapes of the local SQS service, shared by the engine, delivery model and message move tasks. */

export interface StoredMessage {
  id: string;
  body: string;
  md5OfBody: string;
  messageAttributes: Record<string, StoredAttributeValue>;
  md5OfMessageAttributes?: string;
  awsTraceHeader?: string;
  /** Set when redrive moved the message to a DLQ: where it came from (AWS exposes it as DeadLetterQueueSourceArn). */
  deadLetterSourceArn?: string;
  sentTimestamp: number;
  firstReceiveTimestamp?: number;
  receiveCount: number;
  /** The message can be received once `now >= visibleAt` (covers both delay and visibility timeout). */
  visibleAt: number;
  /** True from a receive until the visibility timeout lapses; distinguishes "in flight" from "delayed". */
  received: boolean;
  /** Only the latest receipt handle can delete the message or change its visibility. */
  receiptHandle?: string;
  /**
   * Set on a stale copy (at-least-once delivery, see delivery.ts): a server that missed a receive or a delete
   * still holds the message and delivers it again, with the same MessageId and a receipt handle of its own,
   * until that handle deletes it. Not counted in the queue's figures; dropped instead of being dead-lettered
   * (the original carries the message's fate), and when a move task moves the original.
   */
  copy?: string;
}

export interface QueueAttributes {
  VisibilityTimeout: number;
  MessageRetentionPeriod: number;
  DelaySeconds: number;
  ReceiveMessageWaitTimeSeconds: number;
  MaximumMessageSize: number;
  RedrivePolicy?: { deadLetterTargetArn: string; maxReceiveCount: number };
  RedriveAllowPolicy?: string;
  Policy?: string;
}

export interface StoredQueue {
  name: string;
  createdTimestamp: number;
  lastModifiedTimestamp: number;
  attributes: QueueAttributes;
  tags: Record<string, string>;
  /** By storage key (see messageKey). Insertion order = send order, the exact delivery mode's order. */
  messages: Map<string, StoredMessage>;
}

export interface MoveTask {
  taskHandle: string;
  sourceArn: string;
  destinationArn?: string;
  maxNumberOfMessagesPerSecond?: number;
  status: 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';
  approximateNumberOfMessagesMoved: number;
  approximateNumberOfMessagesToMove: number;
  failureReason?: string;
  startedTimestamp: number;
}

export interface EngineSnapshot {
  version: 1;
  queues: Array<Omit<StoredQueue, 'messages'> & { messages: StoredMessage[] }>;
  moveTasks: MoveTask[];
}

/**
 * The largest message, and the largest batch (sum of its messages), SQS accepts: 1 MiB, which is also the
 * default MaximumMessageSize of a new queue. CreateQueue: "MaximumMessageSize – ... Valid values: An integer
 * from 1,024 bytes (1 KiB) to 1,048,576 bytes (1 MiB). Default: 1,048,576 bytes (1 MiB)."
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html; SendMessageBatch:
 * "The maximum allowed individual message size and the maximum total payload size (the sum of the individual
 * lengths of all of the batched messages) are both 1 MiB"
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html; message body
 * "The maximum size is 1 MiB or 1,048,576 bytes"
 * https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/sqs/aws.sdk.kotlin.services.sqs.model/-send-message-request/-builder/message-body.html
 * (the same texts are in @aws-sdk/client-sqs's model docs). Older docs say 256 KiB: that was the limit until 2025.
 */
export const maximumMessageBytes = 1_048_576;

export const defaultAttributes: QueueAttributes = {
  VisibilityTimeout: 30,
  MessageRetentionPeriod: 345_600,
  DelaySeconds: 0,
  ReceiveMessageWaitTimeSeconds: 0,
  MaximumMessageSize: maximumMessageBytes,
};

/** Where a message lives in its queue's map: its MessageId, or MessageId#copy for a stale copy. */
export const messageKey = (message: Pick<StoredMessage, 'id' | 'copy'>): string =>
  message.copy === undefined ? message.id : `${message.id}#${message.copy}`;

export const arnQueueName = (arn: string): string | undefined => {
  const parts = arn.split(':');
  return parts.length === 6 && parts[0] === 'arn' && parts[2] === 'sqs' ? parts[5] : undefined;
};

interface ReceiptHandle {
  queue: string;
  /** The storage key of the message (its MessageId unless it is a stale copy). */
  key: string;
}

export function encodeReceiptHandle(queue: string, key: string): string {
  // Opaque to clients, like AWS's; the nonce makes every receive produce a new handle.
  return Buffer.from(JSON.stringify({ q: queue, m: key, n: randomBytes(12).toString('hex') })).toString(
    'base64url',
  );
}

export function decodeReceiptHandle(handle: string): ReceiptHandle {
  const invalid = new SqsError(
    'ReceiptHandleIsInvalid',
    `The input receipt handle "${handle}" is not a valid receipt handle.`,
  );
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(handle, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  if (!isRecord(parsed) || typeof parsed.q !== 'string' || typeof parsed.m !== 'string') throw invalid;
  return { queue: parsed.q, key: parsed.m };
}
