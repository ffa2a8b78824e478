import { createStepFunctionsClient } from '../../adapters/clients';
import { cancelOrder, cancelStep } from '../../adapters/dynamodb/cancellation';
import { createDocumentClient } from '../../adapters/dynamodb/client';
import { clearBackorderToken } from '../../adapters/dynamodb/procurement';
import { sendTaskFailure, sendTaskSuccess } from '../../adapters/sfn/callbacks';
import { apiContracts } from '../../contracts/api';
import { orderCancelledErrorName, problemCodes } from '../../contracts/errors';
import { commonEnvironment, loadEnvironment } from '../../shared/env';
import { httpHandler } from '../../shared/http';
import { countMetric } from '../../shared/observability';
import { HttpProblem } from '../../shared/problem';

const environment = loadEnvironment(commonEnvironment);
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };
const sfn = createStepFunctionsClient();

/**
 * Undoes the order's effects in the table, then ends the workflows still waiting for it: procurement learns
 * its purchase order was cancelled (it then finds the order no longer needs buying), fulfilment's backorder
 * wait fails with Order.Cancelled (a modelled ending). A stale token means that workflow already moved on.
 */
export const handler = httpHandler(
  apiContracts['POST /orders/{orderId}/cancel'],
  async ({ params, body, principal }) => {
    const now = new Date();
    const result = await cancelOrder(table, {
      orderId: params.orderId,
      actor: principal.principalId,
      ...(body?.reason ? { reason: body.reason } : {}),
      now,
    });
    if (result.kind === 'not-found')
      throw new HttpProblem(404, problemCodes.orderNotFound, `Order ${params.orderId} does not exist.`);
    if (result.kind === 'too-late')
      throw new HttpProblem(409, problemCodes.orderNotCancellable, result.reason);
    for (const token of result.supplierTokens) await sendTaskSuccess(sfn, token, { decision: 'CANCELLED' });
    if (result.fulfilmentToken) {
      await sendTaskFailure(
        sfn,
        result.fulfilmentToken,
        orderCancelledErrorName,
        `${cancelStep}: order cancelled`,
      );
      await clearBackorderToken(table, params.orderId, result.fulfilmentToken);
    }
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
