import { createDocumentClient } from '../../adapters/dynamodb/client';
import { createStepFunctionsClient } from '../../adapters/sfn/client';
import { answerRefund, type RefundStepResult, retryRefund } from '../../app/answer-refund';
import { returnView } from '../../app/return-views';
import type { RouteKey } from '../../contracts/api-model';
import { returnContracts } from '../../contracts/api-returns';
import { problemCodes } from '../../contracts/errors';
import { returnKeyFor } from '../../contracts/returns';
import { loadFunctionEnvironment } from '../../shared/env';
import { httpHandler, routeTable } from '../../shared/http';
import { countMetric } from '../../shared/observability';
import { HttpProblem } from '../../shared/problem';

const environment = loadFunctionEnvironment('answerRefund');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };
const sfn = createStepFunctionsClient();

/** The answer, or the problem a refund move ended in. */
function answered(result: RefundStepResult, returnId: string, role: string) {
  if (result.kind === 'not-found')
    throw new HttpProblem(404, problemCodes.returnNotFound, `Return ${returnId} does not exist.`);
  if (result.kind === 'conflict') throw new HttpProblem(409, problemCodes.returnState, result.reason);
  return { body: returnView(result.record, returnId, role) };
}

/** One function serves a refund's moves (same grants): the channel's answer, and the ops retry after a failure. */
const handlers = {
  'POST /returns/{returnId}/refund': httpHandler(
    returnContracts['POST /returns/{returnId}/refund'],
    async ({ params, body, principal }) => {
      const key = returnKeyFor(principal, params.returnId);
      const result = key
        ? await answerRefund({ table, sfn }, { ...key, body, actor: principal.principalId, now: new Date() })
        : ({ kind: 'not-found' } as const);
      // Failed refunds need ops: the metric is alarmed (infra/constructs/alarms.ts).
      if (result.kind === 'answered')
        countMetric(body.status === 'succeeded' ? 'RefundSucceeded' : 'RefundFailures');
      return answered(result, params.returnId, principal.role);
    },
  ),
  'POST /ops/returns/{returnId}/retry-refund': httpHandler(
    returnContracts['POST /ops/returns/{returnId}/retry-refund'],
    async ({ params, principal }) => {
      const key = returnKeyFor(principal, params.returnId);
      const result = key
        ? await retryRefund({ table, sfn }, { ...key, actor: principal.principalId, now: new Date() })
        : ({ kind: 'not-found' } as const);
      return answered(result, params.returnId, principal.role);
    },
  ),
} satisfies Partial<Record<RouteKey, unknown>>;

export const handler = routeTable('answerRefund', handlers);
