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
 * Each receive long-polls briefly: a long poll asks every SQS server, so it returns any visible message at
 * once, whereas a zero-wait receive samples a subset of the servers and may come back empty although messages
 * are there (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-short-and-long-polling.html).
 */
const receiveWaitSeconds = 1;
/** Consecutive empty receives after which the listing stops short of what the queue announced. */
const maxEmptyReceives = 3;

export interface DeadLetterPeek {
  /** Distinct messages seen (a standard queue may deliver one twice; it is listed once). */
  readonly letters: DeadLetter[];
  /** ApproximateNumberOfMessages (visible) when the listing started: what it set out to list. */
  readonly approximateMessages: number;
  /** Whether every announced message was seen (false when it gave up early, or `limit` cut it short). */
  readonly complete: boolean;
}

/**
 * Reads up to `limit` messages of a dead-letter queue without consuming them: each is received (hidden for a
 * moment, so paging does not see it twice) and then made visible again, so a redrive can move it at once.
 *
 * SQS standard queues deliver at least once, so the listing does not trust a single receive: it keeps
 * receiving until it has seen as many distinct messages as ApproximateNumberOfMessages announced (or
 * `limit`), deduplicating by MessageId, and gives up only after several empty receives in a row or when its
 * time budget is spent; `complete` says whether it got there.
 */
export async function peekDeadLetters(
  sqs: SQSClient,
  queueUrl: string,
  { limit = 100, budgetMs = 5_000 }: { limit?: number; budgetMs?: number } = {},
): Promise<DeadLetterPeek> {
  const deadline = Date.now() + budgetMs;
  const { approximateMessages } = await deadLetterQueueFigures(sqs, queueUrl);
  const wanted = Math.min(limit, approximateMessages);
  const letters = new Map<string, DeadLetter>();
  const handles: string[] = [];
  let emptyReceives = 0;
  try {
    while (letters.size < wanted && emptyReceives < maxEmptyReceives && Date.now() < deadline) {
      const { Messages = [] } = await callAws('peekDeadLetters', () =>
        sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: Math.min(10, wanted - letters.size),
            VisibilityTimeout: peekSeconds,
            WaitTimeSeconds: receiveWaitSeconds,
            MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
          }),
        ),
      );
      emptyReceives = Messages.length === 0 ? emptyReceives + 1 : 0;
      for (const message of Messages) {
        if (message.ReceiptHandle) handles.push(message.ReceiptHandle);
        const messageId = message.MessageId ?? '';
        if (letters.has(messageId) || letters.size >= limit) continue;
        const sent = Number(message.Attributes?.SentTimestamp);
        letters.set(messageId, {
          messageId,
          body: message.Body ?? '',
          // This peek is a receive too: report the deliveries before it.
          receiveCount: Math.max(0, Number(message.Attributes?.ApproximateReceiveCount ?? 1) - 1),
          ...(Number.isFinite(sent) ? { sentAt: new Date(sent).toISOString() } : {}),
        });
      }
    }
  } finally {
    await unhide(sqs, queueUrl, handles);
  }
  return {
    letters: [...letters.values()],
    approximateMessages,
    complete: letters.size >= approximateMessages,
  };
}

/** Makes peeked messages visible again (every received copy: each has its own receipt handle). */
async function unhide(sqs: SQSClient, queueUrl: string, handles: string[]): Promise<void> {
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

/** A move task that still holds the queue: SQS allows one active task per source queue. */
const activeStatuses = new Set(['RUNNING', 'CANCELLING']);

async function newestMoveTaskIsActive(sqs: SQSClient, arn: string): Promise<boolean> {
  const { Results = [] } = await callAws('listMessageMoveTasks', () =>
    sqs.send(new ListMessageMoveTasksCommand({ SourceArn: arn, MaxResults: 1 })),
  );
  return activeStatuses.has(Results[0]?.Status ?? '');
}

/**
 * Moves a dead-letter queue's messages back to the queue they came from (SQS StartMessageMoveTask without a
 * destination). SQS runs one move task per queue at a time, asynchronously: while one is RUNNING (or still
 * CANCELLING), a second request is refused, including when two requests race past the check.
 */
export async function redriveDeadLetters(
  sqs: SQSClient,
  queueUrl: string,
): Promise<RedriveDeadLettersResult> {
  const { arn, approximateMessages } = await deadLetterQueueFigures(sqs, queueUrl);
  if (await newestMoveTaskIsActive(sqs, arn)) return { kind: 'already-running' };
  try {
    const { TaskHandle } = await callAws('startMessageMoveTask', () =>
      sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn })),
    );
    return { kind: 'started', taskHandle: TaskHandle ?? '', approximateMessagesToMove: approximateMessages };
  } catch (error) {
    // Another redrive started in between: SQS refuses the second task; report it as such.
    if (await newestMoveTaskIsActive(sqs, arn)) return { kind: 'already-running' };
    throw error;
  }
}
