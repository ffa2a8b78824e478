import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { queueArn } from '../../../local/emulators/protocol/identity';
import { eventually, startTestSqs } from './helpers';

const directory = mkdtempSync(join(tmpdir(), 'local-sqs-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('persistence', () => {
  it('keeps queues, messages, receive counts and in-flight state across a restart', async () => {
    const persistFile = join(directory, 'sqs.json');
    const queues = [{ name: 'kept', visibilityTimeoutSeconds: 30 }];

    const first = await startTestSqs({ queues, persistFile });
    await first.sqs.send(new CreateQueueCommand({ QueueName: 'created-at-runtime' }));
    const kept = first.service.queueUrl('kept');
    for (const body of ['one', 'two', 'three'])
      await first.sqs.send(new SendMessageCommand({ QueueUrl: kept, MessageBody: body }));
    const received = await first.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: kept, MaxNumberOfMessages: 2 }),
    );
    const [one, two] = received.Messages ?? [];
    await first.sqs.send(new DeleteMessageCommand({ QueueUrl: kept, ReceiptHandle: one?.ReceiptHandle }));
    await first.close();
    // Atomic write: only the final file remains, no temporary leftovers.
    expect(readdirSync(directory)).toEqual(['sqs.json']);

    const second = await startTestSqs({ queues, persistFile });
    const keptAgain = second.service.queueUrl('kept');
    expect(
      (await second.sqs.send(new GetQueueUrlCommand({ QueueName: 'created-at-runtime' }))).QueueUrl,
    ).toBe(second.service.queueUrl('created-at-runtime'));
    const { Attributes } = await second.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: keptAgain, AttributeNames: ['All'] }),
    );
    expect([
      Attributes?.ApproximateNumberOfMessages,
      Attributes?.ApproximateNumberOfMessagesNotVisible,
    ]).toEqual(['1', '1']);
    // The receipt handle issued before the restart is still the current one.
    await second.sqs.send(
      new DeleteMessageCommand({ QueueUrl: keptAgain, ReceiptHandle: two?.ReceiptHandle }),
    );
    const left = await second.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: keptAgain, AttributeNames: ['All'] }),
    );
    expect(left.Messages?.map((message) => message.Body)).toEqual(['three']);
    await second.close();
  });

  it('saves changes without a clean shutdown (debounced writes)', async () => {
    const persistFile = join(directory, 'debounced.json');
    const first = await startTestSqs({ queues: [{ name: 'q' }], persistFile });
    await first.sqs.send(
      new SendMessageCommand({ QueueUrl: first.service.queueUrl('q'), MessageBody: 'saved' }),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Read the file as a fresh service would, while the first one is still running.
    const second = await startTestSqs({ queues: [{ name: 'q' }], persistFile: persistFile });
    const { Messages } = await second.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: second.service.queueUrl('q') }),
    );
    expect(Messages?.[0]?.Body).toBe('saved');
    await second.close();
    await first.close();
  });

  it('applies changed definitions over persisted settings', async () => {
    const persistFile = join(directory, 'definitions.json');
    const first = await startTestSqs({ queues: [{ name: 'q', visibilityTimeoutSeconds: 10 }], persistFile });
    await first.close();
    const second = await startTestSqs({ queues: [{ name: 'q', visibilityTimeoutSeconds: 20 }], persistFile });
    const { Attributes } = await second.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: second.service.queueUrl('q'),
        AttributeNames: ['VisibilityTimeout'],
      }),
    );
    expect(Attributes?.VisibilityTimeout).toBe('20');
    await second.close();
  });

  it('resumes a running message move task after a restart, and keeps stale copies of at-least-once delivery', async () => {
    const persistFile = join(directory, 'moves.json');
    const queues = [
      { name: 'm-dlq' },
      { name: 'm', redrivePolicy: { deadLetterQueueName: 'm-dlq', maxReceiveCount: 5 } },
    ];
    const delivery = { mode: 'at-least-once', seed: 4, duplicate: 1, reorder: 0, emptyReceive: 0 } as const;
    const first = await startTestSqs({ queues, persistFile, delivery });
    for (const body of ['x', 'y', 'z'])
      await first.sqs.send(
        new SendMessageCommand({ QueueUrl: first.service.queueUrl('m-dlq'), MessageBody: body }),
      );
    await first.sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: queueArn('m-dlq'), MaxNumberOfMessagesPerSecond: 1 }),
    );
    // A stale copy is left behind by this receive (duplicate 1); it is persisted with the queue.
    const { Messages: [original] = [] } = await first.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: first.service.queueUrl('m'), WaitTimeSeconds: 5 }),
    );
    await first.sqs.send(
      new DeleteMessageCommand({
        QueueUrl: first.service.queueUrl('m'),
        ReceiptHandle: original?.ReceiptHandle,
      }),
    );
    await first.close();

    const second = await startTestSqs({ queues, persistFile, delivery });
    const done = await eventually(async () => {
      const { Results = [] } = await second.sqs.send(
        new ListMessageMoveTasksCommand({ SourceArn: queueArn('m-dlq') }),
      );
      return Results[0]?.Status === 'RUNNING' ? undefined : Results[0];
    });
    expect(done).toMatchObject({ Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 3 });
    const bodies: string[] = [];
    let copyOfOriginal = 0;
    for (;;) {
      const { Messages = [] } = await second.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: second.service.queueUrl('m'),
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
        }),
      );
      if (Messages.length === 0) break;
      for (const message of Messages) {
        if (message.MessageId === original?.MessageId) copyOfOriginal++;
        else bodies.push(message.Body ?? '');
        await second.sqs.send(
          new DeleteMessageCommand({
            QueueUrl: second.service.queueUrl('m'),
            ReceiptHandle: message.ReceiptHandle,
          }),
        );
      }
    }
    // The deleted message's copy survived the restart; the other two arrived (with their own copies).
    expect(copyOfOriginal).toBe(1);
    expect(new Set(bodies)).toEqual(new Set(['x', 'y', 'z'].filter((body) => body !== original?.Body)));
    await second.close();
  });
});
