import { createDocumentClient } from '../../adapters/dynamodb/client';
import { createCarrierApi } from '../../adapters/http/carrier-api';
import { bookCarrier, cancelBooking } from '../../app/book-carrier';
import { dispatchTaskSchema } from '../../contracts/shipments';
import { loadFunctionEnvironment } from '../../shared/env';
import { countMetric } from '../../shared/observability';
import { taskHandler } from '../../shared/task';

const environment = loadFunctionEnvironment('carrierBooking');
const deps = {
  table: { document: createDocumentClient(), tableName: environment.TABLE_NAME },
  carriers: createCarrierApi({ timeoutMs: Number(environment.CARRIER_TIMEOUT_MS) }),
  onNoCarrier: () => countMetric('BookingFailures'),
};

/**
 * The dispatch workflow's carrier tasks: BookCarrier and CancelBooking. Answers `{status, waitSeconds,
 * reroute, carrier}`, which the ASL's ResultSelector reads.
 */
export const handler = taskHandler(dispatchTaskSchema, async (input) => {
  const task = { shipmentId: input.shipmentId, now: new Date() };
  if (input.step === 'CancelBooking') return cancelBooking(deps, task);
  const answer = await bookCarrier(deps, task);
  countMetric(answer.carrier === 'booked' ? 'CarrierBooked' : 'CarrierNotBooked');
  return answer;
});
