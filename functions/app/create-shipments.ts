import type { TableRef } from '../adapters/dynamodb/client';
import { isTransactionRace, type TransactItem, transactWrite } from '../adapters/dynamodb/items';
import { getLocations } from '../adapters/dynamodb/locations';
import {
  type HoldRecord,
  loadOrderPartition,
  type OrderRecord,
  versionedOrderChange,
} from '../adapters/dynamodb/orders';
import { type ShipmentRecord, shipmentPuts } from '../adapters/dynamodb/shipments';
import {
  invalidStatusTransitionErrorName,
  orderNotFoundErrorName,
  TransientError,
  WorkflowTaskError,
} from '../contracts/errors';
import { keys } from '../contracts/keys';
import type { DispatchSettings } from '../contracts/shipments';
import { type PlannedShipment, planShipments } from '../core/shipments';

export const createShipmentsStep = 'CreateShipments';

export type CreateShipmentsResult =
  | {
      readonly outcome: 'DISPATCHING';
      readonly shipments: readonly Pick<ShipmentRecord, 'shipmentId' | 'type' | 'locationId' | 'status'>[];
    }
  /** Cancelled while fulfilment was on its way here: a modelled ending, nothing to dispatch. */
  | { readonly outcome: 'CANCELLED'; readonly shipments: readonly [] };

const attempts = 5;

/**
 * Turns a reserved order's holds into its first round of shipments (docs/dispatch.md), in one transaction
 * with the order's move to PICKING and its timeline entry. Idempotent: shipment ids are deterministic, so a
 * re-run (a retry, a redrive, a crash after the write) finds the round it wrote and answers with it.
 */
export async function createShipments(
  table: TableRef,
  input: { readonly orderId: string; readonly actor: string; readonly now: Date },
): Promise<CreateShipmentsResult> {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const { order, holds, shipments } = await loadOrderPartition(table, input.orderId);
    if (!order) throw new WorkflowTaskError(orderNotFoundErrorName, `order ${input.orderId} does not exist`);
    // Cancelled first: a redrive after a cancellation ends Cancelled, even if its shipments were written.
    if (order.status === 'CANCELLED') return { outcome: 'CANCELLED', shipments: [] };
    const firstRound = shipments.filter((shipment) => shipment.shipmentId.startsWith(`${order.orderId}-0-`));
    if (firstRound.length > 0) return dispatching(firstRound);
    if (order.status !== 'RESERVED')
      throw new WorkflowTaskError(
        invalidStatusTransitionErrorName,
        `order ${order.orderId} is ${order.status}`,
      );
    const held = holds.filter((hold) => hold.status === 'HELD');
    // Reserved without a held unit: a cancellation is releasing them (the order changes next). Retry.
    if (held.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      continue;
    }
    const planned = planShipments({
      orderId: order.orderId,
      fulfilment: fulfilmentOf(order),
      route: 0,
      allocations: held.map(({ sku, qty, locationId }) => ({ sku, qty, locationId })),
      settings: await settingsOf(table, [...held.map((hold) => hold.locationId), ...pickupStore(order)]),
      now: input.now,
    });
    const at = input.now.toISOString();
    const context = { at, actor: input.actor, step: createShipmentsStep };
    try {
      await transactWrite(table, 'createShipments', [
        ...shipmentPuts(table, order.orderId, planned, context),
        ...versionedOrderChange(table, order, { status: 'PICKING' }, { ...context, status: 'PICKING' }),
        // The units must still be held as read: a cancellation releases holds before it changes the order.
        ...held.map((hold) => stillHeld(table, hold)),
      ]);
      return dispatching(planned.map(asCreated));
    } catch (error) {
      // Another run wrote first (its shipments are read next time round), or the order changed meanwhile.
      if (!isTransactionRace(error)) throw error;
    }
  }
  throw new TransientError(`creating the shipments of ${input.orderId} kept racing`);
}

const pickupStore = (order: OrderRecord): string[] =>
  order.fulfilment.type === 'pickup' ? [order.fulfilment.storeId] : [];

const fulfilmentOf = (order: OrderRecord) =>
  order.fulfilment.type === 'pickup'
    ? { type: order.fulfilment.type, storeId: order.fulfilment.storeId }
    : { type: order.fulfilment.type };

async function settingsOf(table: TableRef, locationIds: readonly string[]) {
  const settings: Record<string, DispatchSettings> = {};
  for (const location of await getLocations(table, locationIds)) settings[location.locationId] = location;
  return settings;
}

const asCreated = (planned: PlannedShipment) => ({
  shipmentId: planned.shipmentId,
  type: planned.type,
  locationId: planned.locationId,
  status: planned.awaits.length > 0 ? ('AWAITING_TRANSFER' as const) : ('PICKING' as const),
});

const dispatching = (
  shipments: readonly Pick<ShipmentRecord, 'shipmentId' | 'type' | 'locationId' | 'status'>[],
): CreateShipmentsResult => ({
  outcome: 'DISPATCHING',
  shipments: shipments.map(({ shipmentId, type, locationId, status }) => ({
    shipmentId,
    type,
    locationId,
    status,
  })),
});

/** A hold still HELD at the quantity read (releasing or committing it changes one or the other). */
const stillHeld = (table: TableRef, hold: HoldRecord): TransactItem => ({
  ConditionCheck: {
    TableName: table.tableName,
    Key: keys.hold(hold.orderId, hold.sku, hold.locationId),
    ConditionExpression: '#status = :held AND qty = :qty',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':held': 'HELD', ':qty': hold.qty },
  },
});
