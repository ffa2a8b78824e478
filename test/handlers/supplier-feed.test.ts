import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { savePrincipal } from '../../functions/adapters/dynamodb/principals';
import { querySkuPartition } from '../../functions/adapters/dynamodb/stock';
import { deadLetterQueueName, queues } from '../../functions/contracts/system';
import { localCredentials, localRegion } from '../../local/emulators/protocol/identity';
import { resolveDelivery } from '../../local/emulators/sqs/delivery';
import { startEventSourceMapping } from '../../local/emulators/sqs/event-source-mapping';
import { type SqsService, startSqsService } from '../../local/emulators/sqs/service';
import { createTestTable, dynamodbEndpoint } from '../support/dynamodb';
import { atLeastOnce, describeSeed } from '../support/sqs-delivery';
import {
  apiClient,
  eventually,
  type Handlers,
  lambdaContext,
  loadHandlers,
  setFunctionEnvironment,
} from './harness';

const keys = { acme: 'key-acme', fleet: 'key-fleet' };
const ratePerMinute = 3;
const deadLetterQueue = deadLetterQueueName('supplierStockFeed');
/** The ingestion tests' queue pair, fed directly, on a service of their own (one per delivery mode). */
const ingestQueue = 'ingestTest';
const ingestDeadLetterQueue = 'ingestTest-dlq';

let handlers: Handlers;
let call: ReturnType<typeof apiClient>;
let sqsService: SqsService;
let sqs: SQSClient;
let table: Awaited<ReturnType<typeof createTestTable>>;

beforeAll(async () => {
  table = await createTestTable();
  sqsService = await startSqsService({
    port: 0,
    queues: [
      { name: deadLetterQueue },
      {
        name: 'supplierStockFeed',
        redrivePolicy: { deadLetterQueueName: deadLetterQueue, maxReceiveCount: 3 },
      },
    ],
  });
  setFunctionEnvironment({
    tableName: table.tableName,
    dynamodbEndpoint: dynamodbEndpoint(),
    sqsEndpoint: sqsService.url,
    queueUrl: sqsService.queueUrl('supplierStockFeed'),
  });
  process.env.SUPPLIER_FEED_RATE_PER_MINUTE = String(ratePerMinute);
  handlers = await loadHandlers();
  call = apiClient(handlers);
  sqs = new SQSClient({ region: localRegion, credentials: localCredentials, endpoint: sqsService.url });
  await savePrincipal(table.document, table.tableName, {
    apiKey: keys.acme,
    principalId: 'supplier:SUP-A',
    role: 'supplier',
    scope: 'SUP-A',
  });
  await savePrincipal(table.document, table.tableName, {
    apiKey: keys.fleet,
    principalId: 'supplier:SUP-F',
    role: 'supplier',
    scope: 'SUP-F',
  });
}, 60_000);

afterAll(async () => {
  await sqsService?.close();
});

const feed = (feedSeq: number, available = 10) => ({
  feedSeq,
  items: [{ sku: 'SKU-FEED', available, leadTimeDays: 2 }],
});

describe('supplier feed rate limit', () => {
  it('answers 429 problem+json with Retry-After past the per-supplier budget; other suppliers are unaffected', async () => {
    // A fixed one-minute window: start well inside one so the budget is not split across two.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await new Promise((resolve) => setTimeout(resolve, 60_500 - intoMinute));
    const post = (supplierId: string, apiKey: string, seq: number) =>
      call('POST', `/suppliers/${supplierId}/stock`, { apiKey, body: feed(seq) });
    for (let seq = 1; seq <= ratePerMinute; seq++)
      expect((await post('SUP-A', keys.acme, seq)).status).toBe(202);
    const refused = await post('SUP-A', keys.acme, 99);
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toBe('application/problem+json');
    expect(refused.json).toMatchObject({ status: 429, code: 'REQUEST.RATE_LIMITED' });
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await post('SUP-F', keys.fleet, 1)).status).toBe(202);
    // One supplier can never post for another.
    expect((await post('SUP-F', keys.acme, 2)).status).toBe(403);
    // Refused feeds are not queued: 3 + 1 accepted messages.
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: sqsService.queueUrl('supplierStockFeed'),
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    expect(Number(Attributes?.ApproximateNumberOfMessages)).toBe(ratePerMinute + 1);
  });
});

const atLeastOnceDelivery = atLeastOnce({ duplicate: 1, reorder: 0.5, emptyReceive: 0.5 });

/**
 * The same ingestion under exact delivery and under AWS-like at-least-once delivery (here every received
 * message is delivered a second time, and receives are reordered): the effect must be the same. Each mode has
 * its own SQS service and supplier, so the two runs cannot see each other's records.
 */
describe.each([
  { mode: 'exact', delivery: resolveDelivery({ mode: 'exact' }), supplierId: 'SUP-EXACT' },
  {
    mode: `at-least-once (${describeSeed(atLeastOnceDelivery)})`,
    delivery: atLeastOnceDelivery,
    supplierId: 'SUP-ALO',
  },
])(
  'supplier feed ingestion through SQS and the event source mapping, $mode delivery',
  ({ delivery, supplierId }) => {
    const exact = delivery.mode === 'exact';
    it('applies five sends of one feed and an older feed by feedSeq, sends a poison message to the DLQ after maxReceiveCount, and does not reprocess the rest of its batch', async () => {
      const service = await startSqsService({
        queues: [
          { name: ingestDeadLetterQueue },
          {
            name: ingestQueue,
            // Short, so a poison message runs through its receives in seconds; the receive count is the real one.
            visibilityTimeoutSeconds: 2,
            redrivePolicy: {
              deadLetterQueueName: ingestDeadLetterQueue,
              maxReceiveCount: queues.supplierStockFeed.maxReceiveCount,
            },
          },
        ],
        delivery,
      });
      const client = new SQSClient({
        region: localRegion,
        credentials: localCredentials,
        endpoint: service.url,
      });
      const queueUrl = service.queueUrl(ingestQueue);
      /** Deliveries by MessageId, and each message's body. */
      const deliveries = new Map<string, number>();
      const bodyOf = new Map<string, string>();
      const mapping = startEventSourceMapping({
        sqsEndpoint: service.url,
        queueUrl,
        queueArn: `arn:aws:sqs:${localRegion}:000000000000:${ingestQueue}`,
        batchSize: 10,
        // No batching window: it must stay well below the visibility timeout, or a batch could outlive it.
        maximumBatchingWindowSeconds: 0,
        reportBatchItemFailures: true,
        invoke: (event: SQSEvent) => {
          for (const record of event.Records) {
            deliveries.set(record.messageId, (deliveries.get(record.messageId) ?? 0) + 1);
            bodyOf.set(record.messageId, record.body);
          }
          return handlers.of('ingestSupplierStock')(event, lambdaContext('ingestSupplierStock'));
        },
      });
      try {
        const message = (feedSeq: number, available: number) =>
          JSON.stringify({
            supplierId,
            ...feed(feedSeq, available),
            receivedAt: `2026-01-05T10:00:0${feedSeq}.000Z`,
          });
        const poison = '{"supplierId":';
        const bodies = [...Array.from({ length: 5 }, () => message(7, 70)), message(3, 30), poison];
        const sent: string[] = [];
        for (const body of bodies) {
          const { MessageId } = await client.send(
            new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }),
          );
          sent.push(MessageId ?? '');
        }
        const dead = await eventually(async () => {
          const { Messages } = await client.send(
            new ReceiveMessageCommand({
              QueueUrl: service.queueUrl(ingestDeadLetterQueue),
              MaxNumberOfMessages: 10,
            }),
          );
          return Messages?.length ? Messages : undefined;
        }, 20_000);
        expect(dead.map((entry) => entry.Body)).toEqual([poison]);
        const poisonId = sent.at(-1) ?? '';
        const good = sent.slice(0, -1);
        if (exact) {
          // The poison was tried maxReceiveCount times; each good message exactly once (five sends = five messages).
          expect(deliveries.get(poisonId)).toBe(queues.supplierStockFeed.maxReceiveCount);
          for (const id of good) expect(deliveries.get(id)).toBe(1);
        } else {
          // At least once: every good message is delivered twice here (its stale copy too), the poison at least
          // maxReceiveCount times; only the delivered message ids are ever seen.
          await eventually(async () =>
            good.every((id) => (deliveries.get(id) ?? 0) >= 2) ? true : undefined,
          );
          expect(deliveries.get(poisonId)).toBeGreaterThanOrEqual(queues.supplierStockFeed.maxReceiveCount);
          expect(new Set(deliveries.keys())).toEqual(new Set(sent));
        }
        expect(bodyOf.get(poisonId)).toBe(poison);
        // The effect is the same either way: the newest feed, once.
        const { suppliers } = await querySkuPartition(table, 'SKU-FEED');
        expect(suppliers.filter((supplier) => supplier.supplierId === supplierId)).toEqual([
          expect.objectContaining({ feedSeq: 7, available: 70, updatedAt: '2026-01-05T10:00:07.000Z' }),
        ]);
      } finally {
        await mapping.stop();
        client.destroy();
        await service.close();
      }
    }, 40_000);
  },
);
