import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { createDocumentClient } from '../../adapters/dynamodb/client';
import { createSqsClient } from '../../adapters/sqs/client';
import { publishChannelEvents } from '../../app/channel-events';
import { loadFunctionEnvironment } from '../../shared/env';
import { countMetric, logger } from '../../shared/observability';

const environment = loadFunctionEnvironment('publishChannelEvents');
const deps = {
  table: { document: createDocumentClient(), tableName: environment.TABLE_NAME },
  sqs: createSqsClient(),
  queueUrl: environment.CHANNEL_EVENTS_QUEUE_URL,
};

type Image = Record<string, AttributeValue> | undefined;
const itemOf = (image: Image) => (image ? unmarshall(image) : undefined);

/**
 * The table's stream, filtered to order and shipment changes (the definition's filter): each batch's changes
 * become events in their orders' event logs, and their delivery is requested. A failure fails the batch,
 * which the mapping retries from the same records (and halves, in AWS).
 */
export const handler = middy<DynamoDBStreamEvent, void>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const changes = event.Records.map((record) => ({
      before: itemOf(record.dynamodb?.OldImage as Image),
      after: itemOf(record.dynamodb?.NewImage as Image),
    }));
    const published = await publishChannelEvents(deps, changes);
    if (published > 0) countMetric('ChannelEventsPublished', {}, published);
  });
