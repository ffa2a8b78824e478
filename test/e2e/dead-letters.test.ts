import { randomUUID } from 'node:crypto';
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterQueueName } from '../../functions/contracts/system';
import { localCredentials, localRegion } from '../../local/aws';
import type { LocalCloud } from '../../local/cloud';
import { e2eHttp, startE2eCloud } from '../support/e2e-http';

/**
 * Operations replay dead letters over HTTP on an in-process local cloud: a supplier feed that failed while
 * (say) the table was unavailable sits in the DLQ; ops list it, redrive it, and the ingest applies it.
 */
let cloud: LocalCloud;
let sqs: SQSClient;
const { api, expectStatus, waitFor, inventory } = e2eHttp(() => cloud);
const run = randomUUID().slice(0, 8);
const sku = `SKU-DLQ-${run}`;
const supplierId = `SUP-DLQ-${run}`;

interface DeadLetterList {
  items: { queue: string; messageId: string; body: string; receiveCount: number }[];
  queues: { queue: string; approximateMessages: number }[];
}
const deadLetters = async () =>
  (await expectStatus(api('/ops/dead-letters', { key: cloud.keys.ops }), 200)) as DeadLetterList;

beforeAll(async () => {
  ({ cloud } = await startE2eCloud([]));
  sqs = new SQSClient({ endpoint: cloud.endpoints.sqs, region: localRegion, credentials: localCredentials });
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
});

describe('dead letters over the ops API', () => {
  it('lists a dead letter without consuming it, redrives it to its queue, and the ingest applies it', async () => {
    const { QueueUrl } = await sqs.send(
      new GetQueueUrlCommand({ QueueName: deadLetterQueueName('supplierStockFeed') }),
    );
    const feed = {
      supplierId,
      feedSeq: 1,
      receivedAt: new Date().toISOString(),
      items: [{ sku, available: 42, leadTimeDays: 3 }],
    };
    const { MessageId } = await sqs.send(
      new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify(feed) }),
    );

    expect((await api('/ops/dead-letters', { key: cloud.keys.channel })).status).toBe(403);
    const listed = await deadLetters();
    expect(listed.items).toContainEqual(
      expect.objectContaining({
        queue: 'supplierStockFeed',
        messageId: MessageId,
        body: JSON.stringify(feed),
      }),
    );
    // Peeking leaves it there (and visible): listing again shows it again.
    expect((await deadLetters()).items.map((item) => item.messageId)).toContain(MessageId);

    await expectStatus(
      api('/ops/dead-letters/redrive', { method: 'POST', key: cloud.keys.ops, body: { queue: 'nope' } }),
      422,
    );
    const redriven = (await expectStatus(
      api('/ops/dead-letters/redrive', {
        method: 'POST',
        key: cloud.keys.ops,
        body: { queue: 'supplierStockFeed' },
      }),
      202,
    )) as { items: { queue: string; taskHandle: string; approximateMessagesToMove: number }[] };
    expect(redriven.items).toEqual([
      expect.objectContaining({ queue: 'supplierStockFeed', taskHandle: expect.any(String) }),
    ]);

    // Back on its queue, the ingest applies it; the dead-letter queue is empty again.
    const applied = await waitFor(async () => {
      const found = await inventory(sku);
      return found.suppliers.length === 1 ? found : undefined;
    });
    expect(applied.suppliers).toEqual([expect.objectContaining({ supplierId, available: 42, feedSeq: 1 })]);
    const after = await waitFor(async () => {
      const list = await deadLetters();
      return list.items.some((item) => item.messageId === MessageId) ? undefined : list;
    });
    expect(after.queues).toEqual([{ queue: 'supplierStockFeed', approximateMessages: 0 }]);
  }, 120_000);
});
