import * as z from 'zod';
import { problemCodes } from '../functions/contracts/errors';
import { isJsonMediaType } from '../functions/contracts/media-types';
import { loneSurrogateAt } from '../functions/shared/json-input';
import type { LocalRouteHandler } from './emulators/apigateway/server';
import { type StepFunctionsService, UnknownFaultTarget } from './emulators/stepfunctions/service';

/**
 * A fault to inject. Strict, like every route: an unknown field (a typo) is refused, not ignored. The error and
 * cause end up in the execution's history, where AWS allows at most 256 and 32768 characters
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_TaskFailedEventDetails.html).
 */
export const faultSchema = z.strictObject({
  workflow: z.string().min(1),
  state: z.string().min(1),
  error: z.string().trim().min(1).max(256).default('TransientError'),
  cause: z.string().max(32_768).optional(),
  times: z.number().int().positive(),
  /** `after`: the task's resource runs (its writes land), then the task fails; see FaultPhase. */
  phase: z.enum(['before', 'after']).default('before'),
});

const problem = (status: number, title: string, detail: string, extra: Record<string, unknown> = {}) => ({
  statusCode: status,
  headers: { 'content-type': 'application/problem+json' },
  body: JSON.stringify({ type: 'about:blank', title, status, detail, ...extra }),
});

type Answer = ReturnType<typeof problem>;

function requireOps(principal: Record<string, unknown>): Answer | undefined {
  if (principal.role === 'anonymous' || !principal.role)
    return problem(401, 'Unauthorized', 'A valid x-api-key is required', { code: 'AUTH.UNAUTHENTICATED' });
  if (principal.role !== 'ops')
    return problem(403, 'Forbidden', 'Only operations may inject faults', { code: 'AUTH.FORBIDDEN' });
  return undefined;
}

/** As every route (functions/shared/http.ts): no query parameter the route does not declare (these declare none). */
const refuseQuery = (query: Record<string, string>): Answer | undefined =>
  Object.keys(query).length > 0
    ? problem(400, 'Bad Request', 'This route takes no query parameters', {
        code: problemCodes.validation,
        errors: Object.keys(query).map((name) => ({
          pointer: `/${name}`,
          detail: 'unknown query parameter',
        })),
      })
    : undefined;

const refuseBody = (body: string): Answer | undefined =>
  body.length > 0
    ? problem(400, 'Bad Request', 'This route takes no body', { code: problemCodes.validation })
    : undefined;

/** The fault in a request body, or the problem that refuses it (415, 400 or 422). */
function parseFault(body: string, contentType: string): { fault: z.output<typeof faultSchema> } | Answer {
  if (!isJsonMediaType(contentType))
    return problem(415, 'Unsupported Media Type', 'Send the fault as application/json', {
      code: problemCodes.unsupportedMediaType,
    });
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return problem(400, 'Malformed JSON', 'The request body is not valid JSON', {
      code: problemCodes.malformedJson,
    });
  }
  if (loneSurrogateAt(json))
    return problem(400, 'Malformed JSON', 'The request body holds a string that is not Unicode text', {
      code: problemCodes.malformedJson,
    });
  const parsed = faultSchema.safeParse(json);
  if (parsed.success) return { fault: parsed.data };
  return problem(422, 'Invalid fault', 'The fault definition is invalid', {
    code: problemCodes.validation,
    errors: parsed.error.issues.map((issue) => ({
      pointer: `/${issue.path.join('/')}`,
      detail: issue.message,
    })),
  });
}

/** Local-only fault injection (`PUT/GET/DELETE /ops/faults`, ops key): makes a workflow state's task fail, before or after its resource runs. */
export function registerFaultRoutes(
  stepFunctions: StepFunctionsService,
): { method: string; path: string; handler: LocalRouteHandler }[] {
  return [
    {
      method: 'PUT',
      path: '/ops/faults',
      handler: async ({ body, headers, query, principal }) => {
        const denied = requireOps(principal) ?? refuseQuery(query);
        if (denied) return denied;
        const parsed = parseFault(body, headers['content-type'] ?? '');
        if (!('fault' in parsed)) return parsed;
        const { fault } = parsed;
        try {
          stepFunctions.setFault({
            stateMachine: fault.workflow,
            state: fault.state,
            error: fault.error,
            cause: fault.cause,
            times: fault.times,
            phase: fault.phase,
          });
        } catch (error) {
          if (!(error instanceof UnknownFaultTarget)) throw error;
          return problem(422, 'Invalid fault', error.message, {
            code: problemCodes.validation,
            errors: [{ pointer: '/state', detail: error.message }],
          });
        }
        return {
          statusCode: 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(fault),
        };
      },
    },
    {
      method: 'GET',
      path: '/ops/faults',
      handler: async ({ body, query, principal }) => {
        const denied = requireOps(principal) ?? refuseQuery(query) ?? refuseBody(body);
        if (denied) return denied;
        const items = stepFunctions
          .listFaults()
          .map(({ stateMachine, ...fault }) => ({ workflow: stateMachine, ...fault }));
        return {
          statusCode: 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ items }),
        };
      },
    },
    {
      method: 'DELETE',
      path: '/ops/faults',
      handler: async ({ body, query, principal }) => {
        const denied = requireOps(principal) ?? refuseQuery(query) ?? refuseBody(body);
        if (denied) return denied;
        stepFunctions.clearFaults();
        return { statusCode: 204, body: '' };
      },
    },
  ];
}
