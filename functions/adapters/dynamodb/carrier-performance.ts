import { keys } from '../../contracts/keys';
import type { CarrierCounters } from '../../core/carrier-sla';
import type { TableRef } from './client';
import type { TransactItem } from './items';
import { queryAll } from './query';

const counterNames = ['delivered', 'onTime', 'minutesLate', 'failedAttempts', 'returned'] as const;

/**
 * Shards per carrier and day. Each counted event is in a transaction with its shipment, and transactions
 * writing one item at once conflict (TransactionConflict): spread over 16 items by shipment, concurrent
 * deliveries of one carrier rarely meet.
 */
const shards = 16;
const shardOf = (shipmentId: string) =>
  [...shipmentId].reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) % 65_521, 7) % shards;

/**
 * Adds to a carrier's counters of one day, for the transaction that applies the tracking event counted: the
 * event is applied once (conditioned on the shipment's version), so it is counted once.
 */
export function carrierCountersAdd(
  table: TableRef,
  carrierId: string,
  counted: { readonly day: string; readonly shipmentId: string },
  add: Partial<CarrierCounters>,
): TransactItem {
  const names = counterNames.filter((name) => (add[name] ?? 0) !== 0);
  return {
    Update: {
      TableName: table.tableName,
      Key: keys.carrierPerformanceDay(carrierId, counted.day, shardOf(counted.shipmentId)),
      UpdateExpression: `SET entity = :entity ADD ${names.map((name) => `#${name} :${name}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(names.map((name) => [`#${name}`, name])),
      ExpressionAttributeValues: {
        ':entity': 'carrierPerformance',
        ...Object.fromEntries(names.map((name) => [`:${name}`, add[name]])),
      },
    },
  };
}

/** A carrier's counters summed over the days from `fromDay` to `toDay` (UTC dates) and their shards, in one query. */
export async function loadCarrierCounters(
  table: TableRef,
  carrierId: string,
  window: { readonly fromDay: string; readonly toDay: string },
): Promise<CarrierCounters> {
  const first = keys.carrierPerformanceDay(carrierId, window.fromDay, 0);
  const items = await queryAll(table, 'loadCarrierCounters', {
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': first.pk,
      ':from': first.sk,
      ':to': keys.carrierPerformanceDay(carrierId, window.toDay, shards - 1).sk,
    },
  });
  const sum = (name: (typeof counterNames)[number]) =>
    items.reduce((total, item) => total + Number(item[name] ?? 0), 0);
  return {
    delivered: sum('delivered'),
    onTime: sum('onTime'),
    minutesLate: sum('minutesLate'),
    failedAttempts: sum('failedAttempts'),
    returned: sum('returned'),
  };
}
