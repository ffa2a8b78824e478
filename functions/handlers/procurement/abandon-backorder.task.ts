import { createStepFunctionsClient } from '../../adapters/clients';
import { createDocumentClient } from '../../adapters/dynamodb/client';
import {
  BackorderNotParkedError,
  backorderWaiter,
  closeBackorders,
  listBackorders,
} from '../../adapters/dynamodb/procurement';
import { sendTaskFailure } from '../../adapters/sfn/callbacks';
import { backorderCannotBeProcuredErrorName } from '../../contracts/errors';
import { abandonBackorderTaskSchema } from '../../contracts/schemas';
import { commonEnvironment, loadEnvironment } from '../../shared/env';
import { taskHandler } from '../../shared/task';

const environment = loadEnvironment(commonEnvironment);
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };
const sfn = createStepFunctionsClient();

/**
 * No supplier left: the waiting fulfilment fails its wait with Backorder.CannotBeProcured and rejects the
 * order. Backorders already withdrawn mean an earlier run (or a cancellation) has ended that wait: a re-run
 * (retry, redrive) only repeats the close, instead of finding no token and reporting Backorder.NotYetParked
 * until fulfilment has caught up.
 */
export const handler = taskHandler(abandonBackorderTaskSchema, async (input) => {
  const waiter = await backorderWaiter(table, input.orderId);
  const open = (await listBackorders(table, input.orderId)).some(
    (backorder) => backorder.status === 'WAITING' || backorder.status === 'ALLOCATED',
  );
  if (waiter.status === 'BACKORDERED' && open) {
    const sent = waiter.token
      ? await sendTaskFailure(
          sfn,
          waiter.token,
          backorderCannotBeProcuredErrorName,
          'no supplier can deliver the backordered units',
        )
      : 'stale';
    if (sent === 'stale') throw new BackorderNotParkedError(`order ${input.orderId} is not waiting yet`);
  }
  await closeBackorders(table, {
    orderId: input.orderId,
    token: waiter.token,
    status: 'WITHDRAWN',
    actor: 'workflow:procurement',
    step: input.step,
    now: new Date(),
  });
  return { abandoned: true };
});
