import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type QueueAttributeName,
  ReceiveMessageCommand,
  ResourceNotFoundException,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { queueArn } from '../../../local/emulators/protocol/identity';
import type { DeadLetterEvent } from '../../../local/emulators/sqs/engine';
import { eventually, useTestSqs } from './helpers';

const deadLettered: DeadLetterEvent[] = [];
const local = useTestSqs({
  onDeadLetter: (event) => deadLettered.push(event),
  queues: [
    { name: 'work-dlq' },
    {
      name: 'work',
      visibilityTimeoutSeconds: 30,
      redrivePolicy: { deadLetterQueueName: 'work-dlq', maxReceiveCount: 2 },
    },
    { name: 'other-dlq' },
    { name: 'other', redrivePolicy: { deadLetterQueueName: 'other-dlq', maxReceiveCount: 1 } },
    { name: 'elsewhere' },
  ],
});

async function count(
  name: string,
  attribute: QueueAttributeName = 'ApproximateNumberOfMessages',
): Promise<number> {
  const { Attributes } = await local.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: local.service.queueUrl(name), AttributeNames: ['All'] }),
  );
  return Number(Attributes?.[attribute]);
}

/** Receives with a 0 s visibility timeout: the message is immediately receivable again (a fast "failed attempt"). */
const failedAttempt = (name: string) =>
  local.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: local.service.queueUrl(name),
      VisibilityTimeout: 0,
      MessageSystemAttributeNames: ['All'],
    }),
  );

describe('redrive policy', () => {
  it('moves a message to the DLQ instead of delivering it beyond maxReceiveCount', async () => {
    const { MessageId } = await local.sqs.send(
      new SendMessageCommand({ QueueUrl: local.service.queueUrl('work'), MessageBody: 'poison' }),
    );
    expect((await failedAttempt('work')).Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect((await failedAttempt('work')).Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
    // Third receive: receive count would exceed 2, so the message goes to the DLQ and nothing is returned.
    expect((await failedAttempt('work')).Messages).toBeUndefined();
    expect(await count('work')).toBe(0);
    expect(await count('work-dlq')).toBe(1);
    // The host is told (npm start prints it), once.
    expect(deadLettered.filter((event) => event.messageId === MessageId)).toEqual([
      { queue: 'work', deadLetterQueue: 'work-dlq', messageId: MessageId, receiveCount: 2 },
    ]);
    const dead = (
      await local.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: local.service.queueUrl('work-dlq'),
          VisibilityTimeout: 0,
          AttributeNames: ['All'],
        }),
      )
    ).Messages?.[0];
    expect(dead?.MessageId).toBe(MessageId);
    expect(dead?.Body).toBe('poison');
    expect(dead?.Attributes?.DeadLetterQueueSourceArn).toBe(queueArn('work'));
  });

  it('redrives after the visibility timeout lapses (real timing)', async () => {
    const { QueueUrl: dlqUrl } = await local.sqs.send(new CreateQueueCommand({ QueueName: 'timed-dlq' }));
    const { QueueUrl } = await local.sqs.send(
      new CreateQueueCommand({
        QueueName: 'timed',
        Attributes: {
          VisibilityTimeout: '1',
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn('timed-dlq'), maxReceiveCount: 1 }),
        },
      }),
    );
    await local.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'slow' }));
    expect((await local.sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages).toHaveLength(1);
    // A long poll on the source wakes when the message becomes visible, finds it over the limit, moves it.
    const started = Date.now();
    expect(
      (await local.sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 2 }))).Messages,
    ).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    const dlq = await local.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    expect(dlq.Attributes?.ApproximateNumberOfMessages).toBe('1');
  });
});

/** Polls ListMessageMoveTasks until the newest task of `dlq` has left RUNNING; returns it. */
async function settledTask(dlq: string) {
  return eventually(async () => {
    const { Results } = await local.sqs.send(new ListMessageMoveTasksCommand({ SourceArn: queueArn(dlq) }));
    const newest = Results?.[0];
    return newest && newest.Status !== 'RUNNING' && newest.Status !== 'CANCELLING' ? newest : undefined;
  });
}

describe('StartMessageMoveTask', () => {
  it('moves every DLQ message back to its source queue as a new message: new MessageId, receive count reset', async () => {
    for (const body of ['a', 'b', 'c']) {
      await local.sqs.send(
        new SendMessageCommand({ QueueUrl: local.service.queueUrl('other'), MessageBody: body }),
      );
    }
    await failedAttempt('other');
    await local.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: local.service.queueUrl('other'),
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
      }),
    );
    // Everything has been received once (maxReceiveCount 1): the next receive dead-letters all three.
    expect((await failedAttempt('other')).Messages).toBeUndefined();
    expect(await count('other-dlq')).toBe(3);
    const dead = await local.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: local.service.queueUrl('other-dlq'),
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
      }),
    );
    const deadIds = (dead.Messages ?? []).map((message) => message.MessageId);
    expect(deadIds).toHaveLength(3);

    const { TaskHandle } = await local.sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: queueArn('other-dlq') }),
    );
    expect(TaskHandle).toEqual(expect.any(String));
    expect(await settledTask('other-dlq')).toMatchObject({
      Status: 'COMPLETED',
      SourceArn: queueArn('other-dlq'),
      ApproximateNumberOfMessagesMoved: 3,
      ApproximateNumberOfMessagesToMove: 3,
    });
    expect(await count('other-dlq')).toBe(0);
    expect(await count('other')).toBe(3);
    const back = await local.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: local.service.queueUrl('other'),
        MaxNumberOfMessages: 10,
        AttributeNames: ['All'],
      }),
    );
    expect(back.Messages?.map((message) => message.Body).sort()).toEqual(['a', 'b', 'c']);
    expect(back.Messages?.map((message) => message.Attributes?.ApproximateReceiveCount)).toEqual([
      '1',
      '1',
      '1',
    ]);
    expect(back.Messages?.[0]?.Attributes?.DeadLetterQueueSourceArn).toBeUndefined();
    // "All redriven messages are considered new messages with a new messageID".
    for (const message of back.Messages ?? []) expect(deadIds).not.toContain(message.MessageId);

    const { Results } = await local.sqs.send(
      new ListMessageMoveTasksCommand({ SourceArn: queueArn('other-dlq'), MaxResults: 10 }),
    );
    expect(Results).toHaveLength(1);
    // A finished task no longer shows its handle (only RUNNING ones do).
    expect(Results?.[0]?.TaskHandle).toBeUndefined();
    expect(Results?.[0]?.StartedTimestamp).toBeGreaterThan(Date.now() - 60_000);
  });

  it('moves to an explicit DestinationArn, and only visible messages', async () => {
    await local.sqs.send(
      new SendMessageCommand({ QueueUrl: local.service.queueUrl('work-dlq'), MessageBody: 'direct-1' }),
    );
    await local.sqs.send(
      new SendMessageCommand({ QueueUrl: local.service.queueUrl('work-dlq'), MessageBody: 'direct-2' }),
    );
    await local.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: local.service.queueUrl('work-dlq'), VisibilityTimeout: 30 }),
    );
    const visibleBefore = await count('work-dlq');
    await local.sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: queueArn('work-dlq'),
        DestinationArn: queueArn('elsewhere'),
      }),
    );
    expect(await settledTask('work-dlq')).toMatchObject({
      Status: 'COMPLETED',
      DestinationArn: queueArn('elsewhere'),
      ApproximateNumberOfMessagesMoved: visibleBefore,
    });
    expect(await count('elsewhere')).toBe(visibleBefore);
    expect(await count('work-dlq')).toBe(0);
    expect(await count('work-dlq', 'ApproximateNumberOfMessagesNotVisible')).toBe(1);
  });

  it('rejects sources that are not dead-letter queues or do not exist', async () => {
    await expect(
      local.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: queueArn('elsewhere') })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
    await expect(
      local.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: queueArn('ghost') })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('an empty DLQ completes a task that moved nothing', async () => {
    const { Results: before } = await local.sqs.send(
      new ListMessageMoveTasksCommand({ SourceArn: queueArn('other-dlq') }),
    );
    await local.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: queueArn('other-dlq') }));
    expect(await settledTask('other-dlq')).toMatchObject({
      Status: 'COMPLETED',
      ApproximateNumberOfMessagesMoved: 0,
      ApproximateNumberOfMessagesToMove: 0,
    });
    // MaxResults defaults to 1 (as in AWS): the newest task.
    const { Results } = await local.sqs.send(
      new ListMessageMoveTasksCommand({ SourceArn: queueArn('other-dlq') }),
    );
    expect(Results).toHaveLength(1);
    expect(before).toHaveLength(1);
  });
});
