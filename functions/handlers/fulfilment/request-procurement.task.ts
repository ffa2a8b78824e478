import { createDocumentClient } from '../../adapters/dynamodb/client';
import { loadOrder } from '../../adapters/dynamodb/orders';
import { createStepFunctionsClient } from '../../adapters/sfn/client';
import { startNamedExecution } from '../../adapters/sfn/executions';
import { orderNotFoundErrorName, WorkflowTaskError } from '../../contracts/errors';
import { requestProcurementTaskSchema } from '../../contracts/procurement';
import { loadFunctionEnvironment } from '../../shared/env';
import { taskHandler } from '../../shared/task';

const environment = loadFunctionEnvironment('requestProcurement');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };
const sfn = createStepFunctionsClient();

/**
 * One procurement execution per shortfall: the name carries the order version the shortfall was recorded
 * at, so a retried or redriven task starts nothing new, while a later, different shortfall (after a partial
 * allocation) gets its own round.
 */
export const handler = taskHandler(requestProcurementTaskSchema, async (input) => {
  const order = await loadOrder(table, input.orderId);
  if (!order) throw new WorkflowTaskError(orderNotFoundErrorName, `order ${input.orderId} does not exist`);
  const { executionArn } = await startNamedExecution(
    sfn,
    environment.PROCUREMENT_STATE_MACHINE_ARN,
    `${order.orderId}-procure-${order.version}`,
    { demand: { kind: 'backorder', orderId: order.orderId, round: order.version } },
  );
  return { executionArn };
});
