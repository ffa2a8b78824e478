import { createStepFunctionsClient } from '../../adapters/sfn/client';
import { readExecutionDetail } from '../../adapters/sfn/execution-detail';
import { platformContracts } from '../../contracts/api-platform';
import { problemCodes } from '../../contracts/errors';
import { loadFunctionEnvironment, operatedStateMachineArns } from '../../shared/env';
import { httpHandler } from '../../shared/http';
import { HttpProblem } from '../../shared/problem';

const stateMachineArns = operatedStateMachineArns(loadFunctionEnvironment('getExecution'));
const sfn = createStepFunctionsClient();
const pageSize = 100;

export const handler = httpHandler(
  platformContracts['GET /ops/executions/{executionId}'],
  async ({ params, query }) => {
    const detail = await readExecutionDetail(sfn, stateMachineArns, params.executionId, query.workflow);
    if (!detail)
      throw new HttpProblem(
        404,
        problemCodes.executionNotFound,
        `Execution ${params.executionId} does not exist.`,
      );
    const pages = Math.max(1, Math.ceil(detail.events.length / pageSize));
    const start = (query.page - 1) * pageSize;
    return {
      body: {
        ...detail,
        events: detail.events.slice(start, start + pageSize),
        page: query.page,
        pages,
        totalEvents: detail.events.length,
      },
    };
  },
);
