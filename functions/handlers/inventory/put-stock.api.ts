import { createDocumentClient } from '../../adapters/dynamodb/client';
import { getLocation } from '../../adapters/dynamodb/locations';
import { recordCycleCount, stockFiguresView } from '../../adapters/dynamodb/stock';
import { createStepFunctionsClient } from '../../adapters/sfn/client';
import { replenishWhereLow } from '../../app/replenishment';
import { inventoryContracts } from '../../contracts/api-inventory';
import { problemCodes } from '../../contracts/errors';
import { loadFunctionEnvironment } from '../../shared/env';
import { httpHandler } from '../../shared/http';
import { HttpProblem } from '../../shared/problem';

const environment = loadFunctionEnvironment('putStock');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };
const replenishment = {
  table,
  sfn: createStepFunctionsClient(),
  procurementStateMachineArn: environment.PROCUREMENT_STATE_MACHINE_ARN,
};

export const handler = httpHandler(
  inventoryContracts['PUT /locations/{locationId}/stock/{sku}'],
  async ({ params, body, principal }) => {
    if (!(await getLocation(table, params.locationId))) {
      throw new HttpProblem(
        404,
        problemCodes.locationNotFound,
        `Location ${params.locationId} does not exist; create it first.`,
      );
    }
    const now = new Date();
    const result = await recordCycleCount(table, params.sku, params.locationId, body, now);
    if (result.outcome === 'below-reserved') {
      throw new HttpProblem(
        409,
        problemCodes.onHandBelowReserved,
        `onHand ${body.onHand} is below the ${result.reserved} units of ${params.sku} reserved for orders at ${params.locationId}; pick or release those first.`,
      );
    }
    const { stock } = result;
    // A count below the reorder point (or a new reorder point above the count) starts replenishment; it never
    // fails the count. Every count re-checks, so counting is also how staff retry a replenishment that failed to start.
    await replenishWhereLow(replenishment, [{ sku: stock.sku, locationId: stock.locationId }], {
      actor: principal.principalId,
      now,
    });
    return {
      body: {
        ...stockFiguresView(stock),
        ...(stock.reorderPoint === undefined ? {} : { reorderPoint: stock.reorderPoint }),
        ...(stock.reorderQuantity === undefined ? {} : { reorderQuantity: stock.reorderQuantity }),
      },
    };
  },
);
