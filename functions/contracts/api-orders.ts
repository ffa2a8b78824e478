import * as z from 'zod';
import { idempotencyKeyHeader, type RouteContract } from './api-model';
import * as domainSchemas from './schemas';

/** Without a customer, a search reads one index partition per day: at most this many days. */
export const maxOrderSearchDays = 31;

/**
 * `GET /ops/orders`: orders newest first, of a customer, or of a period (whole UTC days; without a customer at
 * most 31, and `from` defaults to `to`, which defaults to today); a status narrows either.
 */
export const orderSearchQuerySchema = z
  .object({
    customerId: z.string().trim().min(1).max(128).optional(),
    status: domainSchemas.orderStatusSchema.optional(),
    from: z.iso.date().optional(),
    to: z.iso.date().optional(),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    nextToken: z.string().min(1).max(2048).optional(),
  })
  .refine((query) => !query.from || query.from <= (query.to ?? new Date().toISOString().slice(0, 10)), {
    path: ['from'],
    message: 'must not be after to (today when to is absent)',
  })
  .refine(
    (query) =>
      query.customerId !== undefined ||
      !query.from ||
      Date.parse(query.to ?? new Date().toISOString().slice(0, 10)) - Date.parse(query.from) <
        maxOrderSearchDays * 86_400_000,
    { path: ['from'], message: `without a customerId, at most ${maxOrderSearchDays} days` },
  );

export const orderSearchResultSchema = z.object({
  items: z.array(
    z.object({
      orderId: z.string(),
      customerId: z.string(),
      status: z.string(),
      createdAt: z.iso.datetime(),
      updatedAt: z.iso.datetime(),
      lines: z.array(z.object({ sku: z.string(), qty: z.number().int() })),
    }),
  ),
  nextToken: z.string().optional(),
});

/** The route contracts of orders: accept, read, cancel (contracts/api.ts merges every area's). */
export const orderContracts = {
  'POST /orders': {
    summary: 'Accept an order (idempotently) and start its fulfilment workflow',
    access: { roles: ['channel'] },
    headers: [idempotencyKeyHeader],
    body: domainSchemas.createOrderBodySchema,
    successStatus: 202,
    response: domainSchemas.orderAcceptedSchema,
    problems: [409, 415, 422],
  },
  'GET /orders/{orderId}': {
    summary: 'Order status, lines, allocations, shipments, returns and timeline',
    access: { roles: ['channel', 'ops'] },
    params: domainSchemas.orderIdParamsSchema,
    successStatus: 200,
    response: domainSchemas.orderResponseSchema,
    problems: [404],
  },
  'GET /ops/orders': {
    summary:
      'Search orders, newest first: of a customer (`customerId`), or of a period (`from`, `to`: dates, at most 31 days without a customer), narrowed by `status`; paginated',
    access: { roles: ['ops'] },
    query: orderSearchQuerySchema,
    successStatus: 200,
    response: orderSearchResultSchema,
  },
  'POST /orders/{orderId}/cancel': {
    summary:
      'Cancel an order until it is shipped or collected: releases its holds, withdraws its backorders and cancels unconfirmed purchase orders (idempotent)',
    access: { roles: ['channel', 'ops'] },
    params: domainSchemas.orderIdParamsSchema,
    body: domainSchemas.cancelOrderBodySchema,
    successStatus: 202,
    response: domainSchemas.orderCancelledSchema,
    problems: [404, 409, 415, 422],
  },
} as const satisfies Record<string, RouteContract>;
