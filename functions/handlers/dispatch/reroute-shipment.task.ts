import { createDocumentClient } from '../../adapters/dynamodb/client';
import { createStepFunctionsClient } from '../../adapters/sfn/client';
import { rerouteShipment } from '../../app/reroute-shipment';
import { dispatchTaskSchema } from '../../contracts/shipments';
import { loadFunctionEnvironment } from '../../shared/env';
import { taskHandler } from '../../shared/task';

const environment = loadFunctionEnvironment('rerouteShipment');
const deps = {
  table: { document: createDocumentClient(), tableName: environment.TABLE_NAME },
  sfn: createStepFunctionsClient(),
  fulfilmentStateMachineArn: environment.FULFILMENT_STATE_MACHINE_ARN,
  maxReroutes: Number(environment.MAX_REROUTES_PER_ORDER),
};

/** Answers `{status, waitSeconds, reroute}`: the ASL's ResultSelector reads all three. */
export const handler = taskHandler(dispatchTaskSchema, (input) =>
  rerouteShipment(deps, { shipmentId: input.shipmentId, now: new Date() }),
);
