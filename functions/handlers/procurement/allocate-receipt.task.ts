import { createDocumentClient } from '../../adapters/dynamodb/client';
import { allocateReceipt, closeProcurementRound } from '../../adapters/dynamodb/procurement/allocate-receipt';
import { createStepFunctionsClient } from '../../adapters/sfn/client';
import { resumeBackorders } from '../../app/resume-backorders';
import { purchaseOrderTaskSchema } from '../../contracts/procurement';
import { loadFunctionEnvironment } from '../../shared/env';
import { taskHandler } from '../../shared/task';

const environment = loadFunctionEnvironment('allocateReceipt');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };
const sfn = createStepFunctionsClient();
const actor = 'workflow:procurement';

/**
 * Shares out what was received, then resumes every order whose backorders are now fully allocated (its
 * fulfilment re-runs ReserveStock, which finds the holds). An order that has not parked its token yet makes
 * the task fail with Backorder.NotYetParked, which the ASL retries; the allocation itself is not repeated.
 */
export const handler = taskHandler(purchaseOrderTaskSchema, async (input) => {
  const now = new Date();
  const result = await allocateReceipt(table, {
    poId: input.poId,
    step: input.step,
    actor,
    now,
    holdMinutes: environment.RESERVATION_HOLD_MINUTES,
  });
  if (result.roundClosedFor) await closeProcurementRound(table, result.roundClosedFor, input.poId, now);
  const toResume = [...result.ordersToResume, ...(result.roundClosedFor ? [result.roundClosedFor] : [])];
  await resumeBackorders({ table, sfn }, toResume, { actor, step: input.step, source: input.poId, now });
  return { complete: result.complete };
});
