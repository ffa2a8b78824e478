import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { createDocumentClient } from '../../adapters/dynamodb/client';
import { type RebalanceResult, rebalanceStockShards } from '../../adapters/dynamodb/stock-shards';
import { loadFunctionEnvironment } from '../../shared/env';
import { countMetric, logger } from '../../shared/observability';

const environment = loadFunctionEnvironment('rebalanceStockShards');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

/** Every minute (EventBridge in AWS, a timer locally): hot SKUs' shards are evened out. */
export const handler = middy<ScheduledEvent, RebalanceResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async () => {
    const result = await rebalanceStockShards(table, new Date());
    if (result.moved > 0) countMetric('StockShardUnitsMoved', {}, result.moved);
    logger.info('stock shards rebalanced', { ...result });
    return result;
  });
