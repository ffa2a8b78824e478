import type { TableRef } from '../adapters/dynamodb/client';
import { shelfReturnItem } from '../adapters/dynamodb/shelf-returns';
import type { ShipmentRecord } from '../adapters/dynamodb/shipments';

/**
 * The units of a picked shipment going back on the shelf where it is (not collected, or cancelled): its own
 * picked lines and any its transfers brought. `onHand` and `available` rise; one write per SKU (a
 * transaction may touch an item once), creating the stock item where the store never stocked the SKU.
 */
export function backOnShelf(
  table: TableRef,
  shipment: Pick<ShipmentRecord, 'lines' | 'received' | 'locationId'>,
  at: string,
) {
  const units = new Map<string, number>();
  for (const line of [...shipment.lines, ...(shipment.received ?? [])])
    units.set(line.sku, (units.get(line.sku) ?? 0) + line.qty);
  return [...units]
    .filter(([, qty]) => qty > 0)
    .map(([sku, qty]) => shelfReturnItem(table, { sku, locationId: shipment.locationId, qty, at }));
}
