import * as z from 'zod';
import type { RouteContract } from './api-model';
import * as returnSchemas from './returns';

/** A whole-day period, as the returns KPI takes it (at most a year; absent: the last 30 days). */
const periodQuerySchema = returnSchemas.returnKpisQuerySchema;

const rateSchema = z.number().nonnegative().nullable();
const percentilesSchema = z.object({
  count: z.number().int().nonnegative(),
  /** Minutes: the upper bound of the histogram bucket holding the percentile; null with nothing counted. */
  p50: z.number().nullable(),
  p95: z.number().nullable(),
});

export const orderKpisSchema = z.object({
  from: z.iso.date(),
  to: z.iso.date(),
  orders: z.number().int().nonnegative(),
  /** Orders that reached each status in the period. */
  byStatus: z.record(z.string(), z.number().int().nonnegative()),
  /** Units held at the first sourcing attempt over the units it asked for (orders whose first attempt ended). */
  fillRate: rateSchema,
  /** Orders backordered at least once over orders placed. */
  backorderRate: rateSchema,
  time: z.object({ reserve: percentilesSchema, ship: percentilesSchema, deliver: percentilesSchema }),
  /** Customer shipments delivered or collected by their promisedBy over all that were. */
  onTimeRate: rateSchema,
  reroutesPer100: rateSchema,
});

/** The route contracts of the KPIs (contracts/api.ts merges every area's). */
export const kpiContracts = {
  'GET /ops/kpis/returns': {
    summary:
      'Return reasons and rates per SKU over a period (units asked back / units delivered or collected in it)',
    access: { roles: ['ops'] },
    query: returnSchemas.returnKpisQuerySchema,
    successStatus: 200,
    response: returnSchemas.returnKpisSchema,
  },
  'GET /ops/kpis/orders': {
    summary:
      'Order KPIs over a period: orders by status, fill rate, backorder rate, time to reserve, ship and deliver (p50, p95), on-time rate, re-routes per 100 orders',
    access: { roles: ['ops'] },
    query: periodQuerySchema,
    successStatus: 200,
    response: orderKpisSchema,
  },
} as const satisfies Record<string, RouteContract>;
