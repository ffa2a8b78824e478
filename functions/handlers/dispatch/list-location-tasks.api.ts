import { createDocumentClient } from '../../adapters/dynamodb/client';
import { InvalidTaskPageToken, listLocationTasks } from '../../adapters/dynamodb/shipment-lists';
import { dispatchContracts } from '../../contracts/api-dispatch';
import { loadFunctionEnvironment } from '../../shared/env';
import { httpHandler } from '../../shared/http';
import { pageTokenProblem } from '../../shared/problem';

const environment = loadFunctionEnvironment('listLocationTasks');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

export const handler = httpHandler(
  dispatchContracts['GET /locations/{locationId}/tasks'],
  async ({ params, query }) => {
    try {
      return { body: await listLocationTasks(table, params.locationId, query) };
    } catch (error) {
      if (error instanceof InvalidTaskPageToken) throw pageTokenProblem(error.message);
      throw error;
    }
  },
);
