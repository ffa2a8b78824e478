import { getCarrier } from '../../adapters/dynamodb/carriers';
import { createDocumentClient } from '../../adapters/dynamodb/client';
import { getLocation } from '../../adapters/dynamodb/locations';
import {
  issuePrincipal,
  listPrincipals,
  PrincipalChangedError,
  revokePrincipal,
  rotatePrincipalKey,
} from '../../adapters/dynamodb/principal-registry';
import type { RouteKey } from '../../contracts/api-model';
import { principalContracts } from '../../contracts/api-principals';
import { problemCodes } from '../../contracts/errors';
import type { Role } from '../../contracts/schemas';
import { loadFunctionEnvironment } from '../../shared/env';
import { httpHandler, routeTable } from '../../shared/http';
import { fieldErrorNamed, HttpProblem } from '../../shared/problem';

const environment = loadFunctionEnvironment('managePrincipals');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

const notFound = (principalId: string) =>
  new HttpProblem(404, problemCodes.principalNotFound, `Principal ${principalId} does not exist.`);

/**
 * Staff keys act for a location and courier keys for a carrier, so those must exist: a key for a typo would
 * pass every check and reach nothing. Channels and suppliers come into being with their first key.
 */
async function requireKnownScope(role: Role, scope: string): Promise<void> {
  const known =
    role === 'staff'
      ? Boolean(await getLocation(table, scope))
      : role === 'courier'
        ? Boolean(await getCarrier(table, scope))
        : true;
  if (!known)
    throw new HttpProblem(
      422,
      problemCodes.unknownScope,
      `No ${role === 'staff' ? 'location' : 'carrier'} ${scope}.`,
      [fieldErrorNamed('scope', `no such ${role === 'staff' ? 'location' : 'carrier'}`)],
    );
}

/** One function serves the principal routes (same grants, ops only); each route keeps its own contract. */
const handlers = {
  'POST /ops/principals': httpHandler(principalContracts['POST /ops/principals'], async ({ body }) => {
    await requireKnownScope(body.role, body.scope);
    return { body: await issuePrincipal(table, body, new Date()) };
  }),
  'GET /ops/principals': httpHandler(principalContracts['GET /ops/principals'], async () => ({
    body: { items: await listPrincipals(table) },
  })),
  'DELETE /ops/principals/{principalId}': httpHandler(
    principalContracts['DELETE /ops/principals/{principalId}'],
    async ({ params, principal }) => {
      if (params.principalId === principal.principalId)
        throw new HttpProblem(
          422,
          problemCodes.validation,
          'A key cannot revoke its own principal: another operator must.',
          [fieldErrorNamed('principalId', 'is the caller')],
        );
      const result = await changing(() => revokePrincipal(table, params.principalId, new Date()));
      if (result.kind === 'not-found') throw notFound(params.principalId);
      return { body: { principalId: params.principalId, status: 'REVOKED', revokedAt: result.revokedAt } };
    },
  ),
  'POST /ops/principals/{principalId}/rotate': httpHandler(
    principalContracts['POST /ops/principals/{principalId}/rotate'],
    async ({ params, body }) => {
      const result = await changing(() =>
        rotatePrincipalKey(table, params.principalId, {
          overlapMinutes: body?.overlapMinutes ?? 60,
          now: new Date(),
        }),
      );
      if (result.kind === 'not-found') throw notFound(params.principalId);
      if (result.kind === 'revoked')
        throw new HttpProblem(
          409,
          problemCodes.principalRevoked,
          `Principal ${params.principalId} is revoked; issue a new one.`,
        );
      const { issued, previousKeyExpiresAt } = result;
      return { body: { ...issued, ...(previousKeyExpiresAt ? { previousKeyExpiresAt } : {}) } };
    },
  ),
} satisfies Partial<Record<RouteKey, unknown>>;

/** Another operator's change in between is a 409 the caller can retry. */
async function changing<T>(change: () => Promise<T>): Promise<T> {
  try {
    return await change();
  } catch (error) {
    if (error instanceof PrincipalChangedError)
      throw new HttpProblem(409, problemCodes.principalChanged, error.message);
    throw error;
  }
}

export const handler = routeTable('managePrincipals', handlers);
