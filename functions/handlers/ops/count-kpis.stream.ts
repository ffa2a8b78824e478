import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { createDocumentClient } from '../../adapters/dynamodb/client';
import { countKpis } from '../../app/kpi-facts';
import { loadFunctionEnvironment } from '../../shared/env';
import { countMetric, logger } from '../../shared/observability';
import { streamChanges } from '../../shared/stream';

const environment = loadFunctionEnvironment('countKpis');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

/**
 * The table's stream, filtered to orders, shipments and returns (the definition's filter): orders placed and
 * reaching a status, deliveries, collections and return requests become the KPI counters, each once. A failure fails the batch, which the
 * mapping retries (a fact counted before is not counted again).
 */
export const handler = middy<DynamoDBStreamEvent, void>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const changes = streamChanges(event);
    const counted = await countKpis(table, changes, new Date());
    if (counted > 0) countMetric('KpiFactsCounted', {}, counted);
  });
