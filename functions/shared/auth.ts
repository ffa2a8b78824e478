import * as z from 'zod';
import type { RouteAccess } from '../contracts/api';
import { problemCodes } from '../contracts/errors';
import { roleSchema } from '../contracts/schemas';
import { HttpProblem } from './problem';

/** What the authorizer puts in `requestContext.authorizer.lambda` (simple responses, always authorized). */
export const authorizerContextSchema = z.discriminatedUnion('role', [
  z.object({
    role: z.literal('anonymous'),
    principalId: z.string(),
    scope: z.string(),
    reason: z.enum(['missing', 'unknown']),
  }),
  z.object({ role: roleSchema, principalId: z.string().min(1), scope: z.string().min(1) }),
]);
export type AuthorizerContext = z.infer<typeof authorizerContextSchema>;
export type Principal = Extract<AuthorizerContext, { role: z.infer<typeof roleSchema> }>;

/** Every scope (ops keys). */
export const anyScope = '*';

/**
 * Turns the authorizer's verdict into the principal a route may act as: no or unknown key → 401, a role the
 * route does not admit → 403, a scoped key acting on someone else's resource (another supplier, another
 * location) → 403. The authorizer never denies, so these stay problem+json from our code.
 */
export function authorize(
  context: unknown,
  access: RouteAccess,
  pathParameters: Readonly<Record<string, string | undefined>>,
): Principal {
  const parsed = authorizerContextSchema.safeParse(context);
  if (!parsed.success || parsed.data.role === 'anonymous') {
    const unknownKey = parsed.success && parsed.data.role === 'anonymous' && parsed.data.reason === 'unknown';
    throw unknownKey
      ? new HttpProblem(401, problemCodes.unknownApiKey, 'The x-api-key is not known.')
      : new HttpProblem(401, problemCodes.unauthenticated, 'An x-api-key header is required.');
  }
  const principal = parsed.data;
  if (!access.roles.includes(principal.role)) {
    throw new HttpProblem(
      403,
      problemCodes.forbiddenRole,
      `The role ${principal.role} may not call this operation.`,
    );
  }
  if (
    access.scopeParam &&
    principal.scope !== anyScope &&
    principal.scope !== pathParameters[access.scopeParam]
  ) {
    throw new HttpProblem(
      403,
      problemCodes.forbiddenScope,
      `This key acts for ${access.scopeParam} ${principal.scope} only, not ${pathParameters[access.scopeParam] ?? '(none)'}.`,
    );
  }
  return principal;
}
