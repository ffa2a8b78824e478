import { createStepFunctionsClient } from '../../adapters/sfn/client';
import { InvalidPageTokenError, listExecutionSummariesAcross } from '../../adapters/sfn/executions';
import { apiContracts } from '../../contracts/api';
import { loadFunctionEnvironment, operatedStateMachineArns } from '../../shared/env';
import { httpHandler } from '../../shared/http';
import { pageTokenProblem } from '../../shared/problem';

const stateMachineArns = operatedStateMachineArns(loadFunctionEnvironment('listExecutions'));
const sfn = createStepFunctionsClient();

export const handler = httpHandler(apiContracts['GET /ops/executions'], async ({ query }) => {
  try {
    return { body: await listExecutionSummariesAcross(sfn, stateMachineArns, query) };
  } catch (error) {
    if (error instanceof InvalidPageTokenError) throw pageTokenProblem(error.message);
    throw error;
  }
});
