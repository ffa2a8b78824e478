import { createDocumentClient } from '../../adapters/dynamodb/client';
import { saveLocation } from '../../adapters/dynamodb/locations';
import { inventoryContracts } from '../../contracts/api-inventory';
import { loadFunctionEnvironment } from '../../shared/env';
import { httpHandler } from '../../shared/http';

const environment = loadFunctionEnvironment('putLocation');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

export const handler = httpHandler(
  inventoryContracts['PUT /locations/{locationId}'],
  async ({ params, body }) => ({
    body: await saveLocation(table, params.locationId, body, new Date()),
  }),
);
