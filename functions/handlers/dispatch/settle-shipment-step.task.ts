import { createDocumentClient } from '../../adapters/dynamodb/client';
import { createStepFunctionsClient } from '../../adapters/sfn/client';
import { settleDispatchWait } from '../../app/settle-dispatch-wait';
import { dispatchTaskSchema } from '../../contracts/shipments';
import { loadFunctionEnvironment } from '../../shared/env';
import { taskHandler } from '../../shared/task';

const environment = loadFunctionEnvironment('settleShipmentStep');
const deps = {
  table: { document: createDocumentClient(), tableName: environment.TABLE_NAME },
  sfn: createStepFunctionsClient(),
};

/** Answers `{status, waitSeconds, reroute}`: the ASL's ResultSelector reads all three. */
export const handler = taskHandler(dispatchTaskSchema, (input) =>
  settleDispatchWait(deps, {
    shipmentId: input.shipmentId,
    now: new Date(),
    ...(input.waitFailure?.Error === 'States.Timeout' && input.waitedIn
      ? { timedOutIn: input.waitedIn }
      : {}),
  }),
);
