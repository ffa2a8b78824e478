import {
  CancelMessageMoveTaskCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type ListMessageMoveTasksResultEntry,
  ReceiveMessageCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { queueArn } from '../../../local/emulators/protocol/identity';
import { eventually, useTestSqs } from './helpers';

/**
 * Message move tasks run asynchronously, as on AWS: RUNNING (with progress) then COMPLETED, at the requested
 * rate; cancellable while RUNNING; one active task per DLQ; moved messages are new messages.
 */
const local = useTestSqs({
  queues: [
    { name: 'slow-dlq' },
    { name: 'slow', redrivePolicy: { deadLetterQueueName: 'slow-dlq', maxReceiveCount: 1 } },
    { name: 'stop-dlq' },
    { name: 'stop', redrivePolicy: { deadLetterQueueName: 'stop-dlq', maxReceiveCount: 1 } },
  ],
});

async function fill(queue: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index++) {
    const { MessageId } = await local.sqs.send(
      new SendMessageCommand({ QueueUrl: local.service.queueUrl(queue), MessageBody: `${queue}-${index}` }),
    );
    ids.push(MessageId ?? '');
  }
  return ids;
}

async function newestTask(dlq: string): Promise<ListMessageMoveTasksResultEntry | undefined> {
  const { Results } = await local.sqs.send(new ListMessageMoveTasksCommand({ SourceArn: queueArn(dlq) }));
  return Results?.[0];
}

async function visible(queue: string): Promise<number> {
  const { Attributes } = await local.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: local.service.queueUrl(queue),
      AttributeNames: ['ApproximateNumberOfMessages'],
    }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages);
}

describe('message move tasks', () => {
  it('run asynchronously: RUNNING with growing progress at the given rate, then COMPLETED; moved messages get new MessageIds', async () => {
    const deadIds = await fill('slow-dlq', 3);
    const { TaskHandle } = await local.sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: queueArn('slow-dlq'), MaxNumberOfMessagesPerSecond: 1 }),
    );
    // StartMessageMoveTask answers at once; the task then runs (one message a second here).
    const started = await newestTask('slow-dlq');
    expect(started).toMatchObject({
      Status: 'RUNNING',
      TaskHandle,
      MaxNumberOfMessagesPerSecond: 1,
      ApproximateNumberOfMessagesToMove: 3,
    });
    expect(started?.ApproximateNumberOfMessagesMoved).toBeLessThan(3);
    // Part-way: still RUNNING, some moved, some still in the DLQ.
    const partWay = await eventually(async () => {
      const task = await newestTask('slow-dlq');
      const moved = task?.ApproximateNumberOfMessagesMoved ?? 0;
      return task?.Status === 'RUNNING' && moved >= 1 && moved < 3 ? task : undefined;
    });
    expect(partWay.TaskHandle).toBe(TaskHandle);
    await expect(
      local.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: queueArn('slow-dlq') })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });

    const done = await eventually(async () => {
      const task = await newestTask('slow-dlq');
      return task?.Status === 'RUNNING' ? undefined : task;
    });
    expect(done).toMatchObject({
      Status: 'COMPLETED',
      ApproximateNumberOfMessagesMoved: 3,
      ApproximateNumberOfMessagesToMove: 3,
    });
    expect(done.TaskHandle).toBeUndefined();
    expect(await visible('slow-dlq')).toBe(0);
    const { Messages = [] } = await local.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: local.service.queueUrl('slow'),
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    expect(Messages.map((message) => message.Body).sort()).toEqual([
      'slow-dlq-0',
      'slow-dlq-1',
      'slow-dlq-2',
    ]);
    for (const message of Messages) {
      expect(deadIds).not.toContain(message.MessageId);
      expect(message.Attributes?.ApproximateReceiveCount).toBe('1');
    }
  });

  it('CancelMessageMoveTask stops a RUNNING task; moved messages stay moved, the rest stay in the DLQ', async () => {
    await fill('stop-dlq', 6);
    const { TaskHandle } = await local.sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: queueArn('stop-dlq'), MaxNumberOfMessagesPerSecond: 1 }),
    );
    await eventually(async () => {
      const task = await newestTask('stop-dlq');
      return task?.Status === 'RUNNING' && (task.ApproximateNumberOfMessagesMoved ?? 0) >= 1
        ? task
        : undefined;
    });
    const cancelled = await local.sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle }));
    const movedAtCancel = cancelled.ApproximateNumberOfMessagesMoved ?? 0;
    expect(movedAtCancel).toBeGreaterThanOrEqual(1);
    expect(movedAtCancel).toBeLessThan(6);
    // Until it has stopped, the task is still active: no second task, and it cannot be cancelled twice.
    expect((await newestTask('stop-dlq'))?.Status).toBe('CANCELLING');
    await expect(
      local.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: queueArn('stop-dlq') })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(local.sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle }))).rejects.toMatchObject({
      name: 'UnsupportedOperation',
    });
    const stopped = await eventually(async () => {
      const task = await newestTask('stop-dlq');
      return task?.Status === 'CANCELLED' ? task : undefined;
    });
    expect(stopped.ApproximateNumberOfMessagesMoved).toBe(movedAtCancel);
    expect(await visible('stop')).toBe(movedAtCancel);
    expect(await visible('stop-dlq')).toBe(6 - movedAtCancel);

    // A new task can start once it has stopped, and moves the rest.
    await local.sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: queueArn('stop-dlq'), MaxNumberOfMessagesPerSecond: 500 }),
    );
    const rest = await eventually(async () => {
      const task = await newestTask('stop-dlq');
      return task?.Status === 'COMPLETED' ? task : undefined;
    });
    expect(rest.ApproximateNumberOfMessagesMoved).toBe(6 - movedAtCancel);
    expect(await visible('stop')).toBe(6);
  });

  it('refuses a rate outside 1..500 and an unknown task handle', async () => {
    await expect(
      local.sqs.send(
        new StartMessageMoveTaskCommand({
          SourceArn: queueArn('slow-dlq'),
          MaxNumberOfMessagesPerSecond: 501,
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(
      local.sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: 'bm9wZQ==' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
