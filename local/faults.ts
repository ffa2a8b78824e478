import * as z from 'zod';
import { problemCodes } from '../functions/contracts/errors';
import type { LocalRouteHandler } from './emulators/apigateway/server';
import { type StepFunctionsService, UnknownFaultTarget } from './emulators/stepfunctions/service';

const faultSchema = z.object({
  workflow: z.string().min(1),
  state: z.string().min(1),
  error: z.string().min(1).default('TransientError'),
  cause: z.string().optional(),
  times: z.number().int().positive(),
  /** `after`: the task's resource runs (its writes land), then the task fails; see FaultPhase. */
  phase: z.enum(['before', 'after']).default('before'),
});

const problem = (status: number, title: string, detail: string, extra: Record<string, unknown> = {}) => ({
  statusCode: status,
  headers: { 'content-type': 'application/problem+json' },
  body: JSON.stringify({ type: 'about:blank', title, status, detail, ...extra }),
});

/** Local-only fault injection (`PUT/DELETE /ops/faults`, ops key): makes a workflow state's task fail, before or after its resource runs. */
export function registerFaultRoutes(
  stepFunctions: StepFunctionsService,
): { method: string; path: string; handler: LocalRouteHandler }[] {
  const requireOps: (principal: Record<string, unknown>) => ReturnType<typeof problem> | undefined = (
    principal,
  ) => {
    if (principal.role === 'anonymous' || !principal.role)
      return problem(401, 'Unauthorized', 'A valid x-api-key is required', { code: 'AUTH.UNAUTHENTICATED' });
    if (principal.role !== 'ops')
      return problem(403, 'Forbidden', 'Only operations may inject faults', { code: 'AUTH.FORBIDDEN' });
    return undefined;
  };
  return [
    {
      method: 'PUT',
      path: '/ops/faults',
      handler: async ({ body, headers, principal }) => {
        const denied = requireOps(principal);
        if (denied) return denied;
        if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(headers['content-type'] ?? ''))
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
        const parsed = faultSchema.safeParse(json);
        if (!parsed.success) {
          return problem(422, 'Invalid fault', 'The fault definition is invalid', {
            code: problemCodes.validation,
            errors: parsed.error.issues.map((issue) => ({
              pointer: `/${issue.path.join('/')}`,
              detail: issue.message,
            })),
          });
        }
        try {
          stepFunctions.setFault({
            stateMachine: parsed.data.workflow,
            state: parsed.data.state,
            error: parsed.data.error,
            cause: parsed.data.cause,
            times: parsed.data.times,
            phase: parsed.data.phase,
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
          body: JSON.stringify(parsed.data),
        };
      },
    },
    {
      method: 'DELETE',
      path: '/ops/faults',
      handler: async ({ principal }) => {
        const denied = requireOps(principal);
        if (denied) return denied;
        stepFunctions.clearFaults();
        return { statusCode: 204, body: '' };
      },
    },
  ];
}
