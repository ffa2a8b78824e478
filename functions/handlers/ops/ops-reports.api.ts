import { createDocumentClient } from '../../adapters/dynamodb/client';
import { loadKpiCounters } from '../../adapters/dynamodb/kpi-counters';
import { InvalidReturnPageToken, listReturns } from '../../adapters/dynamodb/return-lists';
import { returnView } from '../../app/return-views';
import { kpiContracts } from '../../contracts/api-kpis';
import type { RouteKey } from '../../contracts/api-model';
import { returnContracts } from '../../contracts/api-returns';
import { orderKpis } from '../../core/order-kpis';
import { returnKpis } from '../../core/return-kpis';
import { loadFunctionEnvironment } from '../../shared/env';
import { httpHandler, routeTable } from '../../shared/http';
import { pageTokenProblem } from '../../shared/problem';

const environment = loadFunctionEnvironment('opsReports');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

/** One function serves the ops reports: returns lists and the KPIs (same grants, ops only); each route keeps its contract. */
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
  'GET /ops/kpis/returns': httpHandler(kpiContracts['GET /ops/kpis/returns'], async ({ query }) => {
    const window = periodOf(query);
    const counters = await loadKpiCounters(table, 'RETURNS', window);
    return { body: { from: window.fromDay, to: window.toDay, ...returnKpis(counters) } };
  }),
  'GET /ops/kpis/orders': httpHandler(kpiContracts['GET /ops/kpis/orders'], async ({ query }) => {
    const window = periodOf(query);
    const counters = await loadKpiCounters(table, 'ORDERS', window);
    return { body: { from: window.fromDay, to: window.toDay, ...orderKpis(counters) } };
  }),
} satisfies Partial<Record<RouteKey, unknown>>;

/** Whole UTC days; absent, the last 30 days up to today. */
function periodOf(query: { from?: string; to?: string }) {
  const toDay = query.to ?? new Date().toISOString().slice(0, 10);
  const fromDay = query.from ?? new Date(Date.parse(toDay) - 29 * 86_400_000).toISOString().slice(0, 10);
  return { fromDay, toDay };
}

export const handler = routeTable('opsReports', handlers);
