import { createDocumentClient } from '../../adapters/dynamodb/client';
import { createStepFunctionsClient } from '../../adapters/sfn/client';
import { cancelOrderAndEndItsWorkflows } from '../../app/cancel-order';
import { orderContracts } from '../../contracts/api-orders';
import { problemCodes } from '../../contracts/errors';
import { orderIdFor } from '../../contracts/order-ids';
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
  orderContracts['POST /orders/{orderId}/cancel'],
  async ({ params, body, principal }) => {
    // Another channel's order answers exactly as a missing one does: 404, and nothing is touched.
    const orderId = orderIdFor(principal, params.orderId);
    const result = orderId
      ? await cancelOrderAndEndItsWorkflows(deps, {
          orderId,
          actor: principal.principalId,
          ...(body?.reason ? { reason: body.reason } : {}),
          now: new Date(),
        })
      : ({ kind: 'not-found' } as const);
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
