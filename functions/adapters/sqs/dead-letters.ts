import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { callAws } from '../errors';

export interface DeadLetter {
  readonly messageId: string;
  readonly body: string;
  readonly receiveCount: number;
  readonly sentAt?: string;
}

/** How long peeked messages stay hidden while the page is read; they are made visible again right after. */
const peekSeconds = 30;

/**
 * Reads up to `limit` messages of a dead-letter queue without consuming them: each is received (hidden for a
 * moment, so paging does not see it twice) and then made visible again, so a redrive can move it at once.
 */
export async function peekDeadLetters(sqs: SQSClient, queueUrl: string, limit = 100): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  const handles: string[] = [];
  try {
    while (letters.length < limit) {
      const { Messages = [] } = await callAws('peekDeadLetters', () =>
        sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: Math.min(10, limit - letters.length),
            VisibilityTimeout: peekSeconds,
            WaitTimeSeconds: 0,
            MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
          }),
        ),
      );
      if (Messages.length === 0) break;
      for (const message of Messages) {
        if (message.ReceiptHandle) handles.push(message.ReceiptHandle);
        const sent = Number(message.Attributes?.SentTimestamp);
        letters.push({
          messageId: message.MessageId ?? '',
          body: message.Body ?? '',
          // This peek is a receive too: report the deliveries before it.
          receiveCount: Math.max(0, Number(message.Attributes?.ApproximateReceiveCount ?? 1) - 1),
          ...(Number.isFinite(sent) ? { sentAt: new Date(sent).toISOString() } : {}),
        });
      }
    }
  } finally {
    for (let start = 0; start < handles.length; start += 10) {
      const batch = handles.slice(start, start + 10);
      await callAws('unhideDeadLetters', () =>
        sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queueUrl,
            Entries: batch.map((handle, index) => ({
              Id: String(index),
              ReceiptHandle: handle,
              VisibilityTimeout: 0,
            })),
          }),
        ),
      );
    }
  }
  return letters;
}

export async function deadLetterQueueFigures(
  sqs: SQSClient,
  queueUrl: string,
): Promise<{ arn: string; approximateMessages: number }> {
  const { Attributes = {} } = await callAws('getDeadLetterQueueAttributes', () =>
    sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['QueueArn', 'ApproximateNumberOfMessages'],
      }),
    ),
  );
  return {
    arn: Attributes.QueueArn ?? '',
    approximateMessages: Number(Attributes.ApproximateNumberOfMessages ?? 0),
  };
}

export type RedriveDeadLettersResult =
  | { readonly kind: 'started'; readonly taskHandle: string; readonly approximateMessagesToMove: number }
  | { readonly kind: 'already-running' };

/**
 * Moves a dead-letter queue's messages back to the queue they came from (SQS StartMessageMoveTask without a
 * destination). SQS runs one move task per queue at a time; a second request while it runs is refused.
 */
export async function redriveDeadLetters(
  sqs: SQSClient,
  queueUrl: string,
): Promise<RedriveDeadLettersResult> {
  const { arn, approximateMessages } = await deadLetterQueueFigures(sqs, queueUrl);
  const { Results = [] } = await callAws('listMessageMoveTasks', () =>
    sqs.send(new ListMessageMoveTasksCommand({ SourceArn: arn, MaxResults: 1 })),
  );
  if (Results[0]?.Status === 'RUNNING') return { kind: 'already-running' };
  const { TaskHandle } = await callAws('startMessageMoveTask', () =>
    sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn })),
  );
  return { kind: 'started', taskHandle: TaskHandle ?? '', approximateMessagesToMove: approximateMessages };
}
