import { createDocumentClient } from '../../adapters/dynamodb/client';
import { getReturn } from '../../adapters/dynamodb/returns';
import { returnView } from '../../app/return-views';
import { returnContracts } from '../../contracts/api-returns';
import { problemCodes } from '../../contracts/errors';
import { returnKeyFor } from '../../contracts/returns';
import { loadFunctionEnvironment } from '../../shared/env';
import { httpHandler } from '../../shared/http';
import { HttpProblem } from '../../shared/problem';

const environment = loadFunctionEnvironment('getReturn');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

/**
 * A return as its order's channel (by its own order id), ops, or staff of the store it is brought to (or was
 * received at) see it. Anyone else's return answers exactly as a missing one: 404.
 */
export const handler = httpHandler(
  returnContracts['GET /returns/{returnId}'],
  async ({ params, principal }) => {
    const key = returnKeyFor(principal, params.returnId);
    const found = key ? await getReturn(table, key.orderId, key.number) : undefined;
    const visible =
      found &&
      (principal.role !== 'staff' ||
        [found.storeId, found.receivedLocationId, found.pickup?.destinationLocationId].includes(
          principal.scope,
        ));
    if (!found || !visible)
      throw new HttpProblem(404, problemCodes.returnNotFound, `Return ${params.returnId} does not exist.`);
    return { body: returnView(found, params.returnId, principal.role) };
  },
);
