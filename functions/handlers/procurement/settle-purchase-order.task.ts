import { createDocumentClient } from '../../adapters/dynamodb/client';
import { settlePurchaseOrder } from '../../adapters/dynamodb/procurement/settle-purchase-order';
import { purchaseOrderTaskSchema } from '../../contracts/procurement';
import { loadFunctionEnvironment } from '../../shared/env';
import { taskHandler } from '../../shared/task';

const environment = loadFunctionEnvironment('settlePurchaseOrder');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

export const handler = taskHandler(purchaseOrderTaskSchema, (input) =>
  settlePurchaseOrder(table, {
    poId: input.poId,
    step: input.step,
    actor: 'workflow:procurement',
    now: new Date(),
  }),
);
