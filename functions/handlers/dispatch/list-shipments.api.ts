import { createDocumentClient } from '../../adapters/dynamodb/client';
import {
  InvalidTaskPageToken,
  listAttentionShipments,
  listPendingShipments,
} from '../../adapters/dynamodb/shipment-lists';
import { dispatchContracts } from '../../contracts/api-dispatch';
import { loadFunctionEnvironment } from '../../shared/env';
import { httpHandler } from '../../shared/http';
import { pageTokenProblem } from '../../shared/problem';

const environment = loadFunctionEnvironment('listShipments');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

export const handler = httpHandler(dispatchContracts['GET /ops/shipments'], async ({ query }) => {
  try {
    if (query.attention === 'true')
      return {
        body: await listAttentionShipments(table, {
          limit: query.limit,
          ...(query.nextToken ? { nextToken: query.nextToken } : {}),
        }),
      };
    return {
      body: await listPendingShipments(table, {
        ...(query.status ? { status: query.status } : {}),
        late: query.late === 'true',
        now: new Date(),
        limit: query.limit,
        ...(query.nextToken ? { nextToken: query.nextToken } : {}),
      }),
    };
  } catch (error) {
    if (error instanceof InvalidTaskPageToken) throw pageTokenProblem(error.message);
    throw error;
  }
});
