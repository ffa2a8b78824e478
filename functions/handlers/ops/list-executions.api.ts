import { createStepFunctionsClient } from '../../adapters/sfn/client';
import {
  InvalidPageTokenError,
  listExecutionSummariesAcross,
  workflowNameOf,
} from '../../adapters/sfn/executions';
import { platformContracts } from '../../contracts/api-platform';
import { loadFunctionEnvironment, operatedStateMachineArns } from '../../shared/env';
import { httpHandler } from '../../shared/http';
import { pageTokenProblem } from '../../shared/problem';

const stateMachineArns = operatedStateMachineArns(loadFunctionEnvironment('listExecutions'));
const sfn = createStepFunctionsClient();

export const handler = httpHandler(platformContracts['GET /ops/executions'], async ({ query }) => {
  try {
    const { workflow, ...options } = query;
    const machines = stateMachineArns.filter((arn) => !workflow || workflowNameOf(arn) === workflow);
    return { body: await listExecutionSummariesAcross(sfn, machines, options) };
  } catch (error) {
    if (error instanceof InvalidPageTokenError) throw pageTokenProblem(error.message);
    throw error;
  }
});
