import { createHash } from 'node:crypto';
import {
  BatchEntryIdsNotDistinct,
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  EmptyBatchRequest,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  InvalidAttributeName,
  InvalidMessageContents,
  ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  MessageNotInflight,
  PurgeQueueCommand,
  QueueDoesNotExist,
  QueueNameExists,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSServiceException,
  TagQueueCommand,
  TooManyEntriesInBatchRequest,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { queueArn } from '../../../local/emulators/protocol/identity';
import { sleep, useTestSqs } from './helpers';

const local = useTestSqs({
  queues: [
    { name: 'defined-dlq' },
    {
      name: 'defined',
      visibilityTimeoutSeconds: 5,
      redrivePolicy: { deadLetterQueueName: 'defined-dlq', maxReceiveCount: 3 },
    },
  ],
});

let counter = 0;
async function newQueue(attributes: Record<string, string> = {}): Promise<string> {
  counter += 1;
  const { QueueUrl } = await local.sqs.send(
    new CreateQueueCommand({ QueueName: `q-${counter}-${Date.now()}`, Attributes: attributes }),
  );
  if (!QueueUrl) throw new Error('no QueueUrl');
  return QueueUrl;
}

async function attributes(QueueUrl: string): Promise<Record<string, string>> {
  const { Attributes } = await local.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }),
  );
  return Attributes ?? {};
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

describe('queues', () => {
  it('exposes defined queues with their settings and redrive policy', async () => {
    expect(local.service.queueUrl('defined')).toBe(`${local.service.url}/000000000000/defined`);
    const { QueueUrl } = await local.sqs.send(new GetQueueUrlCommand({ QueueName: 'defined' }));
    expect(QueueUrl).toBe(local.service.queueUrl('defined'));
    const attrs = await attributes(local.service.queueUrl('defined'));
    expect(attrs.VisibilityTimeout).toBe('5');
    expect(attrs.QueueArn).toBe(queueArn('defined'));
    expect(JSON.parse(attrs.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: queueArn('defined-dlq'),
      maxReceiveCount: 3,
    });
    const sources = await local.sqs.send(
      new ListDeadLetterSourceQueuesCommand({ QueueUrl: local.service.queueUrl('defined-dlq') }),
    );
    expect(sources.queueUrls).toEqual([local.service.queueUrl('defined')]);
  });

  it('CreateQueue is idempotent with equal attributes and refuses different ones', async () => {
    const first = await local.sqs.send(
      new CreateQueueCommand({ QueueName: 'idem', Attributes: { VisibilityTimeout: '7' } }),
    );
    const again = await local.sqs.send(
      new CreateQueueCommand({ QueueName: 'idem', Attributes: { VisibilityTimeout: '7' } }),
    );
    expect(again.QueueUrl).toBe(first.QueueUrl);
    const bare = await local.sqs.send(new CreateQueueCommand({ QueueName: 'idem' }));
    expect(bare.QueueUrl).toBe(first.QueueUrl);
    await expect(
      local.sqs.send(new CreateQueueCommand({ QueueName: 'idem', Attributes: { VisibilityTimeout: '8' } })),
    ).rejects.toBeInstanceOf(QueueNameExists);
  });

  it('validates queue names and attributes', async () => {
    await expect(local.sqs.send(new CreateQueueCommand({ QueueName: 'bad name!' }))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
    await expect(
      local.sqs.send(new CreateQueueCommand({ QueueName: 'vt', Attributes: { VisibilityTimeout: '50000' } })),
    ).rejects.toMatchObject({ name: 'InvalidAttributeValue' });
    await expect(
      local.sqs.send(
        new CreateQueueCommand({
          QueueName: 'unknown-attr',
          Attributes: { Colour: 'blue' } as Record<string, string>,
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidAttributeName);
    await expect(
      local.sqs.send(
        new CreateQueueCommand({
          QueueName: 'bad-redrive',
          Attributes: {
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn('nope'), maxReceiveCount: 2 }),
          },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidAttributeValue' });
  });

  it('lists by prefix with pagination, tags, and deletes', async () => {
    for (const name of ['list-a', 'list-b', 'list-c'])
      await local.sqs.send(new CreateQueueCommand({ QueueName: name }));
    const all = await local.sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'list-' }));
    expect(all.QueueUrls).toEqual(['list-a', 'list-b', 'list-c'].map((name) => local.service.queueUrl(name)));
    const page1 = await local.sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'list-', MaxResults: 2 }));
    expect(page1.QueueUrls).toHaveLength(2);
    const page2 = await local.sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: 'list-', MaxResults: 2, NextToken: page1.NextToken }),
    );
    expect(page2.QueueUrls).toEqual([local.service.queueUrl('list-c')]);
    expect(page2.NextToken).toBeUndefined();
    expect((await local.sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'zzz' }))).QueueUrls ?? []).toEqual(
      [],
    );

    await local.sqs.send(
      new TagQueueCommand({ QueueUrl: local.service.queueUrl('list-a'), Tags: { team: 'o2o' } }),
    );
    expect(
      (await local.sqs.send(new ListQueueTagsCommand({ QueueUrl: local.service.queueUrl('list-a') }))).Tags,
    ).toEqual({ team: 'o2o' });

    await local.sqs.send(new DeleteQueueCommand({ QueueUrl: local.service.queueUrl('list-b') }));
    expect(
      (await local.sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'list-' }))).QueueUrls,
    ).toHaveLength(2);
    await expect(local.sqs.send(new GetQueueUrlCommand({ QueueName: 'list-b' }))).rejects.toBeInstanceOf(
      QueueDoesNotExist,
    );
  });

  it('SetQueueAttributes changes settings and can remove the redrive policy', async () => {
    const QueueUrl = await newQueue();
    const dlq = await newQueue();
    const dlqArn = (await attributes(dlq)).QueueArn ?? '';
    await local.sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl,
        Attributes: {
          VisibilityTimeout: '12',
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: '4' }),
        },
      }),
    );
    let attrs = await attributes(QueueUrl);
    expect(attrs.VisibilityTimeout).toBe('12');
    expect(JSON.parse(attrs.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: dlqArn,
      maxReceiveCount: 4,
    });
    await local.sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { RedrivePolicy: '' } }));
    attrs = await attributes(QueueUrl);
    expect(attrs.RedrivePolicy).toBeUndefined();
    expect(Number(attrs.CreatedTimestamp)).toBeGreaterThan(Date.now() / 1000 - 60);
  });

  it('GetQueueAttributes returns only the requested names and rejects unknown ones', async () => {
    const QueueUrl = await newQueue();
    const { Attributes } = await local.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'QueueArn'],
      }),
    );
    expect(Object.keys(Attributes ?? {}).sort()).toEqual(['ApproximateNumberOfMessages', 'QueueArn']);
    await expect(
      local.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['Nope' as 'All'] })),
    ).rejects.toBeInstanceOf(InvalidAttributeName);
  });
});

describe('messages', () => {
  it('sends and receives with real MD5s, attributes and system attributes', async () => {
    const QueueUrl = await newQueue();
    const sent = await local.sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: 'héllo',
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'order' },
          qty: { DataType: 'Number', StringValue: '3' },
          raw: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
        },
      }),
    );
    expect(sent.MD5OfMessageBody).toBe(md5('héllo'));
    expect(sent.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    const before = Date.now();
    const { Messages } = await local.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    expect(Messages).toHaveLength(1);
    const [message] = Messages ?? [];
    expect(message?.MessageId).toBe(sent.MessageId);
    expect(message?.Body).toBe('héllo');
    expect(message?.MD5OfBody).toBe(md5('héllo'));
    expect(message?.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
    expect(message?.MessageAttributes?.kind).toEqual({ DataType: 'String', StringValue: 'order' });
    expect(message?.MessageAttributes?.qty?.StringValue).toBe('3');
    expect([...(message?.MessageAttributes?.raw?.BinaryValue ?? [])]).toEqual([1, 2, 3]);
    expect(message?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect(Number(message?.Attributes?.SentTimestamp)).toBeLessThanOrEqual(before);
    expect(Number(message?.Attributes?.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(before - 5);
    expect(message?.Attributes?.SenderId).toBe('000000000000');
  });

  it('filters message attributes by name and prefix, and selects system attributes by name', async () => {
    const QueueUrl = await newQueue();
    await local.sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: 'x',
        MessageAttributes: {
          'order.id': { DataType: 'String', StringValue: 'o1' },
          'order.kind': { DataType: 'String', StringValue: 'k' },
          other: { DataType: 'String', StringValue: 'y' },
        },
      }),
    );
    const { Messages } = await local.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MessageAttributeNames: ['order.*'],
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    expect(Object.keys(Messages?.[0]?.MessageAttributes ?? {}).sort()).toEqual(['order.id', 'order.kind']);
    expect(Messages?.[0]?.Attributes).toEqual({ ApproximateReceiveCount: '1' });
  });

  it('returns at most MaxNumberOfMessages and nothing (no Messages) from an empty queue', async () => {
    const QueueUrl = await newQueue();
    expect((await local.sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages).toBeUndefined();
    for (let i = 0; i < 12; i++)
      await local.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `m${i}` }));
    const first = await local.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    expect(first.Messages?.map((m) => m.Body)).toEqual([...Array(10).keys()].map((i) => `m${i}`));
    const second = await local.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    expect(second.Messages).toHaveLength(2);
    await expect(
      local.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 11 })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
  });

  it('hides a received message for its visibility timeout, then redelivers it with a new receipt handle', async () => {
    const QueueUrl = await newQueue({ VisibilityTimeout: '1' });
    await local.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'vt' }));
    const first = (await local.sqs.send(new ReceiveMessageCommand({ QueueUrl, AttributeNames: ['All'] })))
      .Messages?.[0];
    expect(first?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect((await local.sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages).toBeUndefined();
    let attrs = await attributes(QueueUrl);
    expect([attrs.ApproximateNumberOfMessages, attrs.ApproximateNumberOfMessagesNotVisible]).toEqual([
      '0',
      '1',
    ]);
    await sleep(1_100);
    attrs = await attributes(QueueUrl);
    expect([attrs.ApproximateNumberOfMessages, attrs.ApproximateNumberOfMessagesNotVisible]).toEqual([
      '1',
      '0',
    ]);
    const second = (await local.sqs.send(new ReceiveMessageCommand({ QueueUrl, AttributeNames: ['All'] })))
      .Messages?.[0];
    expect(second?.MessageId).toBe(first?.MessageId);
    expect(second?.ReceiptHandle).not.toBe(first?.ReceiptHandle);
    expect(second?.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(second?.Attributes?.ApproximateFirstReceiveTimestamp).toBe(
      first?.Attributes?.ApproximateFirstReceiveTimestamp,
    );

    // Stale handle: AWS says the call "succeeds, but the message might not be deleted"; here it is not deleted.
    await local.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: first?.ReceiptHandle }));
    expect((await attributes(QueueUrl)).ApproximateNumberOfMessagesNotVisible).toBe('1');
    await local.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: second?.ReceiptHandle }));
    expect((await attributes(QueueUrl)).ApproximateNumberOfMessagesNotVisible).toBe('0');
    // Deleting an already deleted message succeeds (idempotent); a garbage handle does not.
    await local.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: second?.ReceiptHandle }));
    await expect(
      local.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: 'garbage' })),
    ).rejects.toBeInstanceOf(ReceiptHandleIsInvalid);
  });

  it('VisibilityTimeout on receive overrides the queue default', async () => {
    const QueueUrl = await newQueue({ VisibilityTimeout: '30' });
    await local.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'short' }));
    await local.sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 1 }));
    await sleep(1_050);
    expect((await local.sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages?.[0]?.Body).toBe('short');
  });

  it('ChangeMessageVisibility extends, or releases at once with 0; not-in-flight and bad handles fail', async () => {
    const QueueUrl = await newQueue({ VisibilityTimeout: '1' });
    await local.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'cmv' }));
    const handle = (await local.sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages?.[0]
      ?.ReceiptHandle;
    await local.sqs.send(
      new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: handle, VisibilityTimeout: 3 }),
    );
    await sleep(1_100);
    expect((await local.sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages).toBeUndefined();
    await local.sqs.send(
      new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: handle, VisibilityTimeout: 0 }),
    );
    await expect(
      local.sqs.send(
        new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: handle, VisibilityTimeout: 5 }),
      ),
    ).rejects.toBeInstanceOf(MessageNotInflight);
    const again = (await local.sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages?.[0];
    expect(again?.Body).toBe('cmv');
    // The first handle is stale now that the message was received again.
    await expect(
      local.sqs.send(
        new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: handle, VisibilityTimeout: 5 }),
      ),
    ).rejects.toBeInstanceOf(ReceiptHandleIsInvalid);
    await expect(
      local.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl,
          ReceiptHandle: again?.ReceiptHandle,
          VisibilityTimeout: 50_000,
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('delayed messages are counted as delayed until their delay passes', async () => {
    const QueueUrl = await newQueue();
    await local.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'later', DelaySeconds: 1 }));
    await local.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'now' }));
    let attrs = await attributes(QueueUrl);
    expect([attrs.ApproximateNumberOfMessages, attrs.ApproximateNumberOfMessagesDelayed]).toEqual(['1', '1']);
    expect(
      (await local.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages?.map(
        (m) => m.Body,
      ),
    ).toEqual(['now']);
    await sleep(1_050);
    attrs = await attributes(QueueUrl);
    expect([
      attrs.ApproximateNumberOfMessages,
      attrs.ApproximateNumberOfMessagesDelayed,
      attrs.ApproximateNumberOfMessagesNotVisible,
    ]).toEqual(['1', '0', '1']);
  });

  it('long polling returns as soon as a message arrives, and waits the full time otherwise', async () => {
    const QueueUrl = await newQueue();
    const started = Date.now();
    const pending = local.sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10 }));
    await sleep(200);
    await local.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'wake' }));
    const { Messages } = await pending;
    expect(Messages?.[0]?.Body).toBe('wake');
    expect(Date.now() - started).toBeLessThan(2_000);

    const emptyStart = Date.now();
    expect(
      (await local.sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }))).Messages,
    ).toBeUndefined();
    expect(Date.now() - emptyStart).toBeGreaterThanOrEqual(950);
  });

  it('a long poll also returns when an in-flight message becomes visible again', async () => {
    const QueueUrl = await newQueue({ VisibilityTimeout: '1' });
    await local.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'again' }));
    await local.sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    const started = Date.now();
    const { Messages } = await local.sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5 }));
    expect(Messages?.[0]?.Body).toBe('again');
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('an aborted long poll does not consume a message', async () => {
    const QueueUrl = await newQueue();
    const controller = new AbortController();
    const pending = local.sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10 }), {
      abortSignal: controller.signal,
    });
    await sleep(100);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await sleep(50);
    await local.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'kept' }));
    expect((await local.sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages?.[0]?.Body).toBe('kept');
  });

  it('PurgeQueue removes visible and in-flight messages', async () => {
    const QueueUrl = await newQueue();
    await local.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'a' }));
    await local.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'b' }));
    await local.sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    await local.sqs.send(new PurgeQueueCommand({ QueueUrl }));
    const attrs = await attributes(QueueUrl);
    expect([attrs.ApproximateNumberOfMessages, attrs.ApproximateNumberOfMessagesNotVisible]).toEqual([
      '0',
      '0',
    ]);
  });

  it('validates message input like AWS', async () => {
    const QueueUrl = await newQueue();
    await expect(local.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: '' }))).rejects.toMatchObject(
      {
        name: 'MissingParameter',
      },
    );
    await expect(
      local.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'bad \u0001' })),
    ).rejects.toBeInstanceOf(InvalidMessageContents);
    await expect(
      local.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x'.repeat(1_048_577) })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(
      local.sqs.send(
        new SendMessageCommand({
          QueueUrl,
          MessageBody: 'x',
          MessageAttributes: { n: { DataType: 'Number', StringValue: 'abc' } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(
      local.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', DelaySeconds: 901 })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
  });
});

describe('errors', () => {
  it('maps a missing queue to the QueueDoesNotExist class, with the query-compatible code', async () => {
    const error = await local.sqs
      .send(
        new SendMessageCommand({ QueueUrl: `${local.service.url}/000000000000/missing`, MessageBody: 'x' }),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueDoesNotExist);
    expect(error).toMatchObject({
      name: 'QueueDoesNotExist',
      Code: 'AWS.SimpleQueueService.NonExistentQueue',
      $fault: 'client',
    });
    expect((error as QueueDoesNotExist).$metadata.httpStatusCode).toBe(400);
    await expect(local.sqs.send(new GetQueueUrlCommand({ QueueName: 'missing' }))).rejects.toBeInstanceOf(
      QueueDoesNotExist,
    );
    await expect(
      local.sqs.send(new ReceiveMessageCommand({ QueueUrl: `${local.service.url}/000000000000/missing` })),
    ).rejects.toBeInstanceOf(QueueDoesNotExist);
  });

  it('answers raw JSON-protocol requests with __type and x-amzn-query-error', async () => {
    const response = await fetch(local.service.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.GetQueueUrl' },
      body: JSON.stringify({ QueueName: 'missing' }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-query-error')).toBe('AWS.SimpleQueueService.NonExistentQueue;Sender');
    expect(await response.json()).toMatchObject({ __type: 'com.amazonaws.sqs#QueueDoesNotExist' });
    const unknown = await fetch(local.service.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.Frobnicate' },
      body: '{}',
    });
    expect(unknown.status).toBe(400);
  });

  it('surfaces unmodeled codes as SQSServiceException with the AWS code as name', async () => {
    const error = await local.sqs.send(new CreateQueueCommand({ QueueName: '' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SQSServiceException);
    expect(error).toMatchObject({ name: 'MissingParameter' });
  });
});

describe('batches', () => {
  it('SendMessageBatch reports per-entry failures next to successes', async () => {
    const QueueUrl = await newQueue();
    const result = await local.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'ok1', MessageBody: 'one' },
          { Id: 'empty', MessageBody: '' },
          { Id: 'ok2', MessageBody: 'two', DelaySeconds: 0 },
          { Id: 'badchar', MessageBody: '\u0000' },
        ],
      }),
    );
    expect(result.Successful?.map((entry) => entry.Id)).toEqual(['ok1', 'ok2']);
    expect(result.Successful?.[0]?.MD5OfMessageBody).toBe(md5('one'));
    expect(result.Failed).toEqual([
      expect.objectContaining({ Id: 'empty', SenderFault: true, Code: 'MissingParameter' }),
      expect.objectContaining({ Id: 'badchar', SenderFault: true, Code: 'InvalidMessageContents' }),
    ]);
    expect((await attributes(QueueUrl)).ApproximateNumberOfMessages).toBe('2');
  });

  it('rejects malformed batches as a whole', async () => {
    const QueueUrl = await newQueue();
    await expect(
      local.sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [] })),
    ).rejects.toBeInstanceOf(EmptyBatchRequest);
    await expect(
      local.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl,
          Entries: [...Array(11).keys()].map((i) => ({ Id: `e${i}`, MessageBody: 'x' })),
        }),
      ),
    ).rejects.toBeInstanceOf(TooManyEntriesInBatchRequest);
    await expect(
      local.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl,
          Entries: [
            { Id: 'same', MessageBody: 'x' },
            { Id: 'same', MessageBody: 'y' },
          ],
        }),
      ),
    ).rejects.toBeInstanceOf(BatchEntryIdsNotDistinct);
    await expect(
      local.sqs.send(
        new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'has space', MessageBody: 'x' }] }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidBatchEntryId' });
  });

  it('DeleteMessageBatch and ChangeMessageVisibilityBatch handle good and bad handles per entry', async () => {
    const QueueUrl = await newQueue({ VisibilityTimeout: '30' });
    await local.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: ['a', 'b', 'c'].map((body) => ({ Id: body, MessageBody: body })),
      }),
    );
    const received =
      (await local.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages ?? [];
    expect(received).toHaveLength(3);
    const [a, b, c] = received;
    const changed = await local.sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'a', ReceiptHandle: a?.ReceiptHandle, VisibilityTimeout: 0 },
          { Id: 'bad', ReceiptHandle: 'not-a-handle', VisibilityTimeout: 0 },
        ],
      }),
    );
    expect(changed.Successful?.map((entry) => entry.Id)).toEqual(['a']);
    expect(changed.Failed).toEqual([
      expect.objectContaining({ Id: 'bad', Code: 'ReceiptHandleIsInvalid', SenderFault: true }),
    ]);
    expect((await attributes(QueueUrl)).ApproximateNumberOfMessages).toBe('1');

    const deleted = await local.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'b', ReceiptHandle: b?.ReceiptHandle },
          { Id: 'c', ReceiptHandle: c?.ReceiptHandle },
          { Id: 'bad', ReceiptHandle: 'xyz' },
        ],
      }),
    );
    expect(deleted.Successful?.map((entry) => entry.Id)).toEqual(['b', 'c']);
    expect(deleted.Failed?.map((entry) => entry.Code)).toEqual(['ReceiptHandleIsInvalid']);
    const attrs = await attributes(QueueUrl);
    expect([attrs.ApproximateNumberOfMessages, attrs.ApproximateNumberOfMessagesNotVisible]).toEqual([
      '1',
      '0',
    ]);
  });
});
