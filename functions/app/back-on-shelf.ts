import type { TableRef } from '../adapters/dynamodb/client';
import type { ShipmentRecord } from '../adapters/dynamodb/shipments';
import { stockChangeItems } from '../adapters/dynamodb/stock';

/**
 * The units of a picked shipment going back on the shelf where it is (not collected, or cancelled): its own
 * picked lines and any its transfers brought. `onHand` and `available` rise; one write per SKU.
 */
export function backOnShelf(table: TableRef, shipment: ShipmentRecord, at: string) {
  const units = new Map<string, number>();
  for (const line of [...shipment.lines, ...(shipment.received ?? [])])
    units.set(line.sku, (units.get(line.sku) ?? 0) + line.qty);
  return [...units].flatMap(([sku, qty]) =>
    stockChangeItems(
      table,
      sku,
      shipment.locationId,
      [{ bucket: 'head', available: qty, reserved: 0, onHand: qty }],
      at,
    ),
  );
}
