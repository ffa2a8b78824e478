import { keys } from '../../../contracts/keys';
import type { OrderLine } from '../../../contracts/schemas';
import type { TableRef } from '../client';
import type { TransactItem } from '../items';

/**
 * Received units go on hand and earmarked; those that were inbound are no longer. Creates the stock item if
 * the location never had the SKU; the PO version condition makes it happen once.
 */
export function receivedStock(
  table: TableRef,
  line: OrderLine,
  locationId: string,
  wasInbound: number,
  at: string,
): TransactItem {
  return stockUpdate(table, line, locationId, line.qty, -wasInbound, at);
}

/** Units confirmed by a supplier for a location's stock (not for backorders: those are sold already). */
export const inboundStock = (table: TableRef, line: OrderLine, locationId: string, qty: number, at: string) =>
  stockUpdate(table, line, locationId, 0, qty, at);

function stockUpdate(
  table: TableRef,
  line: OrderLine,
  locationId: string,
  earmarked: number,
  inbound: number,
  at: string,
): TransactItem {
  return {
    Update: {
      TableName: table.tableName,
      Key: keys.stock(line.sku, locationId),
      UpdateExpression:
        'SET onHand = if_not_exists(onHand, :zero) + :qty, reserved = if_not_exists(reserved, :zero) + :qty, ' +
        'available = if_not_exists(available, :zero), safetyStock = if_not_exists(safetyStock, :zero), ' +
        'inbound = if_not_exists(inbound, :zero) + :inbound, sku = :sku, locationId = :locationId, entity = :entity, ' +
        'gsi1pk = :gsi1pk, gsi1sk = :gsi1sk, updatedAt = :now',
      ExpressionAttributeValues: {
        ':zero': 0,
        ':qty': earmarked,
        ':inbound': inbound,
        ':sku': line.sku,
        ':locationId': locationId,
        ':entity': 'stock',
        ...prefixed(keys.stockByLocation(line.sku, locationId)),
        ':now': at,
      },
    },
  };
}

const prefixed = (values: Record<string, string>) =>
  Object.fromEntries(Object.entries(values).map(([name, value]) => [`:${name}`, value]));
