import { createDocumentClient } from '../../adapters/dynamodb/client';
import {
  backorderWaiter,
  closeBackorders,
  listBackorders,
} from '../../adapters/dynamodb/procurement/backorders';
import { closeReplenishment } from '../../adapters/dynamodb/replenishment';
import { sendTaskFailure } from '../../adapters/sfn/callbacks';
import { createStepFunctionsClient } from '../../adapters/sfn/client';
import { BackorderNotParkedError, backorderCannotBeProcuredErrorName } from '../../contracts/errors';
import { abandonBackorderTaskSchema } from '../../contracts/procurement';
import { loadFunctionEnvironment } from '../../shared/env';
import { taskHandler } from '../../shared/task';

const environment = loadFunctionEnvironment('abandonBackorder');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };
const sfn = createStepFunctionsClient();

/**
 * No supplier left. A backorder: the waiting fulfilment fails its wait with Backorder.CannotBeProcured and
 * rejects the order; backorders already withdrawn mean an earlier run (or a cancellation) has ended that
 * wait, so a re-run (retry, redrive) only repeats the close, instead of finding no token and reporting
 * Backorder.NotYetParked until fulfilment has caught up. A replenishment: nobody waits for it; its slot
 * closes as ABANDONED, so the next drop below the reorder point tries again (supplier feeds may have changed).
 */
export const handler = taskHandler(abandonBackorderTaskSchema, async ({ demand, step }) => {
  const now = new Date();
  if (demand.kind === 'replenishment') {
    await closeReplenishment(table, demand, 'ABANDONED', {
      at: now.toISOString(),
      event: 'REPLENISHMENT_ABANDONED',
      actor: 'workflow:procurement',
      step,
      reason: `no supplier can deliver ${demand.sku} to ${demand.locationId}`,
    });
    return { abandoned: true };
  }
  const waiter = await backorderWaiter(table, demand.orderId);
  const open = (await listBackorders(table, demand.orderId)).some(
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
    if (sent === 'stale') throw new BackorderNotParkedError(`order ${demand.orderId} is not waiting yet`);
  }
  await closeBackorders(table, {
    orderId: demand.orderId,
    token: waiter.token,
    status: 'WITHDRAWN',
    actor: 'workflow:procurement',
    step,
    now,
  });
  return { abandoned: true };
});
