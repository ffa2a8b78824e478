import { idempotencyKeyHeader, type RouteContract } from './api-model';
import * as returnSchemas from './returns';
import * as domainSchemas from './schemas';

/** The route contracts of after-sales returns (docs/returns.md; contracts/api.ts merges every area's). */
export const returnContracts = {
  'POST /orders/{orderId}/returns': {
    summary:
      'Ask to return delivered units (idempotently): within each SKU policy and window, never more than delivered less earlier returns',
    access: { roles: ['channel'] },
    params: domainSchemas.orderIdParamsSchema,
    headers: [idempotencyKeyHeader],
    body: returnSchemas.createReturnBodySchema,
    successStatus: 202,
    response: returnSchemas.returnAcceptedSchema,
    problems: [404, 409, 415, 422],
  },
  'GET /returns/{returnId}': {
    summary:
      'A return: its lines, method, status and timeline (the channel of its order, ops, staff of its store)',
    access: { roles: ['channel', 'ops', 'staff'] },
    params: returnSchemas.returnIdParamsSchema,
    successStatus: 200,
    response: returnSchemas.returnViewSchema,
    problems: [404],
  },
  'POST /returns/{returnId}/received': {
    summary:
      "Staff of the location the goods came to record them, each unit's condition (resellable, damaged, missing); wakes the return's workflow (a repeat at the same location answers the same)",
    access: { roles: ['staff', 'ops'] },
    params: returnSchemas.returnIdParamsSchema,
    body: returnSchemas.receiveReturnBodySchema,
    successStatus: 200,
    response: returnSchemas.returnViewSchema,
    problems: [404, 409, 415, 422],
  },
  'POST /returns/{returnId}/refund': {
    summary:
      "The order's channel answers refund.requested: succeeded (with its reference) or failed (ops retry); a repeat answers the same",
    access: { roles: ['channel'] },
    params: returnSchemas.returnIdParamsSchema,
    body: returnSchemas.refundAnswerBodySchema,
    successStatus: 200,
    response: returnSchemas.returnViewSchema,
    problems: [404, 409, 415, 422],
  },
  'POST /ops/returns/{returnId}/retry-refund': {
    summary: 'Ops ask the channel again for a refund it reported failed (a new refund.requested)',
    access: { roles: ['ops'] },
    params: returnSchemas.returnIdParamsSchema,
    successStatus: 200,
    response: returnSchemas.returnViewSchema,
    problems: [404, 409],
  },
  'POST /locations/{locationId}/damaged/{sku}/write-off': {
    summary: "Clears damaged units from a location's damaged figure, with a reason (kept on the audit trail)",
    access: { roles: ['staff', 'ops'], scopeParam: 'locationId' },
    params: returnSchemas.damagedStockParamsSchema,
    headers: [idempotencyKeyHeader],
    body: returnSchemas.writeOffBodySchema,
    successStatus: 200,
    response: returnSchemas.writtenOffSchema,
    problems: [404, 415, 422],
  },
  'GET /ops/returns': {
    summary:
      'Returns in one status, longest unchanged first; attention=true those whose refund the channel reported failed',
    access: { roles: ['ops'] },
    query: returnSchemas.listReturnsQuerySchema,
    successStatus: 200,
    response: returnSchemas.returnListSchema,
  },
} as const satisfies Record<string, RouteContract>;
