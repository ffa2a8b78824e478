import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { queueArn } from '../../../local/emulators/protocol/identity';
import { startEventSourceMapping } from '../../../local/emulators/sqs/event-source-mapping';
import { eventually, sleep, useTestSqs } from './helpers';

const local = useTestSqs({
  queues: [
    { name: 'esm-dlq' },
    {
      name: 'esm',
      visibilityTimeoutSeconds: 1,
      redrivePolicy: { deadLetterQueueName: 'esm-dlq', maxReceiveCount: 2 },
    },
    { name: 'esm-plain', visibilityTimeoutSeconds: 1 },
    { name: 'esm-window', visibilityTimeoutSeconds: 5 },
    { name: 'esm-stop', visibilityTimeoutSeconds: 5 },
  ],
});

async function visibleAndInFlight(name: string): Promise<[number, number]> {
  const { Attributes } = await local.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: local.service.queueUrl(name), AttributeNames: ['All'] }),
  );
  return [
    Number(Attributes?.ApproximateNumberOfMessages),
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible),
  ];
}

/** What every mapping here shares: the local endpoint, one queue, partial batch failures reported. */
const mappingFor = (queue: string) => ({
  sqsEndpoint: local.service.url,
  queueUrl: local.service.queueUrl(queue),
  queueArn: queueArn(queue),
  reportBatchItemFailures: true as const,
});

const context = { functionName: 'local', awsRequestId: 'local' } as Context;

describe('event source mapping', () => {
  it('builds a real SQSEvent', async () => {
    const events: SQSEvent[] = [];
    const mapping = startEventSourceMapping({
      ...mappingFor('esm-plain'),
      batchSize: 10,
      invoke: async (event) => {
        events.push(event);
        return { batchItemFailures: [] };
      },
    });
    const sent = await local.sqs.send(
      new SendMessageCommand({
        QueueUrl: local.service.queueUrl('esm-plain'),
        MessageBody: '{"orderId":"o-1"}',
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'order' },
          blob: { DataType: 'Binary', BinaryValue: Buffer.from('hi') },
        },
      }),
    );
    const record = await eventually(async () => events[0]?.Records[0]);
    await mapping.stop();
    expect(record).toEqual<SQSRecord>({
      messageId: sent.MessageId ?? '',
      receiptHandle: expect.any(String),
      body: '{"orderId":"o-1"}',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: expect.stringMatching(/^\d+$/),
        SenderId: '000000000000',
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d+$/),
      },
      messageAttributes: {
        kind: { dataType: 'String', stringValue: 'order', stringListValues: [], binaryListValues: [] },
        blob: {
          dataType: 'Binary',
          binaryValue: Buffer.from('hi').toString('base64'),
          stringListValues: [],
          binaryListValues: [],
        },
      },
      md5OfBody: sent.MD5OfMessageBody ?? '',
      md5OfMessageAttributes: sent.MD5OfMessageAttributes ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn('esm-plain'),
      awsRegion: 'us-east-1',
    });
    expect(await visibleAndInFlight('esm-plain')).toEqual([0, 0]);
  });

  it('with Powertools BatchProcessor: the poison message reaches the DLQ, the rest is processed exactly once', async () => {
    const processed = new Map<string, number>();
    const attemptsOfPoison: string[] = [];
    const processor = new BatchProcessor(EventType.SQS);
    const recordHandler = async (record: SQSRecord): Promise<void> => {
      if (record.body === 'poison') {
        attemptsOfPoison.push(record.attributes.ApproximateReceiveCount);
        throw new Error('cannot process poison');
      }
      processed.set(record.body, (processed.get(record.body) ?? 0) + 1);
    };
    const handler = (event: SQSEvent) => processPartialResponse(event, recordHandler, processor, { context });
    const errors: unknown[] = [];
    const mapping = startEventSourceMapping({
      ...mappingFor('esm'),
      batchSize: 10,
      invoke: handler,
      onError: (error) => errors.push(error),
    });
    const bodies = ['m1', 'm2', 'poison', 'm3', 'm4'];
    await local.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: local.service.queueUrl('esm'),
        Entries: bodies.map((body, index) => ({ Id: String(index), MessageBody: body })),
      }),
    );
    // maxReceiveCount 2, visibility 1 s: two failed attempts, then the third receive dead-letters it.
    await eventually(async () => ((await visibleAndInFlight('esm-dlq'))[0] === 1 ? true : undefined), 8_000);
    await mapping.stop();
    expect(Object.fromEntries(processed)).toEqual({ m1: 1, m2: 1, m3: 1, m4: 1 });
    expect(attemptsOfPoison).toEqual(['1', '2']);
    expect(await visibleAndInFlight('esm')).toEqual([0, 0]);
    const dead = await local.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: local.service.queueUrl('esm-dlq'), AttributeNames: ['All'] }),
    );
    expect(dead.Messages?.[0]?.Body).toBe('poison');
    // The count survives the move (2 failed attempts) and this receive from the DLQ is the third.
    expect(dead.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('3');
    // A retry batch holding only the poison message fails entirely: Powertools throws FullBatchFailureError
    // (the invocation fails, nothing is deleted), which the mapping reports through onError.
    expect(errors.every((error) => error instanceof Error && error.name === 'FullBatchFailureError')).toBe(
      true,
    );
  });

  it('a throwing invocation deletes nothing: the whole batch comes back after the visibility timeout', async () => {
    let calls = 0;
    const seen: string[][] = [];
    const mapping = startEventSourceMapping({
      ...mappingFor('esm-plain'),
      batchSize: 10,
      invoke: async (event) => {
        calls += 1;
        seen.push(event.Records.map((record) => record.body).sort());
        if (calls === 1) throw new Error('crash');
        return undefined;
      },
      onError: () => {},
    });
    await local.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: local.service.queueUrl('esm-plain'),
        Entries: ['x', 'y'].map((body) => ({ Id: body, MessageBody: body })),
      }),
    );
    await eventually(async () => (calls >= 2 ? true : undefined));
    await sleep(100);
    await mapping.stop();
    expect(seen).toEqual([
      ['x', 'y'],
      ['x', 'y'],
    ]);
    expect(await visibleAndInFlight('esm-plain')).toEqual([0, 0]);
  });

  it('an invalid batchItemFailures response retries the whole batch', async () => {
    let calls = 0;
    const errors: unknown[] = [];
    const mapping = startEventSourceMapping({
      ...mappingFor('esm-plain'),
      batchSize: 10,
      invoke: async () => {
        calls += 1;
        return calls === 1
          ? { batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] }
          : { batchItemFailures: [] };
      },
      onError: (error) => errors.push(error),
    });
    await local.sqs.send(
      new SendMessageCommand({ QueueUrl: local.service.queueUrl('esm-plain'), MessageBody: 'z' }),
    );
    await eventually(async () => (calls >= 2 ? true : undefined));
    await sleep(100);
    await mapping.stop();
    expect(errors).toHaveLength(1);
    expect(await visibleAndInFlight('esm-plain')).toEqual([0, 0]);
  });

  it('gathers up to batchSize within the batching window', async () => {
    const sizes: number[] = [];
    const mapping = startEventSourceMapping({
      ...mappingFor('esm-window'),
      batchSize: 25,
      maximumBatchingWindowSeconds: 1,
      invoke: async (event) => {
        sizes.push(event.Records.length);
        return { batchItemFailures: [] };
      },
    });
    for (let round = 0; round < 3; round++) {
      await local.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: local.service.queueUrl('esm-window'),
          Entries: [...Array(10).keys()].map((i) => ({
            Id: `r${round}-${i}`,
            MessageBody: `r${round}-${i}`,
          })),
        }),
      );
      await sleep(100);
    }
    await eventually(async () => (sizes.reduce((a, b) => a + b, 0) >= 30 ? true : undefined));
    await mapping.stop();
    expect(sizes[0]).toBe(25);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(30);
  });

  it('stop() ends an idle long poll promptly and waits for the batch in flight', async () => {
    const idle = startEventSourceMapping({
      ...mappingFor('esm-stop'),
      batchSize: 1,
      invoke: async () => ({ batchItemFailures: [] }),
    });
    await sleep(200);
    const started = Date.now();
    await idle.stop();
    expect(Date.now() - started).toBeLessThan(1_000);

    let finished = false;
    const busy = startEventSourceMapping({
      ...mappingFor('esm-stop'),
      batchSize: 1,
      invoke: async () => {
        await sleep(400);
        finished = true;
        return { batchItemFailures: [] };
      },
    });
    await local.sqs.send(
      new SendMessageCommand({ QueueUrl: local.service.queueUrl('esm-stop'), MessageBody: 'slow' }),
    );
    await eventually(async () => ((await visibleAndInFlight('esm-stop'))[1] === 1 ? true : undefined));
    await busy.stop();
    expect(finished).toBe(true);
    // The batch was settled (deleted) before stop() resolved.
    expect(await visibleAndInFlight('esm-stop')).toEqual([0, 0]);
  });
});
