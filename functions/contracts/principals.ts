import * as z from 'zod';
import { roleSchema } from './schemas';

/**
 * Principals and their API keys, as operations manage them (docs/security.md, "Keys"). A principal is who
 * calls (a channel, a supplier, a location's staff, a carrier, an operator); it holds one API key, two
 * during a rotation's overlap. A key is shown once, when issued, and stored only as its SHA-256.
 */

/** Issued principals are `<role>:<12 hex>`; the demo world's are `<role>:<its scope>`. */
export const principalIdSchema = z
  .string()
  .regex(/^[a-z]{2,8}:[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be <role>:<id>');

/** Any stored principal can be named (ids saved by hand need not follow the issued form). */
export const principalIdParamsSchema = z.object({
  principalId: z.string().regex(/^[A-Za-z0-9:._-]{1,100}$/, 'must be a principal id'),
});

/** `*` (every scope) for operators only; any other role acts for one resource, named by its id. */
export const createPrincipalBodySchema = z
  .strictObject({
    role: roleSchema,
    scope: z
      .string()
      .regex(
        /^(\*|[A-Za-z0-9][A-Za-z0-9_-]{0,63})$/,
        'must be "*" or an id: 1-64 letters, digits, "-" or "_", starting with a letter or digit',
      ),
    name: z.string().trim().min(1).max(100),
  })
  .superRefine((body, context) => {
    const everyScope = body.scope === '*';
    if (everyScope !== (body.role === 'ops'))
      context.addIssue({
        code: 'custom',
        path: ['scope'],
        message:
          body.role === 'ops'
            ? 'an ops key acts for every scope: "*"'
            : `a ${body.role} key acts for one ${scopeNoun[body.role]}: its id`,
      });
  });

/** What a role's scope names: the resource whose routes a scoped key may call. */
export const scopeNoun = {
  channel: 'sales channel',
  supplier: 'supplier',
  staff: 'location',
  courier: 'carrier',
  ops: 'everything',
} as const;

export const principalKeySchema = z.object({
  /** The first 8 hex digits of the key's SHA-256: enough to tell keys apart, useless to an attacker. */
  keyId: z.string(),
  createdAt: z.iso.datetime(),
  /** Set on the older key of a rotation: it stops working then. */
  expiresAt: z.iso.datetime().optional(),
});

export const principalSchema = z.object({
  // Any stored id is listed (principals saved by hand or by older code need not follow the issued form).
  principalId: z.string(),
  role: roleSchema,
  scope: z.string(),
  name: z.string(),
  status: z.enum(['ACTIVE', 'REVOKED']),
  createdAt: z.iso.datetime(),
  revokedAt: z.iso.datetime().optional(),
  keys: z.array(principalKeySchema),
});
export type PrincipalView = z.infer<typeof principalSchema>;

export const principalListSchema = z.object({ items: z.array(principalSchema) });

/** The one answer that carries the key itself. */
export const issuedKeySchema = z.object({
  principalId: principalIdSchema,
  role: roleSchema,
  scope: z.string(),
  name: z.string(),
  apiKey: z.string(),
  keyId: z.string(),
  /** Rotation only: when the key it replaces stops working. */
  previousKeyExpiresAt: z.iso.datetime().optional(),
});

/** The older key keeps working for `overlapMinutes` (default 60, at most 7 days), so callers can switch over. */
export const rotateKeyBodySchema = z
  .strictObject({ overlapMinutes: z.number().int().min(0).max(10_080).optional() })
  .optional();

export const revokedPrincipalSchema = z.object({
  principalId: principalIdSchema,
  status: z.literal('REVOKED'),
  revokedAt: z.iso.datetime(),
});
