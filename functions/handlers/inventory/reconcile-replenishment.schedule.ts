import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { createDocumentClient } from '../../adapters/dynamodb/client';
import { createStepFunctionsClient } from '../../adapters/sfn/client';
import { reconcileReplenishment } from '../../app/replenishment';
import { loadFunctionEnvironment } from '../../shared/env';
import { countMetric, logger } from '../../shared/observability';

const environment = loadFunctionEnvironment('reconcileReplenishment');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };
const trigger = {
  table,
  sfn: createStepFunctionsClient(),
  procurementStateMachineArn: environment.PROCUREMENT_STATE_MACHINE_ARN,
};

/** On a schedule (EventBridge in AWS, a timer locally): starts the replenishments a failed trigger missed. */
export const handler = middy<ScheduledEvent, Awaited<ReturnType<typeof reconcileReplenishment>>>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async () => {
    const result = await reconcileReplenishment(trigger, {
      actor: 'schedule:reconcileReplenishment',
      now: new Date(),
    });
    if (result.started > 0) countMetric('ReplenishmentReconciled', {}, result.started);
    logger.info('replenishment reconciled', { ...result });
    return result;
  });
