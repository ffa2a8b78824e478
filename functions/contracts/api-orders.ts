import { idempotencyKeyHeader, type RouteContract } from './api-model';
import * as domainSchemas from './schemas';

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
