import { randomBytes } from 'node:crypto';

/**
 * One well-formed request per route, for the suites that go over every route (the authorization matrix and
 * the fuzz suite). Bodies are valid, so whatever refuses a request is the check under test, not validation.
 * Every id comes from `ids`, which carries a per-run tag: what a request could write names the tag.
 */
export interface RouteIds {
  /** The channel whose order the samples name. */
  readonly channel: string;
  readonly ownLocation: string;
  readonly sku: string;
  readonly ownSupplier: string;
  /** The own channel's name of an order that exists. */
  readonly channelOrderId: string;
  /** A name for a new order. */
  readonly newOrderId: string;
  readonly poId: string;
  readonly executionId: string;
  /** A carrier the samples create, update and rotate the secret of. */
  readonly carrier: string;
}

/**
 * A run's ids, tagged so that whatever a request writes names the run: `short` tells the suites apart
 * (`mx` → `ST-MX-<tag>`, `SUP-MX-<tag>`, orders `mo-<tag>`…), and the `other…` ids belong to no caller
 * the suite admits.
 */
export function taggedIds(short: string, tag: string) {
  const upper = short.toUpperCase();
  return {
    channel: `${short}${tag}`,
    otherChannel: `${short}o${tag}`,
    ownLocation: `ST-${upper}-${tag}`,
    otherLocation: `ST-${upper}O-${tag}`,
    ownSupplier: `SUP-${upper}-${tag}`,
    otherSupplier: `SUP-${upper}O-${tag}`,
    carrier: `CAR-${upper}-${tag}`,
    sku: `SKU-${upper}-${tag}`,
    channelOrderId: `${short[0]}o-${tag}`,
    newOrderId: `${short[0]}n-${tag}`,
    poId: `PO-${upper}-${tag}`,
    executionId: `ex-${tag}`,
  } satisfies RouteIds & Record<string, string>;
}

/** An API key for a run's principal: recognisable (`<short>_<name>_<tag>_`) and unguessable. */
export const taggedKey = (short: string, tag: string, name: string): string =>
  `${short}_${name}_${tag}_${randomBytes(12).toString('base64url')}`;

export interface RouteSample {
  readonly path: string;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export function routeSamples(ids: RouteIds): Record<string, RouteSample> {
  const lines = [{ sku: ids.sku, qty: 1 }];
  // The first shipment of the sample order (a pickup at the own location: fulfilment creates it).
  const shipment = `/shipments/${ids.channel}.${ids.channelOrderId}-0-0`;
  return {
    'GET /health': { path: '/health' },
    'GET /openapi.json': { path: '/openapi.json' },
    'GET /console': { path: '/console' },
    'GET /console/': { path: '/console/' },
    'GET /console/{asset}': { path: '/console/main.js' },
    'PUT /skus/{sku}': { path: '/skus/SKU-MATRIX-POLICY', body: { returnable: true, returnWindowDays: 14 } },
    'PUT /locations/{locationId}': {
      path: `/locations/${ids.ownLocation}`,
      body: { type: 'store', name: 'Matrix store', lat: 51.5, lng: -0.1, fulfils: ['pickup'] },
    },
    'PUT /locations/{locationId}/stock/{sku}': {
      path: `/locations/${ids.ownLocation}/stock/${ids.sku}`,
      body: { onHand: 5, safetyStock: 0 },
    },
    'PUT /locations/{locationId}/stock/{sku}/shards': {
      path: `/locations/${ids.ownLocation}/stock/${ids.sku}/shards`,
      body: { shards: 2 },
    },
    'GET /inventory/{sku}': { path: `/inventory/${ids.sku}` },
    'POST /orders': {
      path: '/orders',
      headers: { 'idempotency-key': `key-${ids.newOrderId}` },
      body: {
        orderId: ids.newOrderId,
        customerId: 'matrix-customer',
        fulfilment: { type: 'pickup', storeId: ids.ownLocation },
        lines,
      },
    },
    'GET /orders/{orderId}': { path: `/orders/${ids.channelOrderId}` },
    'GET /ops/orders': { path: '/ops/orders?customerId=matrix-customer&status=PICKING&limit=5' },
    'GET /returns/{returnId}': { path: `/returns/${ids.channelOrderId}-r1` },
    'POST /orders/{orderId}/returns': {
      path: `/orders/${ids.channelOrderId}/returns`,
      headers: { 'idempotency-key': 'matrix-return' },
      body: { lines: [{ sku: 'SKU-MATRIX', qty: 1, reason: 'other' }], method: 'store_dropoff' },
    },
    // Staff and ops name returns by the system-wide ids, a channel by its own.
    'POST /returns/{returnId}/received': {
      path: `/returns/${ids.channel}.${ids.channelOrderId}-r1/received`,
      body: { locationId: ids.ownLocation, lines: [{ sku: 'SKU-MATRIX', qty: 1, condition: 'resellable' }] },
    },
    'POST /returns/{returnId}/refund': {
      path: `/returns/${ids.channelOrderId}-r1/refund`,
      body: { status: 'succeeded', reference: 'matrix-refund' },
    },
    'POST /ops/returns/{returnId}/retry-refund': {
      path: `/ops/returns/${ids.channel}.${ids.channelOrderId}-r1/retry-refund`,
    },
    'GET /ops/returns': { path: '/ops/returns?status=REQUESTED&limit=5' },
    'GET /ops/kpis/returns': { path: '/ops/kpis/returns?from=2026-01-01&to=2026-01-31' },
    'GET /ops/kpis/orders': { path: '/ops/kpis/orders?from=2026-01-01&to=2026-01-31' },
    'POST /locations/{locationId}/damaged/{sku}/write-off': {
      path: `/locations/${ids.ownLocation}/damaged/${ids.sku}/write-off`,
      headers: { 'idempotency-key': 'matrix-write-off' },
      body: { qty: 1, reason: 'matrix' },
    },
    'POST /orders/{orderId}/cancel': {
      path: `/orders/${ids.channelOrderId}/cancel`,
      body: { reason: 'matrix' },
    },
    'POST /suppliers/{supplierId}/stock': {
      path: `/suppliers/${ids.ownSupplier}/stock`,
      body: { feedSeq: 1, items: [{ sku: ids.sku, available: 10, leadTimeDays: 2, unitCost: 3 }] },
    },
    'GET /locations/{locationId}/tasks': { path: `/locations/${ids.ownLocation}/tasks?limit=5` },
    'POST /shipments/{shipmentId}/picked': { path: `${shipment}/picked`, body: { lines } },
    'POST /shipments/{shipmentId}/reject': { path: `${shipment}/reject`, body: { reason: 'too_busy' } },
    'POST /shipments/{shipmentId}/packed': {
      path: `${shipment}/packed`,
      body: { parcels: [{ weightGrams: 500 }] },
    },
    'POST /shipments/{shipmentId}/handed-over': {
      path: `${shipment}/handed-over`,
      body: { carrier: 'Parcel Co', trackingNumber: 'PC-1' },
    },
    'POST /shipments/{shipmentId}/received': { path: `${shipment}/received` },
    'POST /shipments/{shipmentId}/returned': { path: `${shipment}/returned` },
    'POST /shipments/{shipmentId}/collected': {
      path: `${shipment}/collected`,
      body: { pickupCode: '123456' },
    },
    'POST /ops/shipments/{shipmentId}/unlock': { path: `/ops${shipment}/unlock` },
    'POST /ops/shipments/{shipmentId}/rebook': { path: `/ops${shipment}/rebook` },
    'GET /ops/carriers/{carrierId}/performance': { path: `/ops/carriers/${ids.carrier}/performance?days=7` },
    // A channel no order belongs to: the matrix's registration never receives another suite's events.
    'PUT /ops/channels/{channelId}/webhook': {
      path: '/ops/channels/MATRIX-NO-CHANNEL/webhook',
      body: { url: 'https://channel.example/hooks' },
    },
    'GET /ops/shipments': { path: '/ops/shipments?status=PICKING&late=true&limit=5' },
    'PUT /carriers/{carrierId}': {
      path: `/carriers/${ids.carrier}`,
      body: {
        name: 'Matrix Parcels',
        services: ['parcel'],
        apiUrl: 'https://carrier.example/api',
        priority: 1,
        // Other suites share the table: this carrier is never offered their shipments.
        origins: ['MATRIX-NO-LOCATION'],
      },
    },
    'GET /carriers': { path: '/carriers' },
    'POST /couriers/{carrierId}/events': {
      path: `/couriers/${ids.carrier}/events`,
      headers: {
        'webhook-id': 'msg_matrix',
        'webhook-timestamp': '1700000000',
        'webhook-signature': 'v1,AAAA',
      },
      body: {
        shipmentId: `${ids.channel}.${ids.channelOrderId}-0-0`,
        type: 'out_for_delivery',
        at: '2026-01-12T10:00:00Z',
      },
    },
    'POST /carriers/{carrierId}/rotate-secret': {
      path: `/carriers/${ids.carrier}/rotate-secret`,
      body: { graceHours: 1 },
    },
    'GET /suppliers/{supplierId}/purchase-orders': { path: `/suppliers/${ids.ownSupplier}/purchase-orders` },
    'POST /suppliers/{supplierId}/purchase-orders/{poId}/confirm': {
      path: `/suppliers/${ids.ownSupplier}/purchase-orders/${ids.poId}/confirm`,
      body: { lines, eta: '2030-01-01' },
    },
    'POST /suppliers/{supplierId}/purchase-orders/{poId}/reject': {
      path: `/suppliers/${ids.ownSupplier}/purchase-orders/${ids.poId}/reject`,
      body: { reason: 'matrix' },
    },
    'POST /locations/{locationId}/receipts': {
      path: `/locations/${ids.ownLocation}/receipts`,
      body: { poId: ids.poId, lines },
    },
    'GET /ops/dead-letters': { path: '/ops/dead-letters' },
    'POST /ops/dead-letters/redrive': { path: '/ops/dead-letters/redrive', body: {} },
    'GET /ops/executions': { path: '/ops/executions' },
    'POST /ops/principals': {
      path: '/ops/principals',
      body: { role: 'supplier', scope: ids.ownSupplier, name: 'Matrix supplier key' },
    },
    'GET /ops/principals': { path: '/ops/principals' },
    // A principal no caller holds: revoking or rotating it can never lock a suite's own key out.
    'DELETE /ops/principals/{principalId}': { path: `/ops/principals/channel:nobody-${ids.channel}` },
    'POST /ops/principals/{principalId}/rotate': {
      path: `/ops/principals/channel:nobody-${ids.channel}/rotate`,
      body: { overlapMinutes: 5 },
    },
    'GET /ops/executions/{executionId}': { path: `/ops/executions/${ids.executionId}?page=1` },
    'POST /ops/executions/{executionId}/redrive': { path: `/ops/executions/${ids.executionId}/redrive` },
    'PUT /ops/faults': {
      path: '/ops/faults',
      body: { workflow: 'fulfilment', state: 'ReserveStock', error: 'MatrixFault', times: 1 },
    },
    'GET /ops/faults': { path: '/ops/faults' },
    'DELETE /ops/faults': { path: '/ops/faults' },
  };
}

/** The sample order under another name (and its own Idempotency-Key), for a second order from the same samples. */
export function sampleOrderNamed(samples: Record<string, RouteSample>, orderId: string): RouteSample {
  const sample = samples['POST /orders'];
  return {
    path: sample?.path ?? '/orders',
    headers: { 'idempotency-key': `key-${orderId}` },
    body: { ...(sample?.body as Record<string, unknown>), orderId },
  };
}
