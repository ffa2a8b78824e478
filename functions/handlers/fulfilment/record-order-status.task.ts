import { createDocumentClient } from '../../adapters/dynamodb/client';
import { transitionOrder } from '../../adapters/dynamodb/reservations';
import { recordOrderStatusTaskSchema } from '../../contracts/schemas';
import { loadFunctionEnvironment } from '../../shared/env';
import { taskHandler } from '../../shared/task';

const environment = loadFunctionEnvironment('recordOrderStatus');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

export const handler = taskHandler(recordOrderStatusTaskSchema, (input) =>
  transitionOrder(table, {
    orderId: input.orderId,
    status: input.status,
    step: input.step,
    actor: 'workflow:fulfilment',
    ...(input.reason ? { reason: input.reason } : {}),
    now: new Date(),
  }),
);
