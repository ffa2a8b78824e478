import { keys } from '../../contracts/keys';
import type { TableRef } from './client';
import type { TransactItem } from './items';

/**
 * Units going back on a location's shelf (a parcel nobody collected, a cancelled shipment, goods a transfer
 * brought to a store that failed the order), as one transaction write: `onHand` and `available` rise on the
 * SKU's stock head there. The head is created if the location never stocked the SKU (a store that received
 * it by transfer only), so the return never fails on a missing item.
 */
export function shelfReturnItem(
  table: TableRef,
  input: { readonly sku: string; readonly locationId: string; readonly qty: number; readonly at: string },
): TransactItem {
  const byLocation = keys.stockByLocation(input.sku, input.locationId);
  return {
    Update: {
      TableName: table.tableName,
      Key: keys.stock(input.sku, input.locationId),
      UpdateExpression:
        'SET entity = :entity, sku = :sku, locationId = :locationId, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk, ' +
        'onHand = if_not_exists(onHand, :zero) + :qty, available = if_not_exists(available, :zero) + :qty, ' +
        'reserved = if_not_exists(reserved, :zero), safetyStock = if_not_exists(safetyStock, :zero), ' +
        'inbound = if_not_exists(inbound, :zero), updatedAt = :now',
      ExpressionAttributeValues: {
        ':entity': 'stock',
        ':sku': input.sku,
        ':locationId': input.locationId,
        ':gsi1pk': byLocation.gsi1pk,
        ':gsi1sk': byLocation.gsi1sk,
        ':zero': 0,
        ':qty': input.qty,
        ':now': input.at,
      },
    },
  };
}
