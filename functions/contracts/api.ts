import * as z from 'zod';
import * as carrierSchemas from './carriers';
import * as opsSchemas from './ops-schemas';
import type { Role } from './schemas';
import * as domainSchemas from './schemas';
import * as shipmentSchemas from './shipments';

const schemas = { ...domainSchemas, ...opsSchemas, ...shipmentSchemas };

import type { routes } from './system';

/** `"METHOD /path"` of every route in the system definition. */
export type RouteKey = KeyOf<(typeof routes)[number]>;
type KeyOf<R> = R extends { readonly method: infer M extends string; readonly path: infer P extends string }
  ? `${M} ${P}`
  : never;

/** Who may call a route: the roles, and the path parameter a scoped principal's scope must equal. */
export interface RouteAccess {
  readonly roles: readonly Role[];
  /** Principals whose scope is not `*` may only act on the resource this path parameter names. */
  readonly scopeParam?: string;
}

/**
 * Everything a client can rely on for one route. Handlers validate with these schemas and enforce this
 * access; the OpenAPI document is generated from the same object, so neither can drift from the other.
 */
export interface RouteContract {
  readonly summary: string;
  /** Absent on public routes (no API key). */
  readonly access?: RouteAccess;
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  readonly headers?: readonly {
    readonly name: string;
    readonly required: boolean;
    readonly description: string;
    /** The value's format, as the handler checks it. */
    readonly schema: z.ZodType;
  }[];
  readonly body?: z.ZodType;
  readonly successStatus: 200 | 202;
  readonly response: z.ZodType;
  /** Error statuses the route answers with besides 400/401/403/500, documented in the spec. */
  readonly problems?: readonly (404 | 409 | 415 | 422 | 429)[];
}

/**
 * 1-255 printable ASCII characters, without a comma: API Gateway joins a repeated header's values with commas
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html), so
 * a comma means two keys were sent, and neither may silently become a third.
 */
export const idempotencyKeySchema = z
  .string()
  .trim()
  .regex(/^[\x20-\x2B\x2D-\x7E]{1,255}$/, 'must be 1-255 printable ASCII characters, without a comma');

const idempotencyKeyHeader = {
  name: 'Idempotency-Key',
  required: true,
  description: 'Same key and same body return the same answer; the same key with another body is a 409.',
  schema: idempotencyKeySchema,
} as const;

export const apiContracts = {
  'GET /health': { summary: 'Liveness probe', successStatus: 200, response: schemas.healthResponseSchema },
  'GET /openapi.json': {
    summary: 'This OpenAPI 3.1 document',
    successStatus: 200,
    response: z.record(z.string(), z.unknown()),
  },
  'PUT /locations/{locationId}': {
    summary: 'Create or update a warehouse, store or dark store',
    access: { roles: ['ops'] },
    params: schemas.locationIdParamsSchema,
    body: schemas.locationBodySchema,
    successStatus: 200,
    response: schemas.locationSchema,
    problems: [415, 422],
  },
  'PUT /locations/{locationId}/stock/{sku}': {
    summary: 'Cycle count: set on-hand and safety stock of a SKU at a location',
    access: { roles: ['staff', 'ops'], scopeParam: 'locationId' },
    params: schemas.stockParamsSchema,
    body: schemas.stockBodySchema,
    successStatus: 200,
    response: schemas.stockResponseSchema,
    problems: [404, 409, 415, 422],
  },
  'PUT /locations/{locationId}/stock/{sku}/shards': {
    summary:
      'Hot SKU: split the stock of a SKU at a location over N shards (1 = one item again; the same N evens them out now); units are moved, never lost',
    access: { roles: ['ops'] },
    params: schemas.stockParamsSchema,
    body: schemas.stockShardsBodySchema,
    successStatus: 200,
    response: schemas.stockShardsResponseSchema,
    problems: [404, 415, 422],
  },
  'GET /locations/{locationId}/tasks': {
    summary:
      "A location's open staff tasks (pick, pack, receive a transfer, hand over a collection), oldest due first",
    access: { roles: ['staff', 'ops'], scopeParam: 'locationId' },
    params: schemas.locationIdParamsSchema,
    query: schemas.listLocationTasksQuerySchema,
    successStatus: 200,
    response: schemas.locationTaskListSchema,
  },
  'POST /shipments/{shipmentId}/picked': {
    summary:
      "Staff of the shipment's location picked every line: its units leave the shelf (held units committed) and it goes to packing (idempotent)",
    access: { roles: ['staff'] },
    params: schemas.shipmentIdParamsSchema,
    body: schemas.pickBodySchema,
    successStatus: 200,
    response: schemas.shipmentStepResponseSchema,
    problems: [404, 409, 415, 422],
  },
  'POST /shipments/{shipmentId}/reject': {
    summary:
      "Staff of the shipment's location refuse it before picking (out_of_stock also writes the held units off); its units are re-routed elsewhere (idempotent)",
    access: { roles: ['staff'] },
    params: schemas.shipmentIdParamsSchema,
    body: schemas.rejectBodySchema,
    successStatus: 200,
    response: schemas.shipmentStepResponseSchema,
    problems: [404, 409, 415, 422],
  },
  'POST /shipments/{shipmentId}/packed': {
    summary:
      'Staff packed the parcels: PACKED (waits for a carrier), READY_FOR_PICKUP (with a pickup code and deadline) or IN_TRANSFER (idempotent)',
    access: { roles: ['staff'] },
    params: schemas.shipmentIdParamsSchema,
    body: schemas.packBodySchema,
    successStatus: 200,
    response: schemas.shipmentStepResponseSchema,
    problems: [404, 409, 415, 422],
  },
  'POST /shipments/{shipmentId}/handed-over': {
    summary: 'Staff handed a packed delivery or same-day shipment to a carrier: HANDED_OVER (idempotent)',
    access: { roles: ['staff'] },
    params: schemas.shipmentIdParamsSchema,
    body: schemas.handoverBodySchema,
    successStatus: 200,
    response: schemas.shipmentStepResponseSchema,
    problems: [404, 409, 415, 422],
  },
  'POST /shipments/{shipmentId}/received': {
    summary:
      'Staff of the pickup store confirm a transfer arrived: RECEIVED; its units join the pickup shipment (idempotent)',
    access: { roles: ['staff'] },
    params: schemas.shipmentIdParamsSchema,
    successStatus: 200,
    response: schemas.shipmentStepResponseSchema,
    problems: [404, 409],
  },
  'POST /shipments/{shipmentId}/collected': {
    summary:
      'Staff of the pickup store hand the goods over against the pickup code: COLLECTED; five wrong codes lock the shipment (idempotent)',
    access: { roles: ['staff'] },
    params: schemas.shipmentIdParamsSchema,
    body: schemas.collectBodySchema,
    successStatus: 200,
    response: schemas.shipmentStepResponseSchema,
    problems: [404, 409, 415, 422],
  },
  'POST /shipments/{shipmentId}/returned': {
    summary:
      'Staff of the origin confirm a parcel the carrier brought back: RETURNED, its units back on the shelf; the order DELIVERY_FAILED (idempotent)',
    access: { roles: ['staff'] },
    params: schemas.shipmentIdParamsSchema,
    successStatus: 200,
    response: schemas.shipmentStepResponseSchema,
    problems: [404, 409],
  },
  'POST /ops/shipments/{shipmentId}/unlock': {
    summary: 'Ops unlock a pickup shipment locked by wrong pickup codes (idempotent)',
    access: { roles: ['ops'] },
    params: schemas.shipmentIdParamsSchema,
    successStatus: 200,
    response: schemas.shipmentStepResponseSchema,
    problems: [404, 409],
  },
  'POST /ops/shipments/{shipmentId}/rebook': {
    summary:
      'Ops ask for a new carrier booking round for a packed shipment no carrier took (idempotent until it runs)',
    access: { roles: ['ops'] },
    params: schemas.shipmentIdParamsSchema,
    successStatus: 200,
    response: schemas.shipmentStepResponseSchema,
    problems: [404, 409],
  },
  'GET /ops/shipments': {
    summary:
      'Shipments whose promise is still pending, oldest promise first: one status or all; late=true only those past promisedBy; attention=true the packed ones no carrier took',
    access: { roles: ['ops'] },
    query: schemas.listShipmentsQuerySchema,
    successStatus: 200,
    response: schemas.shipmentListSchema,
  },
  'PUT /carriers/{carrierId}': {
    summary:
      "Create or update a carrier; a new carrier's answer carries its webhook signing secret, this once",
    access: { roles: ['ops'] },
    params: carrierSchemas.carrierIdParamsSchema,
    body: carrierSchemas.carrierBodySchema,
    successStatus: 200,
    response: carrierSchemas.putCarrierResponseSchema,
    problems: [415, 422],
  },
  'GET /carriers': {
    summary: 'Every carrier, by id (never its secrets)',
    access: { roles: ['ops'] },
    successStatus: 200,
    response: carrierSchemas.carrierListSchema,
  },
  'GET /ops/carriers/{carrierId}/performance': {
    summary:
      "A carrier's delivery performance over the last `days` days: on-time rate, mean minutes late, failed attempts",
    access: { roles: ['ops'] },
    params: carrierSchemas.carrierIdParamsSchema,
    query: carrierSchemas.carrierPerformanceQuerySchema,
    successStatus: 200,
    response: carrierSchemas.carrierPerformanceSchema,
    problems: [404],
  },
  'POST /carriers/{carrierId}/rotate-secret': {
    summary:
      'A new webhook signing secret for the carrier, shown this once; the older ones verify for `graceHours` more (default 24)',
    access: { roles: ['ops'] },
    params: carrierSchemas.carrierIdParamsSchema,
    body: carrierSchemas.rotateSecretBodySchema,
    successStatus: 200,
    response: carrierSchemas.rotatedSecretSchema,
    problems: [404, 415, 422],
  },
  'POST /couriers/{carrierId}/events': {
    summary:
      "A carrier's tracking event, signed with Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature); a replayed id is a no-op",
    params: carrierSchemas.carrierIdParamsSchema,
    headers: carrierSchemas.webhookHeaders.map((header) => ({
      ...header,
      required: true,
      schema: z.string().min(1).max(1000),
    })),
    body: carrierSchemas.trackingEventBodySchema,
    successStatus: 200,
    response: carrierSchemas.trackingEventResponseSchema,
    problems: [409, 415, 422],
  },
  'GET /inventory/{sku}': {
    summary: 'Per-location and total stock of a SKU, with supplier availability',
    access: { roles: ['ops', 'channel'] },
    params: schemas.skuParamsSchema,
    successStatus: 200,
    response: schemas.inventoryResponseSchema,
  },
  'POST /orders': {
    summary: 'Accept an order (idempotently) and start its fulfilment workflow',
    access: { roles: ['channel'] },
    headers: [idempotencyKeyHeader],
    body: schemas.createOrderBodySchema,
    successStatus: 202,
    response: schemas.orderAcceptedSchema,
    problems: [409, 415, 422],
  },
  'GET /orders/{orderId}': {
    summary: 'Order status, lines, allocations, shipments, returns and timeline',
    access: { roles: ['channel', 'ops'] },
    params: schemas.orderIdParamsSchema,
    successStatus: 200,
    response: schemas.orderResponseSchema,
    problems: [404],
  },
  'POST /orders/{orderId}/cancel': {
    summary:
      'Cancel an order until it is shipped or collected: releases its holds, withdraws its backorders and cancels unconfirmed purchase orders (idempotent)',
    access: { roles: ['channel', 'ops'] },
    params: schemas.orderIdParamsSchema,
    body: schemas.cancelOrderBodySchema,
    successStatus: 202,
    response: schemas.orderCancelledSchema,
    problems: [404, 409, 415, 422],
  },
  'POST /suppliers/{supplierId}/stock': {
    summary: "Queue a supplier's absolute stock availability feed",
    access: { roles: ['supplier', 'ops'], scopeParam: 'supplierId' },
    params: schemas.supplierIdParamsSchema,
    body: schemas.supplierStockBodySchema,
    successStatus: 202,
    response: schemas.queuedResponseSchema,
    problems: [415, 422, 429],
  },
  'GET /suppliers/{supplierId}/purchase-orders': {
    summary: "A supplier's purchase orders (its own only; ops see any supplier's)",
    access: { roles: ['supplier', 'ops'], scopeParam: 'supplierId' },
    params: schemas.supplierIdParamsSchema,
    successStatus: 200,
    response: schemas.purchaseOrderListSchema,
  },
  'POST /suppliers/{supplierId}/purchase-orders/{poId}/confirm': {
    summary: 'Confirm an OPEN purchase order, all or part of each line, with an ETA (idempotent)',
    access: { roles: ['supplier'], scopeParam: 'supplierId' },
    params: schemas.purchaseOrderParamsSchema,
    body: schemas.confirmPurchaseOrderBodySchema,
    successStatus: 200,
    response: schemas.purchaseOrderDecisionSchema,
    problems: [404, 409, 415, 422],
  },
  'POST /suppliers/{supplierId}/purchase-orders/{poId}/reject': {
    summary: 'Reject an OPEN purchase order; procurement asks the next supplier (idempotent)',
    access: { roles: ['supplier'], scopeParam: 'supplierId' },
    params: schemas.purchaseOrderParamsSchema,
    body: schemas.rejectPurchaseOrderBodySchema,
    successStatus: 200,
    response: schemas.purchaseOrderDecisionSchema,
    problems: [404, 409, 415, 422],
  },
  'POST /locations/{locationId}/receipts': {
    summary: 'Goods received against a confirmed purchase order (partial receipts allowed)',
    access: { roles: ['staff'], scopeParam: 'locationId' },
    params: schemas.locationIdParamsSchema,
    body: schemas.receiptBodySchema,
    successStatus: 202,
    response: schemas.receiptResponseSchema,
    problems: [404, 409, 415, 422],
  },
  'GET /ops/dead-letters': {
    summary: "Messages in the queues' dead-letter queues, left in place (at most 100 per queue)",
    access: { roles: ['ops'] },
    successStatus: 200,
    response: schemas.deadLetterListSchema,
  },
  'POST /ops/dead-letters/redrive': {
    summary: 'Move dead letters back to their source queue to be processed again (one queue, or all)',
    access: { roles: ['ops'] },
    body: schemas.redriveDeadLettersBodySchema,
    successStatus: 202,
    response: schemas.redriveDeadLettersResponseSchema,
    problems: [409, 415, 422],
  },
  'GET /ops/executions': {
    summary: 'Workflow executions (failed by default) with failed state, error, cause and input',
    access: { roles: ['ops'] },
    query: schemas.listExecutionsQuerySchema,
    successStatus: 200,
    response: schemas.executionListSchema,
  },
  'POST /ops/executions/{executionId}/redrive': {
    summary: 'Redrive a failed execution from the step that failed',
    access: { roles: ['ops'] },
    params: schemas.executionIdParamsSchema,
    successStatus: 202,
    response: schemas.redriveResponseSchema,
    problems: [404, 409],
  },
} as const satisfies Record<RouteKey, RouteContract>;
