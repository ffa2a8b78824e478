import { createDocumentClient } from '../../adapters/dynamodb/client';
import { requestReturn } from '../../app/request-return';
import { orderContracts } from '../../contracts/api-orders';
import { problemCodes } from '../../contracts/errors';
import { orderIdFor } from '../../contracts/order-ids';
import { loadFunctionEnvironment } from '../../shared/env';
import { canonicalJson, sha256Hex } from '../../shared/hash';
import { httpHandler } from '../../shared/http';
import { requireIdempotencyKey } from '../../shared/idempotency';
import { countMetric } from '../../shared/observability';
import { HttpProblem } from '../../shared/problem';

const environment = loadFunctionEnvironment('requestReturn');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

const refusalCodes = {
  NOTHING_DELIVERED: problemCodes.returnNothingDelivered,
  WINDOW_CLOSED: problemCodes.returnWindowClosed,
  NOT_RETURNABLE: problemCodes.returnNotReturnable,
  QTY_EXCEEDS_DELIVERED: problemCodes.returnQtyExceedsDelivered,
  STORE_NOT_ACCEPTING: problemCodes.returnStoreNotAccepting,
} as const;

/** A customer's return request, through the order's channel (docs/returns.md). */
export const handler = httpHandler(
  orderContracts['POST /orders/{orderId}/returns'],
  async ({ params, body, principal, headers }) => {
    const idempotencyKey = requireIdempotencyKey(headers);
    // Another channel's order answers exactly as a missing one does.
    const orderId = orderIdFor(principal, params.orderId);
    const result = orderId
      ? await requestReturn(table, {
          orderId,
          principalId: principal.principalId,
          idempotencyKey,
          requestHash: sha256Hex(canonicalJson({ orderId, ...body })),
          body,
          now: new Date(),
        })
      : ({ kind: 'not-found' } as const);
    if (result.kind === 'not-found')
      throw new HttpProblem(404, problemCodes.orderNotFound, `Order ${params.orderId} does not exist.`);
    if (result.kind === 'key-reused')
      throw new HttpProblem(
        409,
        problemCodes.idempotencyKeyReused,
        'This Idempotency-Key was already used with a different body.',
      );
    if (result.kind === 'refused') {
      const { status, code, field, reason } = result.refusal;
      throw new HttpProblem(
        status,
        refusalCodes[code],
        reason,
        status === 422
          ? [{ pointer: `/${field.replace(/\[(\d+)\]\.?/g, '/$1/')}`, field, message: reason }]
          : [],
      );
    }
    if (result.kind === 'accepted') countMetric('ReturnRequested');
    return { body: result.answer };
  },
);
