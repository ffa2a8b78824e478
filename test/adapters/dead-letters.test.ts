import {
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { peekDeadLetters, redriveDeadLetters } from '../../functions/adapters/sqs/dead-letters';
import { queueArn } from '../../local/emulators/protocol/identity';
import type { DeliveryOptions } from '../../local/emulators/sqs/delivery';
import { eventually, startTestSqs, visibleAndInFlight } from '../local/sqs/helpers';

/**
 * The ops dead-letter adapter against the local SQS in at-least-once mode, which (like AWS) delivers
 * duplicates, reorders and answers zero-wait receives with nothing although messages are there.
 */
const queues = [
  { name: 'feed-dlq' },
  { name: 'feed', redrivePolicy: { deadLetterQueueName: 'feed-dlq', maxReceiveCount: 3 } },
];

async function withDeadLetters<T>(
  delivery: DeliveryOptions,
  count: number,
  run: (sqs: SQSClient, dlqUrl: string, feedUrl: string) => Promise<T>,
): Promise<T> {
  // A slow move rate, so a started redrive is certainly still RUNNING when the next request comes.
  const local = await startTestSqs({ queues, delivery, moveRatePerSecond: 5 });
  try {
    const dlqUrl = local.service.queueUrl('feed-dlq');
    for (let index = 0; index < count; index++) {
      await local.sqs.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: `letter-${index}` }));
    }
    return await run(local.sqs, dlqUrl, local.service.queueUrl('feed'));
  } finally {
    await local.close();
  }
}

const letters = (count: number) => Array.from({ length: count }, (_, index) => `letter-${index}`).sort();

describe('peekDeadLetters under at-least-once delivery', () => {
  it('lists every dead letter exactly once although zero-wait receives come back empty and every message is delivered twice', async () => {
    // emptyReceive 1: every zero-wait receive is empty (a listing that stops at the first empty receive lists
    // nothing); duplicate 1: every received message leaves a copy behind that is delivered again.
    const delivery = { mode: 'at-least-once', seed: 8, duplicate: 1, reorder: 0.5, emptyReceive: 1 } as const;
    await withDeadLetters(delivery, 25, async (sqs, dlqUrl) => {
      for (let round = 0; round < 2; round++) {
        const peek = await peekDeadLetters(sqs, dlqUrl);
        expect(peek).toMatchObject({ approximateMessages: 25, complete: true });
        expect(peek.letters.map((letter) => letter.body).sort()).toEqual(letters(25));
        expect(new Set(peek.letters.map((letter) => letter.messageId)).size).toBe(25);
        // Left in place and visible again: a redrive can move them at once.
        expect(await visibleAndInFlight(sqs, dlqUrl)).toEqual([25, 0]);
      }
    });
  });

  it('is complete with the default at-least-once probabilities', async () => {
    await withDeadLetters({ mode: 'at-least-once', seed: 77 }, 25, async (sqs, dlqUrl) => {
      const peek = await peekDeadLetters(sqs, dlqUrl);
      expect(peek.complete).toBe(true);
      expect(peek.letters.map((letter) => letter.body).sort()).toEqual(letters(25));
      expect(peek.letters.every((letter) => letter.receiveCount === 0)).toBe(true);
    });
  });

  it('says so when it lists fewer than the queue holds', async () => {
    await withDeadLetters({ mode: 'at-least-once', seed: 5 }, 12, async (sqs, dlqUrl) => {
      const peek = await peekDeadLetters(sqs, dlqUrl, { limit: 5 });
      expect(peek).toMatchObject({ approximateMessages: 12, complete: false });
      expect(peek.letters).toHaveLength(5);
    });
  });
});

describe('redriveDeadLetters', () => {
  it('starts one asynchronous move task; a second request while it runs (or races it) is refused as already running', async () => {
    await withDeadLetters({ mode: 'at-least-once', seed: 21 }, 10, async (sqs, dlqUrl, feedUrl) => {
      const deadIds = (await peekDeadLetters(sqs, dlqUrl)).letters.map((letter) => letter.messageId);
      const results = await Promise.all([redriveDeadLetters(sqs, dlqUrl), redriveDeadLetters(sqs, dlqUrl)]);
      expect(results.map((result) => result.kind).sort()).toEqual(['already-running', 'started']);
      expect(await redriveDeadLetters(sqs, dlqUrl)).toEqual({ kind: 'already-running' });

      const { Results } = await sqs.send(
        new ListMessageMoveTasksCommand({ SourceArn: queueArn('feed-dlq'), MaxResults: 10 }),
      );
      expect(Results).toHaveLength(1);
      await eventually(async () => {
        const [visible] = await visibleAndInFlight(sqs, feedUrl);
        return visible === 10 ? true : undefined;
      }, 20_000);
      expect(await visibleAndInFlight(sqs, dlqUrl)).toEqual([0, 0]);
      // Redriven messages are new messages: none keeps its dead-letter MessageId.
      const moved = await eventually(async () => {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: feedUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
        );
        return Messages.length > 0 ? Messages : undefined;
      });
      for (const message of moved) expect(deadIds).not.toContain(message.MessageId);
      // Once the task has finished, a new redrive starts.
      await eventually(async () => {
        const result = await redriveDeadLetters(sqs, dlqUrl);
        return result.kind === 'started' ? result : undefined;
      }, 20_000);
    });
  });
});
