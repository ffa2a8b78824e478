import { createDocumentClient } from '../../adapters/dynamodb/client';
import { putSkuPolicy } from '../../adapters/dynamodb/sku-policies';
import { inventoryContracts } from '../../contracts/api-inventory';
import { loadFunctionEnvironment } from '../../shared/env';
import { httpHandler } from '../../shared/http';

const environment = loadFunctionEnvironment('putSkuPolicy');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

export const handler = httpHandler(inventoryContracts['PUT /skus/{sku}'], async ({ params, body }) => ({
  body: await putSkuPolicy(table, params.sku, body, new Date()),
}));
