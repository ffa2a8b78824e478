import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { createDocumentClient } from '../../adapters/dynamodb/client';
import { countLateShipments } from '../../adapters/dynamodb/shipment-lists';
import { lateShipmentsMetric } from '../../contracts/system-dispatch';
import { loadFunctionEnvironment } from '../../shared/env';
import { countMetric, logger } from '../../shared/observability';

const environment = loadFunctionEnvironment('reportLateShipments');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

/**
 * Every few minutes (EventBridge in AWS, a timer locally): how many shipments are past their promise, as
 * one gauge (zero included, so the alarm clears) and per status for the dashboard.
 */
export const handler = middy<ScheduledEvent, Record<string, number>>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async () => {
    const counts = await countLateShipments(table, new Date());
    const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
    countMetric(lateShipmentsMetric.name, {}, total);
    for (const [status, count] of Object.entries(counts))
      if (count > 0) countMetric(lateShipmentsMetric.name, { status }, count);
    if (total > 0) logger.warn('shipments past their promise', { total, ...counts });
    return counts;
  });
