import { createDocumentClient } from '../../adapters/dynamodb/client';
import { listPurchaseOrders } from '../../adapters/dynamodb/procurement/purchase-orders';
import { apiContracts } from '../../contracts/api';
import { loadFunctionEnvironment } from '../../shared/env';
import { httpHandler } from '../../shared/http';

const environment = loadFunctionEnvironment('listPurchaseOrders');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

export const handler = httpHandler(
  apiContracts['GET /suppliers/{supplierId}/purchase-orders'],
  async ({ params }) => ({ body: { items: await listPurchaseOrders(table, params.supplierId) } }),
);
