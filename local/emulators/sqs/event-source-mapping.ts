import {
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { localCredentials, localRegion } from '../protocol/identity';

export interface EventSourceMappingOptions {
  sqsEndpoint: string;
  queueUrl: string;
  queueArn: string;
  /** Records per invocation (AWS: 1–10 without a batching window, up to 10 000 with one). */
  batchSize: number;
  /** Keep gathering records up to batchSize for this long after the first arrives (AWS default 0). */
  maximumBatchingWindowSeconds?: number;
  invoke: (event: SQSEvent) => Promise<unknown>;
  /** Only the ReportBatchItemFailures function-response type is supported (it is what our handlers use). */
  reportBatchItemFailures: true;
  /** Receive/delete/invoke failures; the poller keeps going after them, as AWS's does. */
  onError?: (e: unknown) => void;
}

/** Long poll length: AWS's pollers use the maximum (20 s); stop() aborts it, so it costs nothing at shutdown. */
const waitTimeSeconds = 20;
const errorBackoffMs = 500;

function toRecordAttributes(attributes: Record<string, string> | undefined): SQSRecord['attributes'] {
  const a = attributes ?? {};
  return {
    ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
    SentTimestamp: a.SentTimestamp ?? '',
    SenderId: a.SenderId ?? '',
    ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? '',
    ...(a.AWSTraceHeader !== undefined ? { AWSTraceHeader: a.AWSTraceHeader } : {}),
    ...(a.DeadLetterQueueSourceArn !== undefined
      ? { DeadLetterQueueSourceArn: a.DeadLetterQueueSourceArn }
      : {}),
  };
}

/** Lambda's event shape: camelCase keys, binary values base64-encoded, the list fields always present. */
function toRecordMessageAttributes(
  attributes: Record<string, MessageAttributeValue> | undefined,
): SQSMessageAttributes {
  const result: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    result[name] = {
      dataType: value.DataType ?? 'String',
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined
        ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }
        : {}),
      stringListValues: [],
      binaryListValues: [],
    };
  }
  return result;
}

/**
 * The message ids to keep, from a ReportBatchItemFailures response. As in AWS, a malformed response
 * (an identifier that is empty or not in the batch) fails the whole batch, and no response (or an
 * empty list) means every record succeeded.
 */
function failedIds(
  result: unknown,
  batch: ReadonlySet<string>,
): { all: true } | { all: false; ids: Set<string> } {
  if (typeof result !== 'object' || result === null || !('batchItemFailures' in result))
    return { all: false, ids: new Set() };
  const failures = result.batchItemFailures;
  if (failures === undefined || failures === null) return { all: false, ids: new Set() };
  if (!Array.isArray(failures)) return { all: true };
  const ids = new Set<string>();
  for (const failure of failures) {
    const id: unknown =
      typeof failure === 'object' && failure !== null ? Reflect.get(failure, 'itemIdentifier') : undefined;
    if (typeof id !== 'string' || id === '' || !batch.has(id)) return { all: true };
    ids.add(id);
  }
  return { all: false, ids };
}

const isAbort = (error: unknown): boolean => error instanceof Error && error.name === 'AbortError';

/**
 * An SQS → Lambda event source mapping, like AWS's: long-polls the queue, invokes with a real SQSEvent,
 * then deletes the records that were not reported in `batchItemFailures`. Anything not deleted becomes
 * visible again after the queue's visibility timeout, so the queue's redrive policy moves poison
 * messages to the DLQ after maxReceiveCount. One poller, one batch at a time (AWS scales pollers out).
 */
export function startEventSourceMapping(o: EventSourceMappingOptions): { stop(): Promise<void> } {
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1 || o.batchSize > 10_000) {
    throw new Error(`batchSize must be an integer from 1 to 10000, got ${o.batchSize}`);
  }
  if (o.batchSize > 10 && (o.maximumBatchingWindowSeconds ?? 0) === 0) {
    throw new Error('batchSize above 10 requires maximumBatchingWindowSeconds of at least 1 (AWS rule)');
  }
  const poller = new SqsPoller(o);
  const loop = poller.run();
  let stopped: Promise<void> | undefined;
  return {
    stop: () => {
      stopped ??= poller.stop(loop);
      return stopped;
    },
  };
}

class SqsPoller {
  private readonly client: SQSClient;
  private readonly stopping = new AbortController();
  private readonly windowMs: number;

  constructor(private readonly o: EventSourceMappingOptions) {
    this.windowMs = (o.maximumBatchingWindowSeconds ?? 0) * 1000;
    // A failed poll is retried by the loop itself; SDK retries would only delay stop().
    this.client = new SQSClient({
      endpoint: o.sqsEndpoint,
      region: localRegion,
      credentials: localCredentials,
      maxAttempts: 1,
    });
  }

  async run(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      try {
        const messages = await this.collect();
        // Once received, a batch is always invoked and settled, even if stop() was called meanwhile:
        // stop() waits for it rather than leaving invisible, half-processed messages behind.
        if (messages.length > 0) await this.processBatch(messages);
      } catch (error) {
        if (this.stopping.signal.aborted && isAbort(error)) break;
        this.reportError(error);
        await this.pause(errorBackoffMs);
      }
    }
  }

  async stop(loop: Promise<void>): Promise<void> {
    this.stopping.abort();
    await loop;
    this.client.destroy();
  }

  private reportError(error: unknown): void {
    try {
      this.o.onError?.(error);
    } catch {
      // A throwing error reporter must not kill the poller.
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.stopping.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }

  private async receive(max: number, waitSeconds: number, signal: AbortSignal): Promise<Message[]> {
    const output = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.o.queueUrl,
        MaxNumberOfMessages: Math.min(10, max),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: signal },
    );
    return output.Messages ?? [];
  }

  /** Waits for the first records, then fills the batch until batchSize or the batching window closes. */
  private async collect(): Promise<Message[]> {
    const { batchSize } = this.o;
    const batch = await this.receive(batchSize, waitTimeSeconds, this.stopping.signal);
    if (batch.length === 0 || this.windowMs === 0) return batch;
    const windowEnds = Date.now() + this.windowMs;
    while (batch.length < batchSize && !this.stopping.signal.aborted) {
      const remaining = windowEnds - Date.now();
      if (remaining <= 0) break;
      // WaitTimeSeconds is whole seconds; a timer abort trims the last poll to the window's end.
      const slice = AbortSignal.any([this.stopping.signal, AbortSignal.timeout(remaining)]);
      try {
        batch.push(
          ...(await this.receive(batchSize - batch.length, Math.min(20, Math.ceil(remaining / 1000)), slice)),
        );
      } catch (error) {
        if (isAbort(error)) break;
        throw error;
      }
    }
    return batch;
  }

  private async deleteMessages(messages: Message[]): Promise<void> {
    for (let start = 0; start < messages.length; start += 10) {
      const chunk = messages.slice(start, start + 10);
      const output = await this.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.o.queueUrl,
          Entries: chunk.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
      if (output.Failed && output.Failed.length > 0)
        this.reportError(
          new Error(
            `DeleteMessageBatch failed for ${output.Failed.length} message(s): ${output.Failed[0]?.Message}`,
          ),
        );
    }
  }

  private async processBatch(messages: Message[]): Promise<void> {
    let result: unknown;
    try {
      result = await this.o.invoke(sqsEvent(messages, this.o.queueArn));
    } catch (error) {
      // A failed invocation deletes nothing: the whole batch reappears after the visibility timeout.
      this.reportError(error);
      return;
    }
    const failed = failedIds(result, new Set(messages.map((message) => message.MessageId ?? '')));
    if (failed.all) {
      this.reportError(
        new Error('invalid batchItemFailures in the function response: the whole batch is retried'),
      );
      return;
    }
    await this.deleteMessages(messages.filter((message) => !failed.ids.has(message.MessageId ?? '')));
  }
}

/** The event Lambda gives a function for these messages. */
const sqsEvent = (messages: Message[], queueArn: string): SQSEvent => ({
  Records: messages.map(
    (message): SQSRecord => ({
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: toRecordAttributes(message.Attributes),
      messageAttributes: toRecordMessageAttributes(message.MessageAttributes),
      md5OfBody: message.MD5OfBody ?? '',
      ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: localRegion,
    }),
  ),
});
