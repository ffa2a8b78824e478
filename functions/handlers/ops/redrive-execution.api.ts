import { createStepFunctionsClient } from '../../adapters/sfn/client';
import { executionArnOf, redriveExecution } from '../../adapters/sfn/executions';
import { platformContracts } from '../../contracts/api-platform';
import { problemCodes } from '../../contracts/errors';
import { loadFunctionEnvironment, operatedStateMachineArns } from '../../shared/env';
import { httpHandler } from '../../shared/http';
import { HttpProblem } from '../../shared/problem';

const stateMachineArns = operatedStateMachineArns(loadFunctionEnvironment('redriveExecution'));
const sfn = createStepFunctionsClient();

export const handler = httpHandler(
  platformContracts['POST /ops/executions/{executionId}/redrive'],
  async ({ params }) => {
    // Execution names are unique per workflow only: try each workflow until one knows the name.
    let executionArn = '';
    let result: Awaited<ReturnType<typeof redriveExecution>> = { outcome: 'not-found' };
    for (const stateMachineArn of stateMachineArns) {
      executionArn = executionArnOf(stateMachineArn, params.executionId);
      result = await redriveExecution(sfn, executionArn);
      if (result.outcome !== 'not-found') break;
    }
    if (result.outcome === 'not-found') {
      throw new HttpProblem(
        404,
        problemCodes.executionNotFound,
        `Execution ${params.executionId} does not exist.`,
      );
    }
    if (result.outcome === 'not-redrivable') {
      throw new HttpProblem(
        409,
        problemCodes.executionNotRedrivable,
        `Execution ${params.executionId} cannot be redriven: ${result.reason}`,
      );
    }
    return { body: { executionArn, status: 'RUNNING' } };
  },
);
