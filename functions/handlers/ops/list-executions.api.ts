import { createStepFunctionsClient } from '../../adapters/clients';
import { listExecutionSummariesAcross } from '../../adapters/sfn/executions';
import { apiContracts } from '../../contracts/api';
import { commonEnvironment, loadEnvironment, stateMachineArnSchema } from '../../shared/env';
import { httpHandler } from '../../shared/http';

const environment = loadEnvironment({
  ...commonEnvironment,
  FULFILMENT_STATE_MACHINE_ARN: stateMachineArnSchema,
  PROCUREMENT_STATE_MACHINE_ARN: stateMachineArnSchema,
});
const stateMachineArns = [
  environment.FULFILMENT_STATE_MACHINE_ARN,
  environment.PROCUREMENT_STATE_MACHINE_ARN,
];
const sfn = createStepFunctionsClient();

export const handler = httpHandler(apiContracts['GET /ops/executions'], async ({ query }) => ({
  body: await listExecutionSummariesAcross(sfn, stateMachineArns, query),
}));
