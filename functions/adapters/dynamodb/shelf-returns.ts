import { keys } from '../../contracts/keys';
import type { TableRef } from './client';
import type { TransactItem } from './items';

/**
 * Units going back on a location's shelf (a parcel nobody collected, a cancelled shipment, goods a transfer
 * brought to a store that failed the order, a customer's return), as one transaction write: `onHand` rises
 * on the SKU's stock head there, and `available` with it. The head is created if the location never stocked
 * the SKU (a store that received it by transfer only, or a return brought to any store), so the write never
 * fails on a missing item.
 *
 * A return's resellable units are `earmarked` instead (reserved, not yet available: waiting backorders get
 * them first, as with a goods receipt), and its damaged units go to `damaged`, which is never available.
 */
export function shelfReturnItem(
  table: TableRef,
  input: {
    readonly sku: string;
    readonly locationId: string;
    readonly qty: number;
    readonly at: string;
    readonly earmarked?: boolean;
    readonly damaged?: number;
  },
): TransactItem {
  const byLocation = keys.stockByLocation(input.sku, input.locationId);
  const onSale = input.earmarked ? 0 : input.qty;
  return {
    Update: {
      TableName: table.tableName,
      Key: keys.stock(input.sku, input.locationId),
      UpdateExpression:
        'SET entity = :entity, sku = :sku, locationId = :locationId, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk, ' +
        'onHand = if_not_exists(onHand, :zero) + :qty, available = if_not_exists(available, :zero) + :onSale, ' +
        'reserved = if_not_exists(reserved, :zero) + :earmarked, safetyStock = if_not_exists(safetyStock, :zero), ' +
        'inbound = if_not_exists(inbound, :zero), damaged = if_not_exists(damaged, :zero) + :damaged, updatedAt = :now',
      ExpressionAttributeValues: {
        ':entity': 'stock',
        ':sku': input.sku,
        ':locationId': input.locationId,
        ':gsi1pk': byLocation.gsi1pk,
        ':gsi1sk': byLocation.gsi1sk,
        ':zero': 0,
        ':qty': input.qty,
        ':onSale': onSale,
        ':earmarked': input.qty - onSale,
        ':damaged': input.damaged ?? 0,
        ':now': input.at,
      },
    },
  };
}
