import { createDocumentClient } from '../../adapters/dynamodb/client';
import { createPurchaseOrder } from '../../adapters/dynamodb/procurement/create-purchase-order';
import { createPurchaseOrderTaskSchema } from '../../contracts/procurement';
import { loadFunctionEnvironment } from '../../shared/env';
import { taskHandler } from '../../shared/task';

const environment = loadFunctionEnvironment('createPurchaseOrder');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

/** Always answers every field: the ASL's ResultSelector reads them all (a missing path fails the state). */
export const handler = taskHandler(createPurchaseOrderTaskSchema, async (input) => {
  const result = await createPurchaseOrder(table, {
    ...input,
    actor: 'workflow:procurement',
    now: new Date(),
    supplierTimeoutSeconds: environment.SUPPLIER_RESPONSE_TIMEOUT_SECONDS,
  });
  return result.outcome === 'PO_CREATED'
    ? result
    : {
        ...result,
        poId: '',
        supplierId: '',
        supplierTimeoutSeconds: environment.SUPPLIER_RESPONSE_TIMEOUT_SECONDS,
      };
});
