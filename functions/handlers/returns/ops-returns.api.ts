import { createDocumentClient } from '../../adapters/dynamodb/client';
import { loadReturnKpiCounters } from '../../adapters/dynamodb/return-kpis';
import { InvalidReturnPageToken, listReturns } from '../../adapters/dynamodb/return-lists';
import { returnView } from '../../app/return-views';
import type { RouteKey } from '../../contracts/api-model';
import { returnContracts } from '../../contracts/api-returns';
import { returnKpis } from '../../core/return-kpis';
import { loadFunctionEnvironment } from '../../shared/env';
import { httpHandler, routeTable } from '../../shared/http';
import { pageTokenProblem } from '../../shared/problem';

const environment = loadFunctionEnvironment('opsReturns');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

/** One function serves the ops views of returns (same grants, ops only); each route keeps its contract. */
const handlers = {
  'GET /ops/returns': httpHandler(returnContracts['GET /ops/returns'], async ({ query, principal }) => {
    try {
      const page = await listReturns(table, { ...query, attention: query.attention === 'true' });
      return {
        body: {
          items: page.items.map((record) => returnView(record, record.returnId, principal.role)),
          ...(page.nextToken ? { nextToken: page.nextToken } : {}),
        },
      };
    } catch (error) {
      if (error instanceof InvalidReturnPageToken) throw pageTokenProblem(error.message);
      throw error;
    }
  }),
  'GET /ops/kpis/returns': httpHandler(returnContracts['GET /ops/kpis/returns'], async ({ query }) => {
    const to = query.to ?? new Date().toISOString().slice(0, 10);
    const from = query.from ?? new Date(Date.parse(to) - 29 * 86_400_000).toISOString().slice(0, 10);
    const counters = await loadReturnKpiCounters(table, { fromDay: from, toDay: to });
    return { body: { from, to, ...returnKpis(counters) } };
  }),
} satisfies Partial<Record<RouteKey, unknown>>;

export const handler = routeTable('opsReturns', handlers);
