import { createStepFunctionsClient } from '../../adapters/clients';
import { listExecutionSummariesAcross } from '../../adapters/sfn/executions';
import { apiContracts } from '../../contracts/api';
import { loadFunctionEnvironment, operatedStateMachineArns } from '../../shared/env';
import { httpHandler } from '../../shared/http';

const stateMachineArns = operatedStateMachineArns(loadFunctionEnvironment('listExecutions'));
const sfn = createStepFunctionsClient();

export const handler = httpHandler(apiContracts['GET /ops/executions'], async ({ query }) => ({
  body: await listExecutionSummariesAcross(sfn, stateMachineArns, query),
}));
