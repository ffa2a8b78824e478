import { createDocumentClient } from '../../adapters/dynamodb/client';
import { transitionOrder } from '../../adapters/dynamodb/reservations';
import { createStepFunctionsClient } from '../../adapters/sfn/client';
import { rejectOrder } from '../../app/reject-order';
import { recordOrderStatusTaskSchema } from '../../contracts/schemas';
import { loadFunctionEnvironment } from '../../shared/env';
import { taskHandler } from '../../shared/task';

const environment = loadFunctionEnvironment('recordOrderStatus');
const deps = {
  table: { document: createDocumentClient(), tableName: environment.TABLE_NAME },
  sfn: createStepFunctionsClient(),
};

/** REJECTED goes through rejectOrder: a re-route's round gives up only what it lacks when goods are on their way. */
export const handler = taskHandler(recordOrderStatusTaskSchema, (input) => {
  const transition = {
    orderId: input.orderId,
    step: input.step,
    actor: 'workflow:fulfilment',
    ...(input.reason ? { reason: input.reason } : {}),
    now: new Date(),
  };
  return input.status === 'REJECTED'
    ? rejectOrder(deps, transition)
    : transitionOrder(deps.table, { ...transition, status: input.status });
});
