import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { createDocumentClient } from '../../adapters/dynamodb/client';
import { deferDelivery } from '../../adapters/sqs/channel-deliveries';
import { createSqsClient } from '../../adapters/sqs/client';
import { deliverChannelEvents } from '../../app/channel-events';
import { loadFunctionEnvironment } from '../../shared/env';
import { countMetric, logger } from '../../shared/observability';

const environment = loadFunctionEnvironment('deliverChannelEvents');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };
const sqs = createSqsClient();
const processor = new BatchProcessor(EventType.SQS);
const requestSchema = z.object({ orderId: z.string().min(1) });

/**
 * Exponential backoff between attempts (SQS has none of its own): a failed message is made visible again
 * after base × 2^(receives − 1) (2 s, 4 s, 8 s, …), at most 15 minutes; after maxReceiveCount receives it is in the DLQ,
 * for the dead-letter ops to replay.
 */
const backoffSeconds = (receives: number) =>
  Math.min(900, Math.round((environment.DELIVERY_RETRY_BASE_MS * 2 ** Math.max(0, receives - 1)) / 1000));

async function deliver(record: SQSRecord): Promise<void> {
  const { orderId } = requestSchema.parse(JSON.parse(record.body));
  try {
    const outcome = await deliverChannelEvents(
      { table, timeoutMs: environment.DELIVERY_TIMEOUT_MS },
      orderId,
    );
    if (outcome.delivered > 0) countMetric('ChannelEventsDelivered', {}, outcome.delivered);
  } catch (error) {
    countMetric('ChannelDeliveryFailures');
    const receives = Number(record.attributes.ApproximateReceiveCount ?? '1');
    await deferDelivery(
      sqs,
      environment.CHANNEL_EVENTS_QUEUE_URL,
      record.receiptHandle,
      backoffSeconds(receives),
    );
    throw error;
  }
}

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event, context) => processPartialResponse(event, deliver, processor, { context }));
