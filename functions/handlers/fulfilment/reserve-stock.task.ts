import { createDocumentClient } from '../../adapters/dynamodb/client';
import { reserveOrder } from '../../adapters/dynamodb/reservations';
import { reserveStockTaskSchema } from '../../contracts/schemas';
import { loadEnvironment, reservationEnvironment } from '../../shared/env';
import { countMetric } from '../../shared/observability';
import { taskHandler } from '../../shared/task';

const environment = loadEnvironment(reservationEnvironment);
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

/** Always answers `{outcome, shortfall}`: the ASL's ResultSelector reads both. */
export const handler = taskHandler(reserveStockTaskSchema, async (input) => {
  const result = await reserveOrder(table, {
    orderId: input.orderId,
    step: input.step,
    actor: 'workflow:fulfilment',
    now: new Date(),
    holdMinutes: environment.RESERVATION_HOLD_MINUTES,
  });
  countMetric('ReservationOutcome', { outcome: result.outcome });
  return result;
});
