import * as z from 'zod';
import type { RouteContract } from './api-model';
import * as opsSchemas from './ops-schemas';

/** The route contracts of health, the OpenAPI document, and the ops routes over dead letters and executions (contracts/api.ts merges every area's). */
export const platformContracts = {
  'GET /health': { summary: 'Liveness probe', successStatus: 200, response: opsSchemas.healthResponseSchema },
  'GET /openapi.json': {
    summary: 'This OpenAPI 3.1 document',
    successStatus: 200,
    response: z.record(z.string(), z.unknown()),
  },
  'GET /ops/dead-letters': {
    summary: "Messages in the queues' dead-letter queues, left in place (at most 100 per queue)",
    access: { roles: ['ops'] },
    successStatus: 200,
    response: opsSchemas.deadLetterListSchema,
  },
  'POST /ops/dead-letters/redrive': {
    summary: 'Move dead letters back to their source queue to be processed again (one queue, or all)',
    access: { roles: ['ops'] },
    body: opsSchemas.redriveDeadLettersBodySchema,
    successStatus: 202,
    response: opsSchemas.redriveDeadLettersResponseSchema,
    problems: [409, 415, 422],
  },
  'GET /ops/executions': {
    summary: 'Workflow executions (failed by default) with failed state, error, cause and input',
    access: { roles: ['ops'] },
    query: opsSchemas.listExecutionsQuerySchema,
    successStatus: 200,
    response: opsSchemas.executionListSchema,
  },
  'GET /ops/executions/{executionId}': {
    summary:
      "One execution: its workflow's definition, each state's status, input, output and error from the history, and the history itself (paginated)",
    access: { roles: ['ops'] },
    params: opsSchemas.executionIdParamsSchema,
    query: opsSchemas.executionDetailQuerySchema,
    successStatus: 200,
    response: opsSchemas.executionDetailSchema,
    problems: [404],
  },
  'POST /ops/executions/{executionId}/redrive': {
    summary: 'Redrive a failed execution from the step that failed',
    access: { roles: ['ops'] },
    params: opsSchemas.executionIdParamsSchema,
    successStatus: 202,
    response: opsSchemas.redriveResponseSchema,
    problems: [404, 409],
  },
} as const satisfies Record<string, RouteContract>;
