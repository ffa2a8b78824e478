import type { RouteContract } from './api-model';
import * as principalSchemas from './principals';

/** The route contracts of principals and their API keys, for operations (contracts/api.ts merges every area's). */
export const principalContracts = {
  'POST /ops/principals': {
    summary:
      'Issue a principal and its API key (channel, supplier, staff of a location, courier or ops); the key is in this answer only',
    access: { roles: ['ops'] },
    body: principalSchemas.createPrincipalBodySchema,
    successStatus: 201,
    response: principalSchemas.issuedKeySchema,
    problems: [415, 422],
  },
  'GET /ops/principals': {
    summary: 'Every principal, with its key ids and their expiry (never a key or its hash)',
    access: { roles: ['ops'] },
    successStatus: 200,
    response: principalSchemas.principalListSchema,
  },
  'DELETE /ops/principals/{principalId}': {
    summary: 'Revoke a principal: every key it holds is refused (401) from the answer on',
    access: { roles: ['ops'] },
    params: principalSchemas.principalIdParamsSchema,
    successStatus: 200,
    response: principalSchemas.revokedPrincipalSchema,
    problems: [404],
  },
  'POST /ops/principals/{principalId}/rotate': {
    summary:
      'A new API key for the principal, shown this once; the current key keeps working for `overlapMinutes` (default 60)',
    access: { roles: ['ops'] },
    params: principalSchemas.principalIdParamsSchema,
    body: principalSchemas.rotateKeyBodySchema,
    successStatus: 201,
    response: principalSchemas.issuedKeySchema,
    problems: [404, 409, 415, 422],
  },
} as const satisfies Record<string, RouteContract>;
