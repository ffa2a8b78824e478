import * as z from 'zod';
import { idempotencyKeyHeader, type RouteContract } from './api-model';
import * as domainSchemas from './schemas';

/** `GET /ops/orders`: a customer's orders, newest first; a status; a period of whole UTC days. */
export const orderSearchQuerySchema = z.object({
  customerId: z.string().trim().min(1).max(128),
  status: domainSchemas.orderStatusSchema.optional(),
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  nextToken: z.string().min(1).max(2048).optional(),
});

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
      'Search orders by customer, newest first: `?customerId=` (required), `status`, `from` and `to` (dates); paginated',
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
