import { createDocumentClient } from '../../adapters/dynamodb/client';
import { createStepFunctionsClient } from '../../adapters/sfn/client';
import { createShipmentsAndDispatch } from '../../app/create-shipments';
import { createShipmentsTaskSchema } from '../../contracts/schemas';
import { loadFunctionEnvironment } from '../../shared/env';
import { taskHandler } from '../../shared/task';

const environment = loadFunctionEnvironment('createShipments');
const deps = {
  table: { document: createDocumentClient(), tableName: environment.TABLE_NAME },
  sfn: createStepFunctionsClient(),
  dispatchStateMachineArn: environment.DISPATCH_STATE_MACHINE_ARN,
};

/** Answers `{outcome, shipments}`: the ASL's ResultSelector reads both. */
export const handler = taskHandler(createShipmentsTaskSchema, (input) =>
  createShipmentsAndDispatch(deps, {
    orderId: input.orderId,
    round: input.round,
    actor: 'workflow:fulfilment',
    now: new Date(),
  }),
);
