import { createDocumentClient } from '../../adapters/dynamodb/client';
import { createStepFunctionsClient } from '../../adapters/sfn/client';
import { collectStep, rebookStep, receiveStep, returnedStep, unlockStep } from '../../app/counter-steps';
import { runShipmentStep, type ShipmentStepDefinition } from '../../app/shipment-step';
import { handoverStep, packStep, pickStep, rejectStep } from '../../app/staff-steps';
import { dispatchContracts } from '../../contracts/api-dispatch';
import type { RouteKey } from '../../contracts/api-model';
import { problemCodes } from '../../contracts/errors';
import { loadFunctionEnvironment } from '../../shared/env';
import { httpHandler, routeTable } from '../../shared/http';
import { HttpProblem } from '../../shared/problem';

const environment = loadFunctionEnvironment('recordShipmentStep');
const deps = {
  table: { document: createDocumentClient(), tableName: environment.TABLE_NAME },
  sfn: createStepFunctionsClient(),
};

/** Runs a step for the caller and answers `{shipmentId, status}`, or the problem the step met. */
async function answer(
  step: ShipmentStepDefinition,
  shipmentId: string,
  principal: { readonly principalId: string; readonly scope: string },
) {
  const result = await runShipmentStep(deps, step, {
    shipmentId,
    actor: principal.principalId,
    scope: principal.scope,
    now: new Date(),
  });
  switch (result.kind) {
    case 'not-found':
      throw new HttpProblem(404, problemCodes.shipmentNotFound, `Shipment ${shipmentId} does not exist.`);
    case 'forbidden':
      throw new HttpProblem(
        403,
        problemCodes.forbiddenScope,
        `This key acts for location ${principal.scope} only, not ${result.locationId}.`,
      );
    case 'conflict':
      throw new HttpProblem(409, problemCodes.shipmentState, result.reason);
    case 'refused':
      throw new HttpProblem(
        result.status,
        result.code,
        result.reason,
        result.status === 422
          ? [{ pointer: `/${result.field}`, field: result.field, message: result.reason }]
          : [],
      );
    default:
      return { body: { shipmentId: result.shipment.shipmentId, status: result.shipment.status } };
  }
}

/** One function serves every shipment step (same grants, same runner); each route keeps its own contract. */
const handlers = {
  'POST /shipments/{shipmentId}/picked': httpHandler(
    dispatchContracts['POST /shipments/{shipmentId}/picked'],
    ({ params, body, principal }) => answer(pickStep(deps.table, body), params.shipmentId, principal),
  ),
  'POST /shipments/{shipmentId}/reject': httpHandler(
    dispatchContracts['POST /shipments/{shipmentId}/reject'],
    ({ params, body, principal }) =>
      answer(rejectStep(deps.table, body.reason), params.shipmentId, principal),
  ),
  'POST /shipments/{shipmentId}/packed': httpHandler(
    dispatchContracts['POST /shipments/{shipmentId}/packed'],
    ({ params, body, principal }) => answer(packStep(deps.table, body), params.shipmentId, principal),
  ),
  'POST /shipments/{shipmentId}/handed-over': httpHandler(
    dispatchContracts['POST /shipments/{shipmentId}/handed-over'],
    ({ params, body, principal }) => answer(handoverStep(deps.table, body), params.shipmentId, principal),
  ),
  'POST /shipments/{shipmentId}/received': httpHandler(
    dispatchContracts['POST /shipments/{shipmentId}/received'],
    ({ params, principal }) => answer(receiveStep(deps.table), params.shipmentId, principal),
  ),
  'POST /shipments/{shipmentId}/collected': httpHandler(
    dispatchContracts['POST /shipments/{shipmentId}/collected'],
    ({ params, body, principal }) => answer(collectStep(body), params.shipmentId, principal),
  ),
  'POST /shipments/{shipmentId}/returned': httpHandler(
    dispatchContracts['POST /shipments/{shipmentId}/returned'],
    ({ params, principal }) => answer(returnedStep(deps.table), params.shipmentId, principal),
  ),
  'POST /ops/shipments/{shipmentId}/unlock': httpHandler(
    dispatchContracts['POST /ops/shipments/{shipmentId}/unlock'],
    ({ params, principal }) => answer(unlockStep, params.shipmentId, principal),
  ),
  'POST /ops/shipments/{shipmentId}/rebook': httpHandler(
    dispatchContracts['POST /ops/shipments/{shipmentId}/rebook'],
    ({ params, principal }) => answer(rebookStep, params.shipmentId, principal),
  ),
} satisfies Partial<Record<RouteKey, unknown>>;

export const handler = routeTable('recordShipmentStep', handlers);
