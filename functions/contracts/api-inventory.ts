import type { RouteContract } from './api-model';
import * as procurementSchemas from './procurement';
import * as returnSchemas from './returns';
import * as domainSchemas from './schemas';

/** The route contracts of locations, stock, inventory and goods received (contracts/api.ts merges every area's). */
export const inventoryContracts = {
  'PUT /skus/{sku}': {
    summary: "Set a SKU's return policy: returnable or not, and its return window in days (default 30)",
    access: { roles: ['ops'] },
    params: domainSchemas.skuParamsSchema,
    body: returnSchemas.skuPolicyBodySchema,
    successStatus: 200,
    response: returnSchemas.skuPolicySchema,
    problems: [415, 422],
  },
  'PUT /locations/{locationId}': {
    summary: 'Create or update a warehouse, store or dark store',
    access: { roles: ['ops'] },
    params: domainSchemas.locationIdParamsSchema,
    body: domainSchemas.locationBodySchema,
    successStatus: 200,
    response: domainSchemas.locationSchema,
    problems: [415, 422],
  },
  'PUT /locations/{locationId}/stock/{sku}': {
    summary: 'Cycle count: set on-hand and safety stock of a SKU at a location',
    access: { roles: ['staff', 'ops'], scopeParam: 'locationId' },
    params: domainSchemas.stockParamsSchema,
    body: domainSchemas.stockBodySchema,
    successStatus: 200,
    response: domainSchemas.stockResponseSchema,
    problems: [404, 409, 415, 422],
  },
  'PUT /locations/{locationId}/stock/{sku}/shards': {
    summary:
      'Hot SKU: split the stock of a SKU at a location over N shards (1 = one item again; the same N evens them out now); units are moved, never lost',
    access: { roles: ['ops'] },
    params: domainSchemas.stockParamsSchema,
    body: domainSchemas.stockShardsBodySchema,
    successStatus: 200,
    response: domainSchemas.stockShardsResponseSchema,
    problems: [404, 415, 422],
  },
  'GET /inventory/{sku}': {
    summary: 'Per-location and total stock of a SKU, with supplier availability',
    access: { roles: ['ops', 'channel'] },
    params: domainSchemas.skuParamsSchema,
    successStatus: 200,
    response: domainSchemas.inventoryResponseSchema,
  },
  'POST /locations/{locationId}/receipts': {
    summary: 'Goods received against a confirmed purchase order (partial receipts allowed)',
    access: { roles: ['staff'], scopeParam: 'locationId' },
    params: domainSchemas.locationIdParamsSchema,
    body: procurementSchemas.receiptBodySchema,
    successStatus: 202,
    response: procurementSchemas.receiptResponseSchema,
    problems: [404, 409, 415, 422],
  },
} as const satisfies Record<string, RouteContract>;
