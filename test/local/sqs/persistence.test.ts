import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestSqs } from './helpers';

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
});
