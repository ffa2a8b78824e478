import type { RouteContract } from './api-model';
import * as domainSchemas from './schemas';
import * as shipmentSchemas from './shipments';

/** The route contracts of shipments' staff steps, a location's tasks, and the ops routes over shipments (contracts/api.ts merges every area's). */
export const dispatchContracts = {
  'GET /locations/{locationId}/tasks': {
    summary:
      "A location's open staff tasks (pick, pack, receive a transfer, hand over a collection), oldest due first",
    access: { roles: ['staff', 'ops'], scopeParam: 'locationId' },
    params: domainSchemas.locationIdParamsSchema,
    query: shipmentSchemas.listLocationTasksQuerySchema,
    successStatus: 200,
    response: shipmentSchemas.locationTaskListSchema,
  },
  'POST /shipments/{shipmentId}/picked': {
    summary:
      "Staff of the shipment's location picked every line: its units leave the shelf (held units committed) and it goes to packing (idempotent)",
    access: { roles: ['staff'] },
    params: shipmentSchemas.shipmentIdParamsSchema,
    body: shipmentSchemas.pickBodySchema,
    successStatus: 200,
    response: shipmentSchemas.shipmentStepResponseSchema,
    problems: [404, 409, 415, 422],
  },
  'POST /shipments/{shipmentId}/reject': {
    summary:
      "Staff of the shipment's location refuse it before picking (out_of_stock also writes the held units off); its units are re-routed elsewhere (idempotent)",
    access: { roles: ['staff'] },
    params: shipmentSchemas.shipmentIdParamsSchema,
    body: shipmentSchemas.rejectBodySchema,
    successStatus: 200,
    response: shipmentSchemas.shipmentStepResponseSchema,
    problems: [404, 409, 415, 422],
  },
  'POST /shipments/{shipmentId}/packed': {
    summary:
      'Staff packed the parcels: PACKED (waits for a carrier), READY_FOR_PICKUP (with a pickup code and deadline) or IN_TRANSFER (idempotent)',
    access: { roles: ['staff'] },
    params: shipmentSchemas.shipmentIdParamsSchema,
    body: shipmentSchemas.packBodySchema,
    successStatus: 200,
    response: shipmentSchemas.shipmentStepResponseSchema,
    problems: [404, 409, 415, 422],
  },
  'POST /shipments/{shipmentId}/handed-over': {
    summary: 'Staff handed a packed delivery or same-day shipment to a carrier: HANDED_OVER (idempotent)',
    access: { roles: ['staff'] },
    params: shipmentSchemas.shipmentIdParamsSchema,
    body: shipmentSchemas.handoverBodySchema,
    successStatus: 200,
    response: shipmentSchemas.shipmentStepResponseSchema,
    problems: [404, 409, 415, 422],
  },
  'POST /shipments/{shipmentId}/received': {
    summary:
      'Staff of the pickup store confirm a transfer arrived: RECEIVED; its units join the pickup shipment (idempotent)',
    access: { roles: ['staff'] },
    params: shipmentSchemas.shipmentIdParamsSchema,
    successStatus: 200,
    response: shipmentSchemas.shipmentStepResponseSchema,
    problems: [404, 409],
  },
  'POST /shipments/{shipmentId}/collected': {
    summary:
      'Staff of the pickup store hand the goods over against the pickup code: COLLECTED; five wrong codes lock the shipment (idempotent)',
    access: { roles: ['staff'] },
    params: shipmentSchemas.shipmentIdParamsSchema,
    body: shipmentSchemas.collectBodySchema,
    successStatus: 200,
    response: shipmentSchemas.shipmentStepResponseSchema,
    problems: [404, 409, 415, 422],
  },
  'POST /shipments/{shipmentId}/returned': {
    summary:
      'Staff of the origin confirm a parcel the carrier brought back: RETURNED, its units back on the shelf; the order DELIVERY_FAILED (idempotent)',
    access: { roles: ['staff'] },
    params: shipmentSchemas.shipmentIdParamsSchema,
    successStatus: 200,
    response: shipmentSchemas.shipmentStepResponseSchema,
    problems: [404, 409],
  },
  'POST /ops/shipments/{shipmentId}/unlock': {
    summary: 'Ops unlock a pickup shipment locked by wrong pickup codes (idempotent)',
    access: { roles: ['ops'] },
    params: shipmentSchemas.shipmentIdParamsSchema,
    successStatus: 200,
    response: shipmentSchemas.shipmentStepResponseSchema,
    problems: [404, 409],
  },
  'POST /ops/shipments/{shipmentId}/rebook': {
    summary:
      'Ops ask for a new carrier booking round for a packed shipment no carrier took (idempotent until it runs)',
    access: { roles: ['ops'] },
    params: shipmentSchemas.shipmentIdParamsSchema,
    successStatus: 200,
    response: shipmentSchemas.shipmentStepResponseSchema,
    problems: [404, 409],
  },
  'GET /ops/shipments': {
    summary:
      'Shipments whose promise is still pending, oldest promise first: one status or all; late=true only those past promisedBy; attention=true the packed ones no carrier took',
    access: { roles: ['ops'] },
    query: shipmentSchemas.listShipmentsQuerySchema,
    successStatus: 200,
    response: shipmentSchemas.shipmentListSchema,
  },
} as const satisfies Record<string, RouteContract>;
