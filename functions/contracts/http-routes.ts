/**
 * The HTTP API's part of the system definition (functions/contracts/system.ts): its routes, each backed by a
 * function, and its authorizer. Apart so the definition stays readable; system.ts re-exports both and checks
 * that every function they name is one of its functions.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
/** A route; `F` the names of the system's functions (system.ts narrows it). */
export interface RouteDefinitionOf<F extends string> {
  readonly method: HttpMethod;
  readonly path: string;
  readonly function: F;
  /** Public routes skip the authorizer (health, the OpenAPI document, signed courier webhooks). */
  readonly public?: boolean;
}

/**
 * The HTTP API's authorizer and its result cache, as API Gateway runs it and the local gateway emulates it
 * (local/emulators/apigateway/authorizer.ts). A cache saves the authorizer's invocation and principal read
 * (a fifth of a POST /orders), but an HTTP API's cache cannot be flushed, so a revoked key would keep working
 * for up to the TTL. Revocation wins (DELETE /ops/principals/{id} answers "refused from now on"): TTL 0.
 */
export interface HttpApiDefinitionOf<F extends string> {
  readonly authorizer: {
    readonly function: F;
    /** Lower-case header names; `$request.header.<name>` in API Gateway. */
    readonly identityHeaders: readonly string[];
    readonly resultsCacheTtlSeconds: number;
  };
}

export const routes = [
  { method: 'GET', path: '/health', function: 'health', public: true },
  { method: 'GET', path: '/openapi.json', function: 'health', public: true },
  { method: 'PUT', path: '/locations/{locationId}', function: 'putLocation' },
  { method: 'PUT', path: '/locations/{locationId}/stock/{sku}', function: 'putStock' },
  { method: 'PUT', path: '/locations/{locationId}/stock/{sku}/shards', function: 'putStockShards' },
  { method: 'GET', path: '/locations/{locationId}/tasks', function: 'listLocationTasks' },
  { method: 'POST', path: '/shipments/{shipmentId}/picked', function: 'recordShipmentStep' },
  { method: 'POST', path: '/shipments/{shipmentId}/reject', function: 'recordShipmentStep' },
  { method: 'POST', path: '/shipments/{shipmentId}/packed', function: 'recordShipmentStep' },
  { method: 'POST', path: '/shipments/{shipmentId}/handed-over', function: 'recordShipmentStep' },
  { method: 'POST', path: '/shipments/{shipmentId}/received', function: 'recordShipmentStep' },
  { method: 'POST', path: '/shipments/{shipmentId}/collected', function: 'recordShipmentStep' },
  { method: 'POST', path: '/shipments/{shipmentId}/returned', function: 'recordShipmentStep' },
  { method: 'POST', path: '/ops/shipments/{shipmentId}/unlock', function: 'recordShipmentStep' },
  { method: 'POST', path: '/ops/shipments/{shipmentId}/rebook', function: 'recordShipmentStep' },
  { method: 'GET', path: '/ops/shipments', function: 'listShipments' },
  { method: 'PUT', path: '/carriers/{carrierId}', function: 'manageCarriers' },
  { method: 'GET', path: '/carriers', function: 'manageCarriers' },
  { method: 'POST', path: '/carriers/{carrierId}/rotate-secret', function: 'manageCarriers' },
  { method: 'GET', path: '/ops/carriers/{carrierId}/performance', function: 'manageCarriers' },
  { method: 'PUT', path: '/ops/channels/{channelId}/webhook', function: 'manageChannelWebhooks' },
  { method: 'PUT', path: '/skus/{sku}', function: 'putSkuPolicy' },
  { method: 'POST', path: '/orders/{orderId}/returns', function: 'requestReturn' },
  { method: 'GET', path: '/returns/{returnId}', function: 'getReturn' },
  { method: 'POST', path: '/returns/{returnId}/received', function: 'receiveReturn' },
  { method: 'POST', path: '/returns/{returnId}/refund', function: 'answerRefund' },
  { method: 'POST', path: '/ops/returns/{returnId}/retry-refund', function: 'answerRefund' },
  { method: 'GET', path: '/ops/returns', function: 'opsReports' },
  { method: 'GET', path: '/ops/kpis/returns', function: 'opsReports' },
  { method: 'GET', path: '/ops/kpis/orders', function: 'opsReports' },
  { method: 'POST', path: '/locations/{locationId}/damaged/{sku}/write-off', function: 'writeOffDamaged' },
  // Signed with the carrier's secret (Standard Webhooks), not an API key: the handler verifies it.
  { method: 'POST', path: '/couriers/{carrierId}/events', function: 'receiveCarrierEvent', public: true },
  { method: 'GET', path: '/inventory/{sku}', function: 'getInventory' },
  { method: 'POST', path: '/orders', function: 'createOrder' },
  { method: 'GET', path: '/orders/{orderId}', function: 'getOrder' },
  { method: 'GET', path: '/ops/orders', function: 'getOrder' },
  { method: 'POST', path: '/orders/{orderId}/cancel', function: 'cancelOrder' },
  { method: 'POST', path: '/suppliers/{supplierId}/stock', function: 'postSupplierStock' },
  { method: 'GET', path: '/suppliers/{supplierId}/purchase-orders', function: 'listPurchaseOrders' },
  {
    method: 'POST',
    path: '/suppliers/{supplierId}/purchase-orders/{poId}/confirm',
    function: 'decidePurchaseOrder',
  },
  {
    method: 'POST',
    path: '/suppliers/{supplierId}/purchase-orders/{poId}/reject',
    function: 'decidePurchaseOrder',
  },
  { method: 'POST', path: '/locations/{locationId}/receipts', function: 'receiveGoods' },
  { method: 'GET', path: '/ops/dead-letters', function: 'listDeadLetters' },
  { method: 'POST', path: '/ops/dead-letters/redrive', function: 'redriveDeadLetters' },
  { method: 'POST', path: '/ops/principals', function: 'managePrincipals' },
  { method: 'GET', path: '/ops/principals', function: 'managePrincipals' },
  { method: 'DELETE', path: '/ops/principals/{principalId}', function: 'managePrincipals' },
  { method: 'POST', path: '/ops/principals/{principalId}/rotate', function: 'managePrincipals' },
  { method: 'GET', path: '/ops/executions', function: 'listExecutions' },
  { method: 'GET', path: '/ops/executions/{executionId}', function: 'getExecution' },
  { method: 'POST', path: '/ops/executions/{executionId}/redrive', function: 'redriveExecution' },
] as const satisfies readonly RouteDefinitionOf<string>[];

export const httpApi = {
  authorizer: { function: 'authorizer', identityHeaders: ['x-api-key'], resultsCacheTtlSeconds: 0 },
} as const satisfies HttpApiDefinitionOf<string>;
