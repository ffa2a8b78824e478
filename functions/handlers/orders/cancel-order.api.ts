import { createStepFunctionsClient } from '../../adapters/clients';
import { createDocumentClient } from '../../adapters/dynamodb/client';
import { cancelOrderAndEndItsWorkflows } from '../../app/cancel-order';
import { apiContracts } from '../../contracts/api';
import { problemCodes } from '../../contracts/errors';
import { loadFunctionEnvironment } from '../../shared/env';
import { httpHandler } from '../../shared/http';
import { countMetric } from '../../shared/observability';
import { HttpProblem } from '../../shared/problem';

const environment = loadFunctionEnvironment('cancelOrder');
const deps = {
  table: { document: createDocumentClient(), tableName: environment.TABLE_NAME },
  sfn: createStepFunctionsClient(),
};

export const handler = httpHandler(
  apiContracts['POST /orders/{orderId}/cancel'],
  async ({ params, body, principal }) => {
    const result = await cancelOrderAndEndItsWorkflows(deps, {
      orderId: params.orderId,
      actor: principal.principalId,
      ...(body?.reason ? { reason: body.reason } : {}),
      now: new Date(),
    });
    if (result.kind === 'not-found')
      throw new HttpProblem(404, problemCodes.orderNotFound, `Order ${params.orderId} does not exist.`);
    if (result.kind === 'too-late')
      throw new HttpProblem(409, problemCodes.orderNotCancellable, result.reason);
    if (!result.replay) countMetric('OrderCancelled');
    return {
      body: {
        orderId: params.orderId,
        status: 'CANCELLED' as const,
        releasedHolds: result.releasedHolds,
        withdrawnBackorders: result.withdrawnBackorders,
        cancelledPurchaseOrders: result.cancelledPurchaseOrders,
      },
    };
  },
);
