import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { createDocumentClient } from '../../adapters/dynamodb/client';
import { releaseExpiredHolds, type SweepResult } from '../../adapters/dynamodb/holds';
import { loadFunctionEnvironment } from '../../shared/env';
import { countMetric, logger } from '../../shared/observability';

const environment = loadFunctionEnvironment('releaseExpiredHolds');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

/** Every minute (EventBridge in AWS, a timer locally): expired holds go back to the shelf. */
export const handler = middy<ScheduledEvent, SweepResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async () => {
    const result = await releaseExpiredHolds(table, {
      now: new Date(),
      lookbackHours: environment.HOLD_SWEEP_LOOKBACK_HOURS,
      actor: 'schedule:release-expired-holds',
    });
    if (result.released > 0) countMetric('ExpiredHoldsReleased', {}, result.released);
    if (result.kept > 0)
      logger.warn('expired holds kept: their orders are being picked', { kept: result.kept });
    logger.info('expired holds swept', { ...result });
    return result;
  });
