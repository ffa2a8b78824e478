import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadOrderPartition } from '../../functions/adapters/dynamodb/orders';
import { getReturn } from '../../functions/adapters/dynamodb/returns';
import type { ShipmentRecord } from '../../functions/adapters/dynamodb/shipments';
import { splitOrderId } from '../../functions/contracts/order-ids';
import type { LocalCloud } from '../../local/cloud';

/**
 * Whole dispatch lifecycles for the workflow-cost benchmark (docs/dispatch.md): from the order to goods
 * delivered by a carrier, or collected at a counter, with every staff step over the HTTP API as a store would
 * call it, and every channel event delivered to the channel's webhook. The driver finds shipments by reading the table directly (uncounted), as a store's task list
 * would show them; the channel's read of the pickup code is counted: the channel must fetch it to tell the
 * customer.
 */
export interface LifecycleContext {
  readonly cloud: LocalCloud;
  /** Straight to DynamoDB Local, past the counting proxy. */
  readonly document: DynamoDBDocumentClient;
  readonly api: (
    path: string,
    key: string,
    method?: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => Promise<Record<string, unknown>>;
  readonly place: (sku: string, qty: number, fulfilment?: unknown) => Promise<string>;
  readonly until: <T>(probe: () => Promise<T | undefined>) => Promise<T>;
  readonly staffKey: Record<string, string>;
}

export const lifecycleSku = 'SKU-LIFE';
/** Locations the lifecycles use, with the stock they start with (enough for every order). */
export const lifecycleLocations = {
  'ST-BENCH-1': { type: 'store', lat: 51.51, lng: -0.12, fulfils: ['pickup'], onHand: 10_000 },
  'ST-BENCH-2': { type: 'store', lat: 51.52, lng: -0.13, fulfils: ['pickup'], onHand: 10_000 },
} as const;

export function lifecycleDrivers(context: LifecycleContext, warehouse: string) {
  const { api, until, document, cloud } = context;
  const table = { document, tableName: cloud.tableName };
  const staff = (locationId: string) => {
    const key = context.staffKey[locationId];
    if (!key) throw new Error(`no staff key for ${locationId}`);
    return key;
  };
  const shipmentAt = (orderId: string, locationId: string, status: string) =>
    until(async () =>
      (await loadOrderPartition(table, orderId)).shipments.find(
        (shipment) => shipment.locationId === locationId && shipment.status === status,
      ),
    );
  const stepAt = async (shipment: ShipmentRecord, action: string, body?: unknown) =>
    api(`/shipments/${shipment.shipmentId}/${action}`, staff(shipment.locationId), 'POST', body);
  const pickAndPack = async (orderId: string, locationId: string) => {
    await stepAt(await shipmentAt(orderId, locationId, 'PICKING'), 'picked', {
      lines: [{ sku: lifecycleSku, qty: 1 }],
    });
    await stepAt(await shipmentAt(orderId, locationId, 'PACKING'), 'packed', {
      parcels: [{ weightGrams: 500 }],
    });
  };
  const collect = async (orderId: string, locationId: string) => {
    const ready = await shipmentAt(orderId, locationId, 'READY_FOR_PICKUP');
    const view = (await api(`/orders/${splitOrderId(orderId)?.channelOrderId}`, cloud.keys.channel)) as {
      shipments: { shipmentId: string; pickupCode?: string }[];
    };
    const code = view.shipments.find((shipment) => shipment.shipmentId === ready.shipmentId)?.pickupCode;
    await stepAt(ready, 'collected', { pickupCode: code });
  };
  const pickupAt = (storeId: string) => ({ type: 'pickup', storeId });
  /** Read straight from the table (uncounted), as the channel's own view would show it. */
  const returnIn = (orderId: string, status: string) =>
    until(async () => ((await getReturn(table, orderId, 1))?.status === status ? true : undefined));
  const each = (count: number, path: (orderId: string) => Promise<void>, fulfilment?: unknown) =>
    Promise.all(
      Array.from({ length: count }, async () => {
        const orderId = await context.place(lifecycleSku, 1, fulfilment);
        await path(orderId);
        return orderId;
      }),
    );

  return {
    /**
     * Pick → pack, then the workflow books the sandbox parcel carrier over its API, which picks it up and
     * delivers it with signed webhooks (each an API request): ends DELIVERED.
     */
    delivery: (count: number) =>
      each(count, async (orderId) => {
        await pickAndPack(orderId, warehouse);
        await shipmentAt(orderId, warehouse, 'DELIVERED');
      }),
    /** Click-and-collect at a stocked store: pick → pack → the channel reads the code → collected. */
    bopis: (count: number) =>
      each(
        count,
        async (orderId) => {
          await pickAndPack(orderId, 'ST-BENCH-1');
          await collect(orderId, 'ST-BENCH-1');
        },
        pickupAt('ST-BENCH-1'),
      ),
    /**
     * After-sales (docs/returns.md), for orders collected at ST-BENCH-1: the channel asks to return the unit,
     * the customer brings it to ST-BENCH-2, staff receive it resellable, the channel answers refund.requested:
     * the return ends CLOSED (the order RETURNED).
     */
    returned: (orderIds: readonly string[]) =>
      Promise.all(
        orderIds.map(async (orderId) => {
          await api(
            `/orders/${splitOrderId(orderId)?.channelOrderId}/returns`,
            cloud.keys.channel,
            'POST',
            { lines: [{ sku: lifecycleSku, qty: 1, reason: 'no_longer_needed' }], method: 'store_dropoff' },
            { 'idempotency-key': `return-${orderId}` },
          );
          await api(`/returns/${orderId}-r1/received`, staff('ST-BENCH-2'), 'POST', {
            locationId: 'ST-BENCH-2',
            lines: [{ sku: lifecycleSku, qty: 1, condition: 'resellable' }],
          });
          await returnIn(orderId, 'REFUND_PENDING');
          await api(
            `/returns/${splitOrderId(orderId)?.channelOrderId}-r1/refund`,
            cloud.keys.channel,
            'POST',
            {
              status: 'succeeded',
              reference: `refund-${orderId}`,
            },
          );
          await returnIn(orderId, 'CLOSED');
          return orderId;
        }),
      ),
    /** The store refuses (too busy): re-routed to the other store, collected there. */
    rejectAndReroute: (count: number) =>
      each(
        count,
        async (orderId) => {
          await stepAt(await shipmentAt(orderId, 'ST-BENCH-1', 'PICKING'), 'reject', { reason: 'too_busy' });
          await pickAndPack(orderId, 'ST-BENCH-2');
          await collect(orderId, 'ST-BENCH-2');
        },
        pickupAt('ST-BENCH-1'),
      ),
  };
}
