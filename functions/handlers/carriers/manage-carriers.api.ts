import { loadCarrierCounters } from '../../adapters/dynamodb/carrier-performance';
import { getCarrier, listCarriers, putCarrier, rotateSigningSecret } from '../../adapters/dynamodb/carriers';
import { createDocumentClient } from '../../adapters/dynamodb/client';
import { carrierContracts } from '../../contracts/api-carriers';
import type { RouteKey } from '../../contracts/api-model';
import { problemCodes } from '../../contracts/errors';
import { carrierPerformance } from '../../core/carrier-sla';
import { loadFunctionEnvironment } from '../../shared/env';
import { httpHandler, routeTable } from '../../shared/http';
import { HttpProblem } from '../../shared/problem';

const environment = loadFunctionEnvironment('manageCarriers');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

/** One function serves the carrier routes (same grants, ops only); each route keeps its own contract. */
const handlers = {
  'PUT /carriers/{carrierId}': httpHandler(
    carrierContracts['PUT /carriers/{carrierId}'],
    async ({ params, body }) => {
      const result = await putCarrier(table, params.carrierId, body, new Date());
      return result.kind === 'created'
        ? { body: { ...result.carrier, signingSecret: result.signingSecret } }
        : { body: result.carrier };
    },
  ),
  'GET /carriers': httpHandler(carrierContracts['GET /carriers'], async () => ({
    body: { items: await listCarriers(table) },
  })),
  'POST /carriers/{carrierId}/rotate-secret': httpHandler(
    carrierContracts['POST /carriers/{carrierId}/rotate-secret'],
    async ({ params, body }) => {
      const result = await rotateSigningSecret(table, params.carrierId, {
        graceHours: body?.graceHours ?? 24,
        now: new Date(),
      });
      if (result.kind === 'not-found')
        throw new HttpProblem(
          404,
          problemCodes.carrierNotFound,
          `Carrier ${params.carrierId} does not exist.`,
        );
      const { signingSecret, previousValidUntil } = result;
      return { body: { carrierId: params.carrierId, signingSecret, previousValidUntil } };
    },
  ),
  'GET /ops/carriers/{carrierId}/performance': httpHandler(
    carrierContracts['GET /ops/carriers/{carrierId}/performance'],
    async ({ params, query }) => {
      if (!(await getCarrier(table, params.carrierId)))
        throw new HttpProblem(
          404,
          problemCodes.carrierNotFound,
          `Carrier ${params.carrierId} does not exist.`,
        );
      const now = Date.now();
      const toDay = new Date(now).toISOString().slice(0, 10);
      const fromDay = new Date(now - (query.days - 1) * 86_400_000).toISOString().slice(0, 10);
      const counters = await loadCarrierCounters(table, params.carrierId, { fromDay, toDay });
      return {
        body: { carrierId: params.carrierId, from: fromDay, to: toDay, ...carrierPerformance(counters) },
      };
    },
  ),
} satisfies Partial<Record<RouteKey, unknown>>;

export const handler = routeTable('manageCarriers', handlers);
