import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queues } from '../../functions/contracts/system';
import { localCredentials, localRegion } from '../../local/emulators/protocol/identity';
import { startEventSourceMapping } from '../../local/emulators/sqs/event-source-mapping';
import { startSqsService } from '../../local/emulators/sqs/service';
import { createTestTable, dynamodbEndpoint } from '../support/dynamodb';
import { atLeastOnce, describeSeed } from '../support/sqs-delivery';
import { eventually, type Handlers, lambdaContext, loadHandlers, setFunctionEnvironment } from './harness';

/**
 * The ingest applies each item of a feed on its own. A message that was queued before the API refused such
 * items (here `unitCost: 1e21`, which the DynamoDB document client cannot marshal) used to fail at its bad
 * item on every delivery: the items before it were applied, the ones after it never, and the message went to
 * the DLQ. Now every other item is applied, the bad one is logged and counted, and the message is reported
 * failed so that SQS dead-letters it for operations to see; a redelivery applies nothing twice.
 */
let handlers: Handlers;
let table: Awaited<ReturnType<typeof createTestTable>>;

beforeAll(async () => {
  table = await createTestTable();
  setFunctionEnvironment({ tableName: table.tableName, dynamodbEndpoint: dynamodbEndpoint() });
  // This suite reads what the ingest reports: its logs and its metrics (EMF lines) on stdout and stderr.
  process.env.LOG_LEVEL = 'INFO';
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  handlers = await loadHandlers();
}, 60_000);

afterAll(() => {
  vi.restoreAllMocks();
});

interface FeedMessage {
  supplierId: string;
  feedSeq: number;
  receivedAt: string;
  items: Record<string, unknown>[];
}

const sqsRecord = (messageId: string, message: FeedMessage): SQSRecord => ({
  messageId,
  receiptHandle: `handle-${messageId}`,
  body: JSON.stringify(message),
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: '0',
    SenderId: 'test',
    ApproximateFirstReceiveTimestamp: '0',
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: `arn:aws:sqs:${localRegion}:000000000000:supplierStockFeed`,
  awsRegion: localRegion,
});

/** Runs the ingest function on these records and collects the JSON lines it printed (logs and metrics). */
async function ingest(records: SQSRecord[]) {
  const printed: string[] = [];
  const capture = (chunk: unknown) => {
    printed.push(String(chunk));
    return true;
  };
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    const event: SQSEvent = { Records: records };
    const result = await handlers.of('ingestSupplierStock')(event, lambdaContext('ingestSupplierStock'));
    const lines = printed
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    return { result, lines };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

/** What the table holds for a supplier: sku → the stored feed figures. */
async function supplierStock(supplierId: string) {
  const { Items = [] } = await table.document.send(
    new ScanCommand({
      TableName: table.tableName,
      ConsistentRead: true,
      FilterExpression: 'entity = :entity AND supplierId = :supplierId',
      ExpressionAttributeValues: { ':entity': 'supplierStock', ':supplierId': supplierId },
    }),
  );
  return Object.fromEntries(
    Items.map((item) => [
      item.sku as string,
      { available: item.available, feedSeq: item.feedSeq, unitCost: item.unitCost },
    ]),
  );
}

/** A message the old API accepted: its middle item holds a number the document client refuses to marshal. */
const oldMessage: FeedMessage = {
  supplierId: 'SUP-OLD',
  feedSeq: 5,
  receivedAt: '2026-01-05T10:00:05.000Z',
  items: [
    { sku: 'SKU-A', available: 10, leadTimeDays: 1 },
    { sku: 'SKU-B', available: 20, leadTimeDays: 1, unitCost: 1e21 },
    { sku: 'SKU-C', available: 30, leadTimeDays: 1, unitCost: 2.5 },
  ],
};

const logged = (lines: Record<string, unknown>[], message: string) =>
  lines.filter((line) => line.message === message);
const metricValues = (lines: Record<string, unknown>[], name: string) =>
  lines.filter((line) => name in line).map((line) => line[name]);

describe('supplier feed ingest isolates a bad item', () => {
  it('applies the items before and after a bad one, reports it, and fails only its message', async () => {
    const good: FeedMessage = {
      supplierId: 'SUP-GOOD',
      feedSeq: 1,
      receivedAt: '2026-01-05T10:00:01.000Z',
      items: [{ sku: 'SKU-A', available: 1, leadTimeDays: 4 }],
    };
    const { result, lines } = await ingest([sqsRecord('old', oldMessage), sqsRecord('good', good)]);
    // Only the message with the bad item is reported failed: SQS keeps it, and dead-letters it in the end.
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'old' }] });
    expect(await supplierStock('SUP-OLD')).toEqual({
      'SKU-A': { available: 10, feedSeq: 5, unitCost: undefined },
      'SKU-C': { available: 30, feedSeq: 5, unitCost: 2.5 },
    });
    expect(await supplierStock('SUP-GOOD')).toEqual({
      'SKU-A': { available: 1, feedSeq: 1, unitCost: undefined },
    });
    // Reported: the failed item by message, index and sku, with the reason; a metric counts it.
    expect(logged(lines, 'supplier feed item failed')).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        messageId: 'old',
        supplierId: 'SUP-OLD',
        feedSeq: 5,
        index: 1,
        sku: 'SKU-B',
        reason: expect.stringContaining('unitCost'),
      }),
    ]);
    expect(metricValues(lines, 'SupplierFeedItemsFailed')).toEqual([1]);
    // Powertools processes a batch's records in parallel: the two summaries come in either order.
    const summaries = logged(lines, 'supplier feed applied');
    expect(summaries).toHaveLength(2);
    expect(summaries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ messageId: 'old', items: 3, applied: 2, stale: 0, failed: 1 }),
        expect.objectContaining({ messageId: 'good', items: 1, applied: 1, stale: 0, failed: 0 }),
      ]),
    );
  });

  it('applies nothing twice when the same message comes again, even after a newer feed', async () => {
    const newer: FeedMessage = {
      ...oldMessage,
      feedSeq: 6,
      receivedAt: '2026-01-05T10:00:06.000Z',
      items: [{ sku: 'SKU-A', available: 11, leadTimeDays: 1 }],
    };
    expect((await ingest([sqsRecord('newer', newer)])).result).toEqual({ batchItemFailures: [] });
    // At-least-once delivery, or a redrive from the DLQ: the very same messages again.
    const { result, lines } = await ingest([sqsRecord('old', oldMessage), sqsRecord('newer', newer)]);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'old' }] });
    const summaries = logged(lines, 'supplier feed applied');
    expect(summaries).toHaveLength(2);
    expect(summaries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ messageId: 'old', items: 3, applied: 0, stale: 2, failed: 1 }),
        expect.objectContaining({ messageId: 'newer', items: 1, applied: 0, stale: 1, failed: 0 }),
      ]),
    );
    expect(logged(lines, 'supplier feed item failed')).toEqual([
      expect.objectContaining({ messageId: 'old', index: 1, sku: 'SKU-B' }),
    ]);
    expect(await supplierStock('SUP-OLD')).toEqual({
      'SKU-A': { available: 11, feedSeq: 6, unitCost: undefined },
      'SKU-C': { available: 30, feedSeq: 5, unitCost: 2.5 },
    });
  });

  it('still fails a message it cannot read at all (no supplier, no items) as a whole', async () => {
    const { result, lines } = await ingest([
      { ...sqsRecord('poison', oldMessage), body: '{"supplierId":' },
      sqsRecord('fine', { ...oldMessage, supplierId: 'SUP-FINE', items: [oldMessage.items[0] ?? {}] }),
    ]);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'poison' }] });
    expect(logged(lines, 'supplier feed unreadable')).toEqual([
      expect.objectContaining({ level: 'ERROR', messageId: 'poison' }),
    ]);
    expect(await supplierStock('SUP-FINE')).toEqual({
      'SKU-A': { available: 10, feedSeq: 5, unitCost: undefined },
    });
  });
});

const delivery = atLeastOnce({ duplicate: 1, reorder: 0.5, emptyReceive: 0.5 });

describe(`through SQS and the event source mapping, at-least-once (${describeSeed(delivery)})`, () => {
  it('applies every good item of a message with a bad one, and dead-letters the message intact', async () => {
    const service = await startSqsService({
      queues: [
        { name: 'feed-dlq' },
        {
          name: 'feed',
          // Short, so the failed message runs through its receives in seconds; the receive count is the real one.
          visibilityTimeoutSeconds: 2,
          redrivePolicy: {
            deadLetterQueueName: 'feed-dlq',
            maxReceiveCount: queues.supplierStockFeed.maxReceiveCount,
          },
        },
      ],
      delivery,
    });
    const sqs = new SQSClient({ region: localRegion, credentials: localCredentials, endpoint: service.url });
    const mapping = startEventSourceMapping({
      sqsEndpoint: service.url,
      queueUrl: service.queueUrl('feed'),
      queueArn: `arn:aws:sqs:${localRegion}:000000000000:feed`,
      batchSize: 10,
      maximumBatchingWindowSeconds: 0,
      reportBatchItemFailures: true,
      invoke: async (event: SQSEvent) => (await ingest(event.Records)).result,
    });
    try {
      const body = JSON.stringify({ ...oldMessage, supplierId: 'SUP-E2E' });
      await sqs.send(new SendMessageCommand({ QueueUrl: service.queueUrl('feed'), MessageBody: body }));
      const dead = await eventually(async () => {
        const { Messages } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: service.queueUrl('feed-dlq'), MaxNumberOfMessages: 10 }),
        );
        return Messages?.length ? Messages : undefined;
      }, 30_000);
      // The durable record for operations (GET /ops/dead-letters lists it; a redrive replays it): the whole
      // message, unchanged. Its good items are applied all the same.
      expect(dead.map((message) => message.Body)).toEqual([body]);
      expect(await supplierStock('SUP-E2E')).toEqual({
        'SKU-A': { available: 10, feedSeq: 5, unitCost: undefined },
        'SKU-C': { available: 30, feedSeq: 5, unitCost: 2.5 },
      });
    } finally {
      await mapping.stop();
      sqs.destroy();
      await service.close();
    }
  }, 60_000);
});
