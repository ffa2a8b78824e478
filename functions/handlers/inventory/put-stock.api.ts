import { createDocumentClient } from '../../adapters/dynamodb/client';
import { getLocation } from '../../adapters/dynamodb/locations';
import { recordCycleCount } from '../../adapters/dynamodb/stock';
import { apiContracts } from '../../contracts/api';
import { problemCodes } from '../../contracts/errors';
import { availableToPromise } from '../../core/stock';
import { commonEnvironment, loadEnvironment } from '../../shared/env';
import { httpHandler } from '../../shared/http';
import { HttpProblem } from '../../shared/problem';

const environment = loadEnvironment(commonEnvironment);
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

export const handler = httpHandler(
  apiContracts['PUT /locations/{locationId}/stock/{sku}'],
  async ({ params, body }) => {
    if (!(await getLocation(table, params.locationId))) {
      throw new HttpProblem(
        404,
        problemCodes.locationNotFound,
        `Location ${params.locationId} does not exist; create it first.`,
      );
    }
    const result = await recordCycleCount(table, params.sku, params.locationId, body, new Date());
    if (result.outcome === 'below-reserved') {
      throw new HttpProblem(
        409,
        problemCodes.onHandBelowReserved,
        `onHand ${body.onHand} is below the ${result.reserved} units of ${params.sku} reserved for orders at ${params.locationId}; pick or release those first.`,
      );
    }
    const { stock } = result;
    return {
      body: {
        sku: stock.sku,
        locationId: stock.locationId,
        onHand: stock.onHand,
        reserved: stock.reserved,
        available: availableToPromise(stock),
        inbound: stock.inbound,
        safetyStock: stock.safetyStock,
        updatedAt: stock.updatedAt,
      },
    };
  },
);
