import type { RouteContract } from './api-model';
import * as procurementSchemas from './procurement';
import * as domainSchemas from './schemas';

/** The route contracts of supplier feeds and purchase orders (contracts/api.ts merges every area's). */
export const supplierContracts = {
  'POST /suppliers/{supplierId}/stock': {
    summary: "Queue a supplier's absolute stock availability feed",
    access: { roles: ['supplier', 'ops'], scopeParam: 'supplierId' },
    params: domainSchemas.supplierIdParamsSchema,
    body: domainSchemas.supplierStockBodySchema,
    successStatus: 202,
    response: domainSchemas.queuedResponseSchema,
    problems: [415, 422, 429],
  },
  'GET /suppliers/{supplierId}/purchase-orders': {
    summary: "A supplier's purchase orders (its own only; ops see any supplier's)",
    access: { roles: ['supplier', 'ops'], scopeParam: 'supplierId' },
    params: domainSchemas.supplierIdParamsSchema,
    successStatus: 200,
    response: procurementSchemas.purchaseOrderListSchema,
  },
  'POST /suppliers/{supplierId}/purchase-orders/{poId}/confirm': {
    summary: 'Confirm an OPEN purchase order, all or part of each line, with an ETA (idempotent)',
    access: { roles: ['supplier'], scopeParam: 'supplierId' },
    params: procurementSchemas.purchaseOrderParamsSchema,
    body: procurementSchemas.confirmPurchaseOrderBodySchema,
    successStatus: 200,
    response: procurementSchemas.purchaseOrderDecisionSchema,
    problems: [404, 409, 415, 422],
  },
  'POST /suppliers/{supplierId}/purchase-orders/{poId}/reject': {
    summary: 'Reject an OPEN purchase order; procurement asks the next supplier (idempotent)',
    access: { roles: ['supplier'], scopeParam: 'supplierId' },
    params: procurementSchemas.purchaseOrderParamsSchema,
    body: procurementSchemas.rejectPurchaseOrderBodySchema,
    successStatus: 200,
    response: procurementSchemas.purchaseOrderDecisionSchema,
    problems: [404, 409, 415, 422],
  },
} as const satisfies Record<string, RouteContract>;
