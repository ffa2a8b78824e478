import { createDocumentClient } from '../../adapters/dynamodb/client';
import { transitionOrder } from '../../adapters/dynamodb/reservations';
import { recordOrderStatusTaskSchema } from '../../contracts/schemas';
import { commonEnvironment, loadEnvironment } from '../../shared/env';
import { taskHandler } from '../../shared/task';

const environment = loadEnvironment(commonEnvironment);
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
