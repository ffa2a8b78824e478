import { randomUUID } from 'node:crypto';
import { localAccountId } from '../protocol/identity';
import { invalidParameter, missingParameter, SqsError } from './errors';
import { type Input, isRecord, optionalInteger } from './input';
import { md5Hex, md5OfMessageAttributes, type StoredAttributeValue } from './md5';
import type { StoredMessage, StoredQueue } from './model';

/** Messages: validating and building what is sent, rendering what is received (AWS's rules and limits). */
/** SQS accepts exactly the XML 1.0 character set in bodies and string attribute values. */
const invalidCharacter = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

const messageSystemAttributeNames = [
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
] as const;

function validateMessageAttributes(raw: unknown): Record<string, StoredAttributeValue> {
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
        throw invalidParameter(`The message attribute '${name}' with type 'Binary' must use field 'Binary'.`);
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
export function buildMessage(queue: StoredQueue, entry: Input, now: number): StoredMessage {
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
  const messageAttributes = validateMessageAttributes(entry.MessageAttributes);
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

export function sendResult(message: StoredMessage): Record<string, unknown> {
  return {
    MessageId: message.id,
    MD5OfMessageBody: message.md5OfBody,
    ...(message.md5OfMessageAttributes ? { MD5OfMessageAttributes: message.md5OfMessageAttributes } : {}),
  };
}

/** A received message as ReceiveMessage answers it, with the system and user attributes asked for. */
export function renderMessage(
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
