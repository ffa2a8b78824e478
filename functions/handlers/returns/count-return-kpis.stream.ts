import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { createDocumentClient } from '../../adapters/dynamodb/client';
import { countReturnKpis } from '../../app/return-kpis';
import { loadFunctionEnvironment } from '../../shared/env';
import { countMetric, logger } from '../../shared/observability';

const environment = loadFunctionEnvironment('countReturnKpis');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

type Image = Record<string, AttributeValue> | undefined;
const itemOf = (image: Image) => (image ? unmarshall(image) : undefined);

/**
 * The table's stream, filtered to shipments and returns (the definition's filter): deliveries, collections
 * and return requests become the returns KPI counters, each once. A failure fails the batch, which the
 * mapping retries (a fact counted before is not counted again).
 */
export const handler = middy<DynamoDBStreamEvent, void>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const changes = event.Records.map((record) => ({
      before: itemOf(record.dynamodb?.OldImage as Image),
      after: itemOf(record.dynamodb?.NewImage as Image),
    }));
    const counted = await countReturnKpis(table, changes, new Date());
    if (counted > 0) countMetric('ReturnKpiFactsCounted', {}, counted);
  });
