import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from '../../functions/adapters/dynamodb/client';
import { saveLocation } from '../../functions/adapters/dynamodb/locations';
import { acceptOrder } from '../../functions/adapters/dynamodb/orders';
import { recordCycleCount } from '../../functions/adapters/dynamodb/stock';
import { keys } from '../../functions/contracts/keys';
import type { CreateOrderBody, LocationBody } from '../../functions/contracts/schemas';

export const now = new Date('2026-01-05T10:00:00.000Z');

export { deliveryTo, store, warehouse } from '../support/fixtures';

export async function seedStock(
  table: TableRef,
  stock: Record<
    string,
    { location: LocationBody; skus: Record<string, { onHand: number; safetyStock?: number }> }
  >,
): Promise<void> {
  for (const [locationId, { location, skus }] of Object.entries(stock)) {
    await saveLocation(table, locationId, location, now);
    for (const [sku, figures] of Object.entries(skus)) {
      await recordCycleCount(
        table,
        sku,
        locationId,
        { onHand: figures.onHand, safetyStock: figures.safetyStock ?? 0 },
        now,
      );
    }
  }
}

export async function placeOrder(
  table: TableRef,
  orderId: string,
  body: Omit<CreateOrderBody, 'orderId'>,
): Promise<void> {
  const result = await acceptOrder(table, {
    principalId: 'channel:test',
    idempotencyKey: `key-${orderId}`,
    requestHash: orderId,
    body: { ...body, orderId },
    orderId,
    channelOrderId: orderId,
    now,
  });
  if (result.kind !== 'accepted') throw new Error(`could not place ${orderId}: ${result.kind}`);
}

/** Many accepted orders at once, written in batches (the acceptance path itself is tested separately). */
export async function placeOrdersInBulk(
  table: TableRef,
  orders: readonly (Omit<CreateOrderBody, 'orderId'> & { orderId: string })[],
): Promise<void> {
  const at = now.toISOString();
  const items = orders.map((order) => ({
    ...keys.order(order.orderId),
    entity: 'order',
    orderId: order.orderId,
    customerId: order.customerId,
    status: 'ACCEPTED',
    fulfilment: order.fulfilment,
    lines: order.lines,
    allocations: [],
    shortfall: [],
    version: 1,
    createdAt: at,
    updatedAt: at,
  }));
  for (let start = 0; start < items.length; start += 25) {
    const batch = items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } }));
    await table.document.send(new BatchWriteCommand({ RequestItems: { [table.tableName]: batch } }));
  }
}
