import { createDocumentClient } from '../../adapters/dynamodb/client';
import { listPurchaseOrders } from '../../adapters/dynamodb/procurement/purchase-orders';
import { supplierContracts } from '../../contracts/api-suppliers';
import { loadFunctionEnvironment } from '../../shared/env';
import { httpHandler } from '../../shared/http';

const environment = loadFunctionEnvironment('listPurchaseOrders');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

export const handler = httpHandler(
  supplierContracts['GET /suppliers/{supplierId}/purchase-orders'],
  async ({ params }) => ({ body: { items: await listPurchaseOrders(table, params.supplierId) } }),
);
