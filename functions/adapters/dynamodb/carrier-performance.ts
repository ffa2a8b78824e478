import { keys } from '../../contracts/keys';
import type { CarrierCounters } from '../../core/carrier-sla';
import type { TableRef } from './client';
import { counterShardOf, counterShards, dailyCountersAdd, sumDailyCounters } from './daily-counters';
import type { TransactItem } from './items';

/**
 * Adds to a carrier's counters of one day, for the transaction that applies the tracking event counted: the
 * event is applied once (conditioned on the shipment's version), so it is counted once.
 */
export function carrierCountersAdd(
  table: TableRef,
  carrierId: string,
  counted: { readonly day: string; readonly shipmentId: string },
  add: Partial<CarrierCounters>,
): TransactItem[] {
  return dailyCountersAdd(
    table,
    keys.carrierPerformanceDay(carrierId, counted.day, counterShardOf(counted.shipmentId)),
    'carrierPerformance',
    add,
  );
}

/** A carrier's counters summed over the days from `fromDay` to `toDay` (UTC dates) and their shards, in one query. */
export async function loadCarrierCounters(
  table: TableRef,
  carrierId: string,
  window: { readonly fromDay: string; readonly toDay: string },
): Promise<CarrierCounters> {
  const first = keys.carrierPerformanceDay(carrierId, window.fromDay, 0);
  const sums = await sumDailyCounters(table, 'loadCarrierCounters', {
    pk: first.pk,
    fromSk: first.sk,
    toSk: keys.carrierPerformanceDay(carrierId, window.toDay, counterShards - 1).sk,
  });
  return {
    delivered: sums.delivered ?? 0,
    onTime: sums.onTime ?? 0,
    minutesLate: sums.minutesLate ?? 0,
    failedAttempts: sums.failedAttempts ?? 0,
    returned: sums.returned ?? 0,
  };
}
