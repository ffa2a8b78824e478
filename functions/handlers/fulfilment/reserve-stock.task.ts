import { createDocumentClient } from '../../adapters/dynamodb/client';
import { reserveOrder } from '../../adapters/dynamodb/reservations';
import { createStepFunctionsClient } from '../../adapters/sfn/client';
import { replenishWhereLow } from '../../app/replenishment';
import { reserveStockTaskSchema } from '../../contracts/schemas';
import { loadFunctionEnvironment } from '../../shared/env';
import { countMetric } from '../../shared/observability';
import { taskHandler } from '../../shared/task';

const environment = loadFunctionEnvironment('reserveStock');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };
const replenishment = {
  table,
  sfn: createStepFunctionsClient(),
  procurementStateMachineArn: environment.PROCUREMENT_STATE_MACHINE_ARN,
};

/** Always answers `{outcome, shortfall}`: the ASL's ResultSelector reads both. */
export const handler = taskHandler(reserveStockTaskSchema, async (input) => {
  const now = new Date();
  const { lowered, ...result } = await reserveOrder(table, {
    orderId: input.orderId,
    step: input.step,
    actor: 'workflow:fulfilment',
    now,
    holdMinutes: environment.RESERVATION_HOLD_MINUTES,
  });
  countMetric('ReservationOutcome', { outcome: result.outcome });
  // After the reservation is committed; it never throws, so the order's outcome stands whatever happens here.
  await replenishWhereLow(replenishment, lowered, { actor: 'workflow:fulfilment', now });
  return result;
});
