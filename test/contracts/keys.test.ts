import { describe, expect, it } from 'vitest';
import { keys } from '../../functions/contracts/keys';
import { principalIdSchema } from '../../functions/contracts/principals';
import { poIdSchema } from '../../functions/contracts/procurement';
import { identifierSchema, skuSchema } from '../../functions/contracts/schemas';
import { shipmentIdFor } from '../../functions/contracts/shipments';
import { maxPartitionKeyBytes, maxSortKeyBytes } from '../../functions/contracts/storable';

/** The longest value a schema admits, made of `char`: proven by the schema refusing one character more. */
function longest(schema: { safeParse(value: unknown): { success: boolean } }, char = 'A'): string {
  let value = char;
  while (schema.safeParse(value + char).success) value += char;
  expect(schema.safeParse(value).success).toBe(true);
  return value;
}

const id = longest(identifierSchema);
const longestOrderId = `${'c'.repeat(16)}.${'o'.repeat(47)}`;
const sku = longest(skuSchema);
const poId = longest(poIdSchema);
/** ASL state names (steps) and event names: at most 80 characters (States Language). */
const step = 'S'.repeat(80);
const at = new Date(8.64e15).toISOString();
/** An Idempotency-Key header: up to 255 characters, each up to 3 bytes in UTF-8. */
const idempotencyKey = '€'.repeat(255);
/** `<role>:<id>`: the longest role part and the longest id the schema admits. */
const longestPrincipalId = `${'r'.repeat(8)}:${'i'.repeat(64)}`;
expect(principalIdSchema.safeParse(longestPrincipalId).success).toBe(true);
expect(principalIdSchema.safeParse(`${longestPrincipalId}i`).success).toBe(false);

/** Every key builder, called with the longest arguments the API lets through. */
const longestKeys: Record<string, () => unknown> = {
  principal: () => keys.principal('f'.repeat(64)),
  principalRecord: () => keys.principalRecord(longestPrincipalId),
  principalIndex: () => keys.principalIndex(longestPrincipalId),
  location: () => keys.location(id),
  locationIndex: () => keys.locationIndex(id),
  skuPartition: () => keys.skuPartition(sku),
  stock: () => keys.stock(sku, id),
  stockByLocation: () => keys.stockByLocation(sku, id),
  stockShard: () => keys.stockShard(sku, id, 31),
  shardedStock: () => keys.shardedStock(sku, id),
  supplierStock: () => keys.supplierStock(sku, id),
  replenishment: () => keys.replenishment(sku, id),
  replenishmentEvent: () => keys.replenishmentEvent(sku, id, at, step, step),
  replenishmentEventPartition: () => keys.replenishmentEventPartition(sku, id),
  orderPartition: () => keys.orderPartition(id),
  ordersOfCustomer: () => keys.ordersOfCustomer('€'.repeat(128), at, longestOrderId),
  ordersOfDay: () => keys.ordersOfDay(at, longestOrderId),
  order: () => keys.order(id),
  hold: () => keys.hold(id, sku, id),
  heldHoldIndex: () => keys.heldHoldIndex(at, id, sku, id),
  heldHoldBucket: () => keys.heldHoldBucket(at),
  timelineEntry: () => keys.timelineEntry(id, at, step),
  systemSecret: () => keys.systemSecret('pickup-code'),
  carrier: () => keys.carrier(id),
  carrierIndex: () => keys.carrierIndex(id),
  carrierSecret: () => keys.carrierSecret(id, at),
  channelWebhook: () => keys.channelWebhook(id),
  skuPolicy: () => keys.skuPolicy(sku),
  orderReturn: () => keys.orderReturn(id, 99),
  returnsByStatus: () => keys.returnsByStatus('REFUND_PENDING', at, `${id}-r99`),
  returnsByStatusPartition: () => ({ gsi2pk: keys.returnsByStatusPartition('REFUND_PENDING') }),
  returnAttention: () => keys.returnAttention(at, `${id}-r99`),
  kpiDay: () => keys.kpiDay('RETURNS', '2026-12-31', 15),
  kpiMark: () => keys.kpiMark(`${longestOrderId}-0-0.reached`),
  damagedWriteOff: () => keys.damagedWriteOff(sku, id, `${'p'.repeat(80)}#${idempotencyKey}`),
  channelEvent: () =>
    keys.channelEvent(
      longestOrderId,
      at,
      `${shipmentIdFor(longestOrderId, 99, 99)}.v99999.shipment.ready_for_pickup`,
    ),
  channelEventLog: () => keys.channelEventLog(longestOrderId),
  carrierPerformanceDay: () => keys.carrierPerformanceDay(id, '2026-12-01', 15),
  rateWindow: () => keys.rateWindow(`supplier-feed#${id}`, at),
  purchaseOrder: () => keys.purchaseOrder(poId),
  purchaseOrderBySupplier: () => keys.purchaseOrderBySupplier(id, at, poId),
  supplierPurchaseOrders: () => keys.supplierPurchaseOrders(id),
  orderPurchaseOrder: () => keys.orderPurchaseOrder(id, poId),
  backorder: () => keys.backorder(id, sku),
  shipment: () => keys.shipment(id, shipmentIdFor(longestOrderId, 99, 99)),
  locationTask: () => keys.locationTask(id, at, shipmentIdFor(longestOrderId, 99, 99)),
  locationTasksPartition: () => keys.locationTasksPartition(id),
  shipmentAttention: () => keys.shipmentAttention(at, shipmentIdFor(longestOrderId, 99, 99)),
  pendingPromise: () => keys.pendingPromise('AWAITING_TRANSFER', at, shipmentIdFor(longestOrderId, 99, 99)),
  pendingPromisesPartition: () => keys.pendingPromisesPartition('AWAITING_TRANSFER'),
  backorderQueue: () => keys.backorderQueue(sku, at, id),
  backorderQueuePartition: () => keys.backorderQueuePartition(sku),
  receipt: () => keys.receipt(poId, id),
  idempotency: () => keys.idempotency(`supplier:${id}`, idempotencyKey),
};

const bytes = (value: unknown) => Buffer.byteLength(String(value), 'utf8');

describe('table keys', () => {
  it('every key built from the longest ids the API admits fits DynamoDB key limits', () => {
    const builders = Object.entries(keys).filter(([, value]) => typeof value === 'function');
    expect(Object.keys(longestKeys).sort()).toEqual(builders.map(([name]) => name).sort());
    for (const [name, build] of Object.entries(longestKeys)) {
      const built = build();
      // A builder returns a key object ({pk, sk} or {gsi1pk, gsi1sk}) or one partition value.
      const parts = typeof built === 'string' ? { pk: built } : (built as Record<string, string>);
      for (const [attribute, value] of Object.entries(parts)) {
        const limit = /pk$/.test(attribute) ? maxPartitionKeyBytes : maxSortKeyBytes;
        expect(bytes(value), `${name}.${attribute}`).toBeLessThanOrEqual(limit);
      }
    }
  });
});
