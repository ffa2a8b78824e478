import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { createDocumentClient } from '../../adapters/dynamodb/client';
import { createSqsClient } from '../../adapters/sqs/client';
import { publishChannelEvents } from '../../app/channel-events';
import { loadFunctionEnvironment } from '../../shared/env';
import { countMetric, logger } from '../../shared/observability';
import { streamChanges } from '../../shared/stream';

const environment = loadFunctionEnvironment('publishChannelEvents');
const deps = {
  table: { document: createDocumentClient(), tableName: environment.TABLE_NAME },
  sqs: createSqsClient(),
  queueUrl: environment.CHANNEL_EVENTS_QUEUE_URL,
};

/**
 * The table's stream, filtered to order and shipment changes (the definition's filter): each batch's changes
 * become events in their orders' event logs, and their delivery is requested. A failure fails the batch,
 * which the mapping retries from the same records (and halves, in AWS).
 */
export const handler = middy<DynamoDBStreamEvent, void>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const changes = streamChanges(event);
    const published = await publishChannelEvents(deps, changes);
    if (published > 0) countMetric('ChannelEventsPublished', {}, published);
  });
