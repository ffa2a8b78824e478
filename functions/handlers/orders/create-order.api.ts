import { randomUUID } from 'node:crypto';
import { createDocumentClient } from '../../adapters/dynamodb/client';
import { acceptOrder } from '../../adapters/dynamodb/orders';
import { createStepFunctionsClient } from '../../adapters/sfn/client';
import { startNamedExecution } from '../../adapters/sfn/executions';
import { orderContracts } from '../../contracts/api-orders';
import { problemCodes } from '../../contracts/errors';
import { orderIdFor } from '../../contracts/order-ids';
import { loadFunctionEnvironment } from '../../shared/env';
import { canonicalJson, sha256Hex } from '../../shared/hash';
import { httpHandler } from '../../shared/http';
import { requireIdempotencyKey } from '../../shared/idempotency';
import { countMetric } from '../../shared/observability';
import { HttpProblem } from '../../shared/problem';

const environment = loadFunctionEnvironment('createOrder');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };
const sfn = createStepFunctionsClient();

export const handler = httpHandler(orderContracts['POST /orders'], async ({ body, principal, headers }) => {
  const idempotencyKey = requireIdempotencyKey(headers);
  const channelOrderId = body.orderId ?? `ord_${randomUUID()}`;
  const orderId = orderIdFor(principal, channelOrderId);
  // Only a principal misconfigured with a scope that is no channel id gets here (contracts/order-ids.ts).
  if (!orderId)
    throw new HttpProblem(403, problemCodes.forbiddenScope, 'This API key is not bound to a sales channel.');
  const accepted = await acceptOrder(table, {
    principalId: principal.principalId,
    idempotencyKey,
    requestHash: sha256Hex(canonicalJson(body)),
    body,
    orderId,
    channelOrderId,
    now: new Date(),
  });
  if (accepted.kind === 'key-reused') {
    throw new HttpProblem(
      409,
      problemCodes.idempotencyKeyReused,
      'This Idempotency-Key was already used with a different body.',
    );
  }
  if (accepted.kind === 'order-exists') {
    throw new HttpProblem(409, problemCodes.orderAlreadyExists, `Order ${channelOrderId} already exists.`);
  }
  if (accepted.kind === 'accepted') countMetric('OrderAccepted', { fulfilment: body.fulfilment.type });
  // Also on a replay: if the first attempt crashed after writing the order, this starts its workflow now.
  // Round 0: the order's first sourcing (a re-route starts round n, docs/dispatch.md).
  await startNamedExecution(sfn, environment.FULFILMENT_STATE_MACHINE_ARN, accepted.record.orderId, {
    orderId: accepted.record.orderId,
    round: 0,
  });
  return { status: accepted.record.response.status, body: accepted.record.response.body };
});
