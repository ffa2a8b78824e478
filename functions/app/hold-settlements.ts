import type { TableRef } from '../adapters/dynamodb/client';
import { type HoldSettlement, holdsSettleWrites } from '../adapters/dynamodb/holds';
import type { TransactItem } from '../adapters/dynamodb/items';
import type { HoldRecord } from '../adapters/dynamodb/orders';
import { shelfReturnItem } from '../adapters/dynamodb/shelf-returns';
import type { ShipmentRecord } from '../adapters/dynamodb/shipments';
import { keys } from '../contracts/keys';

/** What happened to one line's units: picked (they leave), missing (written off); the rest are released. */
export interface LineOutcome {
  readonly picked: number;
  readonly missing: number;
}

/**
 * The writes that settle a shipment's held units when staff are done with it (picked, short, refused, timed
 * out), line by line. A line may be carried by several holds (a round a later re-route overtook holds apart
 * from that later round): picked units are taken from them in turn, then missing ones, the rest released.
 * With `returnReceived`, the units a pickup's transfers brought go back on this shelf in the same
 * transaction, merged with the line's stock change (one write per stock item). Undefined when a line's
 * units are no longer all held (a cancellation got there first).
 */
export function shipmentHoldWrites(
  table: TableRef,
  input: {
    readonly shipment: ShipmentRecord;
    readonly holds: readonly HoldRecord[];
    readonly outcome: (line: { sku: string; qty: number }) => LineOutcome;
    readonly returnReceived?: boolean;
    readonly at: string;
  },
): TransactItem[] | undefined {
  const { shipment } = input;
  const received = new Map(
    (input.returnReceived ? (shipment.received ?? []) : []).map((line) => [line.sku, line.qty]),
  );
  const settlements: HoldSettlement[] = [];
  for (const line of shipment.lines) {
    const carrying = input.holds.filter(
      (hold) => hold.shipmentId === shipment.shipmentId && hold.sku === line.sku && hold.status === 'HELD',
    );
    if (carrying.reduce((sum, hold) => sum + hold.qty, 0) !== line.qty) return undefined;
    let { picked, missing } = input.outcome(line);
    carrying.forEach((hold, index) => {
      const pickedHere = Math.min(picked, hold.qty);
      const missingHere = Math.min(missing, hold.qty - pickedHere);
      picked -= pickedHere;
      missing -= missingHere;
      const returned = index === 0 ? (received.get(line.sku) ?? 0) : 0;
      settlements.push({ hold, picked: pickedHere, missing: missingHere, returned });
    });
    received.delete(line.sku);
  }
  // Received units of a SKU the shipment holds nothing of here go back on the shelf on their own.
  const returns = [...received]
    .filter(([, qty]) => qty > 0)
    .map(([sku, qty]) => shelfReturnItem(table, { sku, locationId: shipment.locationId, qty, at: input.at }));
  // The transfers' picked holds no longer serve the order: their units are on this shelf now, and a re-route
  // must find them again.
  const transferred = input.returnReceived
    ? input.holds.filter(
        (hold) => hold.status === 'COMMITTED' && hold.shipmentId && shipment.awaits.includes(hold.shipmentId),
      )
    : [];
  return [
    ...holdsSettleWrites(table, settlements, input.at),
    ...returns,
    ...transferred.map((hold) => returnedHold(table, hold, input.at)),
  ];
}

const returnedHold = (table: TableRef, hold: HoldRecord, at: string): TransactItem => ({
  Update: {
    TableName: table.tableName,
    Key: keys.hold(hold.orderId, hold.sku, hold.locationId, hold.round),
    UpdateExpression: 'SET #status = :returned, returnedAt = :now',
    ConditionExpression: '#status = :committed',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':returned': 'RETURNED', ':committed': 'COMMITTED', ':now': at },
  },
});
