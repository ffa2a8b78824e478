import { randomUUID } from 'node:crypto';
import {
  CancelMessageMoveTaskCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemCodes } from '../../functions/contracts/errors';
import { deadLetterQueueName } from '../../functions/contracts/system';
import type { LocalCloud } from '../../local/cloud';
import { localCredentials, localRegion, queueArn } from '../../local/emulators/protocol/identity';
import { e2eHttp, startE2eCloud } from '../support/e2e-http';
import { atLeastOnce, describeSeed } from '../support/sqs-delivery';

/**
 * Operations replay dead letters over HTTP on an in-process local cloud: a supplier feed that failed while
 * (say) the table was unavailable sits in the DLQ; ops list it, redrive it, and the ingest applies it.
 *
 * The local SQS runs at least once, like AWS standard queues, and harder than AWS: every received message is
 * delivered a second time (duplicate 1), half the receives are reordered and half the zero-wait receives come
 * back empty. The listing must still be complete, and a duplicated feed must change nothing twice.
 */
const delivery = atLeastOnce({ duplicate: 1, reorder: 0.5, emptyReceive: 0.5 });
let cloud: LocalCloud;
let sqs: SQSClient;
const { api, expectStatus, waitFor, inventory } = e2eHttp(() => cloud);
const run = randomUUID().slice(0, 8);
const ingestLog: string[] = [];

interface DeadLetterList {
  items: { queue: string; messageId: string; body: string; receiveCount: number }[];
  queues: { queue: string; approximateMessages: number; listed: number; complete: boolean }[];
}
const deadLetters = async () =>
  (await expectStatus(api('/ops/dead-letters', { key: cloud.keys.ops }), 200)) as DeadLetterList;
const redrive = () =>
  api('/ops/dead-letters/redrive', {
    method: 'POST',
    key: cloud.keys.ops,
    body: { queue: 'supplierStockFeed' },
  });

/** The ingest's "supplier feed applied" log entries for one supplier. */
const applications = (supplierId: string) =>
  ingestLog
    .map((line) => {
      try {
        return JSON.parse(line) as {
          message?: string;
          supplierId?: string;
          feedSeq?: number;
          stale?: number;
        };
      } catch {
        return {};
      }
    })
    .filter((entry) => entry.message === 'supplier feed applied' && entry.supplierId === supplierId);

async function deadLetterQueueUrl(): Promise<string> {
  const { QueueUrl } = await sqs.send(
    new GetQueueUrlCommand({ QueueName: deadLetterQueueName('supplierStockFeed') }),
  );
  return QueueUrl ?? '';
}

const feed = (supplierId: string, sku: string, feedSeq: number, available: number) => ({
  supplierId,
  feedSeq,
  receivedAt: new Date().toISOString(),
  items: [{ sku, available, leadTimeDays: 3 }],
});

beforeAll(async () => {
  ({ cloud } = await startE2eCloud([], {
    sqsDelivery: delivery,
    functionLog: (name, line) => {
      if (name === 'ingestSupplierStock') ingestLog.push(line);
    },
  }));
  sqs = new SQSClient({ endpoint: cloud.endpoints.sqs, region: localRegion, credentials: localCredentials });
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
});

describe(`dead letters over the ops API, at-least-once SQS (${describeSeed(delivery)})`, () => {
  it('lists a dead letter once without consuming it, redrives it to its queue, and the ingest applies it once although it is delivered twice', async () => {
    expect(cloud.sqsDelivery).toEqual(delivery);
    const supplierId = `SUP-DLQ-${run}`;
    const sku = `SKU-DLQ-${run}`;
    const body = JSON.stringify(feed(supplierId, sku, 1, 42));
    const { MessageId } = await sqs.send(
      new SendMessageCommand({ QueueUrl: await deadLetterQueueUrl(), MessageBody: body }),
    );

    expect((await api('/ops/dead-letters', { key: cloud.keys.channel })).status).toBe(403);
    const listed = await deadLetters();
    expect(listed.items.filter((item) => item.messageId === MessageId)).toEqual([
      expect.objectContaining({ queue: 'supplierStockFeed', body }),
    ]);
    expect(listed.queues).toEqual([
      { queue: 'supplierStockFeed', approximateMessages: 1, listed: 1, complete: true },
      { queue: 'channelEvents', approximateMessages: 0, listed: 0, complete: true },
    ]);
    // Peeking leaves it there (and visible): listing again shows it again, still once.
    expect((await deadLetters()).items.map((item) => item.messageId)).toEqual([MessageId]);

    await expectStatus(
      api('/ops/dead-letters/redrive', { method: 'POST', key: cloud.keys.ops, body: { queue: 'nope' } }),
      422,
    );
    const redriven = (await expectStatus(redrive(), 202)) as {
      items: { queue: string; taskHandle: string; approximateMessagesToMove: number }[];
    };
    expect(redriven.items).toEqual([
      expect.objectContaining({ queue: 'supplierStockFeed', taskHandle: expect.any(String) }),
    ]);

    // Back on its queue, the ingest applies it; the dead-letter queue is empty again.
    const applied = await waitFor(async () => {
      const found = await inventory(sku);
      return found.suppliers.length === 1 ? found : undefined;
    });
    expect(applied.suppliers).toEqual([expect.objectContaining({ supplierId, available: 42, feedSeq: 1 })]);
    // The redriven message was delivered twice (its stale copy too): applied once, the copy found it stale.
    const seen = await waitFor(async () => {
      const entries = applications(supplierId);
      return entries.length >= 2 ? entries : undefined;
    });
    expect(seen.filter((entry) => entry.stale === 0)).toHaveLength(1);
    expect(seen.filter((entry) => entry.stale === 1).length).toBeGreaterThanOrEqual(1);
    expect((await inventory(sku)).suppliers).toEqual([
      expect.objectContaining({ supplierId, available: 42, feedSeq: 1 }),
    ]);
    const after = await waitFor(async () => {
      const list = await deadLetters();
      return list.items.some((item) => item.messageId === MessageId) ? undefined : list;
    });
    expect(after.queues).toEqual([
      { queue: 'supplierStockFeed', approximateMessages: 0, listed: 0, complete: true },
      { queue: 'channelEvents', approximateMessages: 0, listed: 0, complete: true },
    ]);
  }, 120_000);

  it('refuses a redrive with 409 while a move task is RUNNING; once it is cancelled, the redrive moves the rest and the newest feed wins', async () => {
    const supplierId = `SUP-MOVE-${run}`;
    const sku = `SKU-MOVE-${run}`;
    const dlqUrl = await deadLetterQueueUrl();
    for (let feedSeq = 1; feedSeq <= 20; feedSeq++) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: dlqUrl,
          MessageBody: JSON.stringify(feed(supplierId, sku, feedSeq, feedSeq * 10)),
        }),
      );
    }
    const listed = await deadLetters();
    expect(listed.queues).toEqual([
      { queue: 'supplierStockFeed', approximateMessages: 20, listed: 20, complete: true },
      { queue: 'channelEvents', approximateMessages: 0, listed: 0, complete: true },
    ]);
    expect(new Set(listed.items.map((item) => item.messageId)).size).toBe(20);

    // A slow task (one message a second) started outside the ops API, e.g. from the console.
    const sourceArn = queueArn(deadLetterQueueName('supplierStockFeed'));
    const { TaskHandle } = await sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: sourceArn, MaxNumberOfMessagesPerSecond: 1 }),
    );
    const refused = (await expectStatus(redrive(), 409)) as { code: string };
    expect(refused.code).toBe(problemCodes.deadLetterMoveRunning);

    await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle }));
    const cancelled = await waitFor(async () => {
      const { Results = [] } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn }));
      return Results[0]?.Status === 'CANCELLED' ? Results[0] : undefined;
    });
    const movedBeforeCancel = cancelled.ApproximateNumberOfMessagesMoved ?? 0;
    expect(movedBeforeCancel).toBeLessThan(20);

    const started = (await expectStatus(redrive(), 202)) as {
      items: { approximateMessagesToMove: number }[];
    };
    expect(started.items[0]?.approximateMessagesToMove).toBe(20 - movedBeforeCancel);
    // Every feed reaches the ingest (in any order, some twice); the newest one wins, stored once.
    await waitFor(async () => {
      const seqs = new Set(applications(supplierId).map((entry) => entry.feedSeq));
      return seqs.size === 20 ? true : undefined;
    });
    expect((await inventory(sku)).suppliers).toEqual([
      expect.objectContaining({ supplierId, available: 200, feedSeq: 20 }),
    ]);
    const after = await waitFor(async () => {
      const list = await deadLetters();
      return list.queues[0]?.approximateMessages === 0 ? list : undefined;
    });
    expect(after.items).toEqual([]);
  }, 120_000);
});
