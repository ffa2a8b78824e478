import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import {
  type DeliveryOptions,
  parseDeliveryEnvironment,
  resolveDelivery,
} from '../../../local/emulators/sqs/delivery';
import type { LocalQueueDefinition } from '../../../local/emulators/sqs/service';
import { startTestSqs, visibleAndInFlight } from './helpers';

/**
 * The at-least-once delivery mode behaves like an AWS standard queue: duplicates, reordering and empty short
 * polls, drawn from a seeded stream so a run can be replayed. Every test fixes its seed.
 */

async function withSqs<T>(
  delivery: DeliveryOptions,
  run: (sqs: SQSClient, url: string) => Promise<T>,
  queues: LocalQueueDefinition[] = [{ name: 'q' }],
): Promise<T> {
  const local = await startTestSqs({ queues, delivery });
  try {
    return await run(local.sqs, local.service.queueUrl(queues.at(-1)?.name ?? 'q'));
  } finally {
    await local.close();
  }
}

async function send(sqs: SQSClient, QueueUrl: string, bodies: string[]): Promise<void> {
  for (const MessageBody of bodies) await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody }));
}

/** A receive whose messages stay visible (VisibilityTimeout 0): the queue does not change between calls. */
async function peek(sqs: SQSClient, QueueUrl: string, WaitTimeSeconds: number): Promise<string[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds }),
  );
  return Messages.map((message) => message.Body ?? '');
}

const numbered = (count: number) => Array.from({ length: count }, (_, index) => `m${index}`);

describe('at-least-once delivery', () => {
  it('delivers a stale copy with the same MessageId while the first is in flight, and again after a delete; each copy is deleted with its own handle', async () => {
    const options = { mode: 'at-least-once', seed: 11, duplicate: 1, reorder: 0, emptyReceive: 0 } as const;
    await withSqs(options, async (sqs, QueueUrl) => {
      const long = (VisibilityTimeout = 30) =>
        sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 2, VisibilityTimeout }));
      const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'once' }));
      const first = (await long()).Messages?.[0];
      expect(first?.MessageId).toBe(MessageId);
      // The first copy is in flight for 30 s, yet the message is delivered again: a stale copy.
      const second = (await long()).Messages?.[0];
      expect(second?.MessageId).toBe(MessageId);
      expect(second?.ReceiptHandle).not.toBe(first?.ReceiptHandle);
      // Stale copies are not counted: one message, in flight.
      expect(await visibleAndInFlight(sqs, QueueUrl)).toEqual([0, 1]);
      await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: first?.ReceiptHandle }));
      // A copy that is not deleted comes back, like any message whose visibility lapses.
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl,
          ReceiptHandle: second?.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
      const again = (await long()).Messages?.[0];
      expect(again?.MessageId).toBe(MessageId);
      await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: again?.ReceiptHandle }));
      expect((await long(0)).Messages).toBeUndefined();

      // After a delete: the copy left behind by the receive still turns up.
      const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'deleted' }));
      const received = (await long()).Messages?.[0];
      await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: received?.ReceiptHandle }));
      expect(await visibleAndInFlight(sqs, QueueUrl)).toEqual([0, 0]);
      const stale = (await long()).Messages?.[0];
      expect(stale).toMatchObject({ MessageId: sent.MessageId, Body: 'deleted' });
      await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: stale?.ReceiptHandle }));
      expect((await long(0)).Messages).toBeUndefined();
    });
  });

  it('with a fixed seed and a 10 % duplicate rate, some messages are delivered twice; deleting every delivery empties the queue', async () => {
    const options = {
      mode: 'at-least-once',
      seed: 2024,
      duplicate: 0.1,
      reorder: 0,
      emptyReceive: 0,
    } as const;
    await withSqs(options, async (sqs, QueueUrl) => {
      await send(sqs, QueueUrl, numbered(60));
      const deliveries = new Map<string, number>();
      for (;;) {
        // A long poll (1 s) outlasts the delay of any stale copy left by the previous receive.
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
        );
        if (Messages.length === 0) break;
        // One response never holds two copies of a message.
        expect(new Set(Messages.map((message) => message.MessageId)).size).toBe(Messages.length);
        for (const message of Messages) {
          deliveries.set(message.Body ?? '', (deliveries.get(message.Body ?? '') ?? 0) + 1);
          await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
        }
      }
      expect([...deliveries.keys()].sort()).toEqual(numbered(60).sort());
      const twice = [...deliveries.values()].filter((count) => count === 2).length;
      expect(twice).toBeGreaterThan(0);
      expect(twice).toBeLessThan(30);
      expect(Math.max(...deliveries.values())).toBe(2);
      expect(await visibleAndInFlight(sqs, QueueUrl)).toEqual([0, 0]);
    });
  });

  it('reorders: some receives take the messages out of send order (exact mode never does)', async () => {
    const bodies = numbered(10);
    const rounds = async (delivery: DeliveryOptions) =>
      withSqs(delivery, async (sqs, QueueUrl) => {
        await send(sqs, QueueUrl, bodies);
        const seen: string[][] = [];
        for (let round = 0; round < 10; round++) seen.push(await peek(sqs, QueueUrl, 1));
        return seen;
      });
    const reordered = await rounds({ mode: 'at-least-once', seed: 5, duplicate: 0, emptyReceive: 0 });
    for (const round of reordered) expect([...round].sort()).toEqual([...bodies].sort());
    expect(reordered.some((round) => round.join() !== bodies.join())).toBe(true);
    expect(reordered.some((round) => round.join() === bodies.join())).toBe(true);
    const exact = await rounds({ mode: 'exact' });
    for (const round of exact) expect(round).toEqual(bodies);
  });

  it('a zero-wait receive sometimes comes back empty while messages are visible; a long poll never does', async () => {
    const options = { mode: 'at-least-once', seed: 99, duplicate: 0, reorder: 0 } as const;
    await withSqs(options, async (sqs, QueueUrl) => {
      await send(sqs, QueueUrl, ['a', 'b', 'c']);
      const short: number[] = [];
      for (let round = 0; round < 20; round++) {
        short.push((await peek(sqs, QueueUrl, 0)).length);
        expect(await visibleAndInFlight(sqs, QueueUrl)).toEqual([3, 0]);
      }
      expect(short).toContain(0);
      expect(short).toContain(3);
      for (let round = 0; round < 20; round++) expect(await peek(sqs, QueueUrl, 1)).toHaveLength(3);
    });
  });

  it('is reproducible: the same seed gives the same deliveries, another seed others', async () => {
    const run = (seed: number) =>
      withSqs(
        { mode: 'at-least-once', seed, duplicate: 0, reorder: 0.5, emptyReceive: 0.5 },
        async (sqs, url) => {
          await send(sqs, url, numbered(5));
          const seen: string[] = [];
          for (let round = 0; round < 30; round++) seen.push((await peek(sqs, url, 0)).join() || '(empty)');
          return seen;
        },
      );
    const first = await run(1234);
    expect(await run(1234)).toEqual(first);
    expect(await run(4321)).not.toEqual(first);
  });

  it('a poison message reaches the DLQ once: its stale copies are dropped, not dead-lettered', async () => {
    const queues = [
      { name: 'poison-dlq' },
      { name: 'poison', redrivePolicy: { deadLetterQueueName: 'poison-dlq', maxReceiveCount: 2 } },
    ];
    const options = { mode: 'at-least-once', seed: 3, duplicate: 1, reorder: 0, emptyReceive: 0 } as const;
    const local = await startTestSqs({ queues, delivery: options });
    try {
      const source = local.service.queueUrl('poison');
      const dlq = local.service.queueUrl('poison-dlq');
      const { MessageId } = await local.sqs.send(
        new SendMessageCommand({ QueueUrl: source, MessageBody: 'poison' }),
      );
      // Every delivery fails (visibility 0, never deleted) until nothing is delivered any more.
      const received: Message[] = [];
      for (;;) {
        const { Messages = [] } = await local.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: source, WaitTimeSeconds: 1, VisibilityTimeout: 0 }),
        );
        if (Messages.length === 0) break;
        received.push(...Messages);
      }
      expect(received.length).toBeGreaterThan(2);
      expect(new Set(received.map((message) => message.MessageId))).toEqual(new Set([MessageId]));
      expect(await visibleAndInFlight(local.sqs, source)).toEqual([0, 0]);
      expect(await visibleAndInFlight(local.sqs, dlq)).toEqual([1, 0]);
    } finally {
      await local.close();
    }
  });
});

describe('delivery settings', () => {
  it('exact is the default; at-least-once fills in default probabilities', () => {
    expect(resolveDelivery()).toMatchObject({ mode: 'exact', duplicate: 0, reorder: 0, emptyReceive: 0 });
    expect(resolveDelivery({ mode: 'at-least-once', seed: 1 })).toEqual({
      mode: 'at-least-once',
      seed: 1,
      duplicate: 0.1,
      reorder: 0.3,
      emptyReceive: 0.3,
    });
    expect(() => resolveDelivery({ mode: 'at-least-once', duplicate: 1.5 })).toThrow(/duplicate/);
    expect(() => resolveDelivery({ mode: 'at-least-once', seed: -1 })).toThrow(/seed/);
  });

  it('parses LOCAL_SQS_DELIVERY and refuses typos', () => {
    expect(parseDeliveryEnvironment(undefined)).toBeUndefined();
    expect(parseDeliveryEnvironment('')).toBeUndefined();
    expect(parseDeliveryEnvironment('exact')).toMatchObject({ mode: 'exact' });
    expect(parseDeliveryEnvironment('at-least-once,seed=42,duplicate=0.5')).toEqual({
      mode: 'at-least-once',
      seed: 42,
      duplicate: 0.5,
      reorder: 0.3,
      emptyReceive: 0.3,
    });
    expect(parseDeliveryEnvironment('at-least-once')?.seed).toEqual(expect.any(Number));
    expect(() => parseDeliveryEnvironment('at-least-twice')).toThrow(/unknown mode/);
    expect(() => parseDeliveryEnvironment('at-least-once,sed=1')).toThrow(/unknown setting/);
    expect(() => parseDeliveryEnvironment('at-least-once,seed')).toThrow(/name=number/);
  });
});
