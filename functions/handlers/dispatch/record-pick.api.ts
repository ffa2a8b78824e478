import { createDocumentClient } from '../../adapters/dynamodb/client';
import { recordPick } from '../../app/record-pick';
import { apiContracts } from '../../contracts/api';
import { problemCodes } from '../../contracts/errors';
import { loadFunctionEnvironment } from '../../shared/env';
import { httpHandler } from '../../shared/http';
import { HttpProblem } from '../../shared/problem';

const environment = loadFunctionEnvironment('recordPick');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

export const handler = httpHandler(
  apiContracts['POST /shipments/{shipmentId}/picked'],
  async ({ params, body, principal }) => {
    const result = await recordPick(table, {
      shipmentId: params.shipmentId,
      body,
      actor: principal.principalId,
      scope: principal.scope,
      now: new Date(),
    });
    switch (result.kind) {
      case 'not-found':
        throw new HttpProblem(
          404,
          problemCodes.shipmentNotFound,
          `Shipment ${params.shipmentId} does not exist.`,
        );
      case 'forbidden':
        throw new HttpProblem(
          403,
          problemCodes.forbiddenScope,
          `This key acts for location ${principal.scope} only, not ${result.shipment.locationId}.`,
        );
      case 'mismatch':
        throw new HttpProblem(422, problemCodes.pickMismatch, result.reason, [
          { pointer: '/lines', field: 'lines', message: result.reason },
        ]);
      case 'conflict':
        throw new HttpProblem(409, problemCodes.shipmentState, result.reason);
      default:
        return { body: { shipmentId: result.shipment.shipmentId, status: result.shipment.status } };
    }
  },
);
