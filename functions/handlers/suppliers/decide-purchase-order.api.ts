import { createDocumentClient } from '../../adapters/dynamodb/client';
import {
  decidePurchaseOrder,
  type SupplierDecision,
} from '../../adapters/dynamodb/procurement/decide-purchase-order';
import { sendTaskSuccess } from '../../adapters/sfn/callbacks';
import { createStepFunctionsClient } from '../../adapters/sfn/client';
import { supplierContracts } from '../../contracts/api-suppliers';
import { problemCodes } from '../../contracts/errors';
import { loadFunctionEnvironment } from '../../shared/env';
import { httpHandler } from '../../shared/http';
import { HttpProblem } from '../../shared/problem';

const environment = loadFunctionEnvironment('decidePurchaseOrder');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };
const sfn = createStepFunctionsClient();

/**
 * Records the supplier's decision, then wakes the procurement workflow waiting on the PO. If it is not
 * waiting yet (or any more), its wait state reads the decision from the PO instead: no answer is lost.
 */
const decide = async (supplierId: string, poId: string, principalId: string, decision: SupplierDecision) => {
  const result = await decidePurchaseOrder(table, {
    poId,
    supplierId,
    decision,
    actor: principalId,
    now: new Date(),
  });
  if (result.kind === 'not-found')
    throw new HttpProblem(404, problemCodes.purchaseOrderNotFound, `Purchase order ${poId} does not exist.`);
  if (result.kind === 'conflict') throw new HttpProblem(409, problemCodes.purchaseOrderState, result.reason);
  if (result.token) await sendTaskSuccess(sfn, result.token, { decision: result.po.status });
  return { body: { poId, status: result.po.status } };
};

const confirmHandler = httpHandler(
  supplierContracts['POST /suppliers/{supplierId}/purchase-orders/{poId}/confirm'],
  ({ params, body, principal }) =>
    decide(params.supplierId, params.poId, principal.principalId, { kind: 'confirm', ...body }),
);

const rejectHandler = httpHandler(
  supplierContracts['POST /suppliers/{supplierId}/purchase-orders/{poId}/reject'],
  ({ params, body, principal }) =>
    decide(params.supplierId, params.poId, principal.principalId, { kind: 'reject', reason: body.reason }),
);

/** One function serves both routes (same grants, same code path); each route keeps its own contract. */
export const handler = (...args: Parameters<typeof confirmHandler>) =>
  args[0].routeKey.endsWith('/reject') ? rejectHandler(...args) : confirmHandler(...args);
