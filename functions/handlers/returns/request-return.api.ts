import { createDocumentClient } from '../../adapters/dynamodb/client';
import { createStepFunctionsClient } from '../../adapters/sfn/client';
import { startNamedExecution } from '../../adapters/sfn/executions';
import { requestReturn } from '../../app/request-return';
import { returnContracts } from '../../contracts/api-returns';
import { problemCodes } from '../../contracts/errors';
import { keys } from '../../contracts/keys';
import { orderIdFor } from '../../contracts/order-ids';
import { splitReturnId } from '../../contracts/returns';
import { returnStepAnswer } from '../../core/returns';
import { loadFunctionEnvironment } from '../../shared/env';
import { canonicalJson, sha256Hex } from '../../shared/hash';
import { httpHandler } from '../../shared/http';
import { requireIdempotencyKey } from '../../shared/idempotency';
import { countMetric } from '../../shared/observability';
import { fieldErrorNamed, HttpProblem } from '../../shared/problem';

const environment = loadFunctionEnvironment('requestReturn');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };
const sfn = createStepFunctionsClient();

const refusalCodes = {
  NOTHING_DELIVERED: problemCodes.returnNothingDelivered,
  WINDOW_CLOSED: problemCodes.returnWindowClosed,
  NOT_RETURNABLE: problemCodes.returnNotReturnable,
  QTY_EXCEEDS_DELIVERED: problemCodes.returnQtyExceedsDelivered,
  STORE_NOT_ACCEPTING: problemCodes.returnStoreNotAccepting,
  EXCHANGE_NOT_PRICED: problemCodes.exchangeUnpriced,
  TOO_MANY_RETURNS: problemCodes.tooManyReturns,
} as const;

/** A customer's return request, through the order's channel (docs/returns.md). */
export const handler = httpHandler(
  returnContracts['POST /orders/{orderId}/returns'],
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
          dropOffSeconds: environment.RETURN_DROP_OFF_SECONDS,
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
        status === 422 ? [fieldErrorNamed(field, reason)] : [],
      );
    }
    if (result.kind === 'accepted') countMetric('ReturnRequested');
    // Also on a replay: if the first attempt crashed after recording the return, this starts its workflow now.
    const number = splitReturnId(result.answer.returnId)?.number ?? 0;
    await startNamedExecution(sfn, environment.RETURNS_STATE_MACHINE_ARN, `${orderId}-r${number}`, {
      orderId,
      number,
      returnKey: keys.orderReturn(orderId as string, number).sk,
      step: returnStepAnswer(
        { status: 'REQUESTED', dropOffBy: result.answer.dropOffBy, method: body.method },
        new Date(),
      ),
    });
    return { body: result.answer };
  },
);
