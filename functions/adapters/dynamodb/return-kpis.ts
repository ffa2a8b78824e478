import { keys } from '../../contracts/keys';
import type { TableRef } from './client';
import { counterShardOf, counterShards, dailyCountersAdd, sumDailyCounters } from './daily-counters';
import type { TransactItem } from './items';

/** Counter names: units delivered of a SKU, units of it asked back for a reason, and returns asked. */
export const deliveredCounter = (sku: string) => `delivered|${sku}`;
export const returnedCounter = (sku: string, reason: string) => `returned|${sku}|${reason}`;
export const returnsCounter = 'returns';

const add = (table: TableRef, day: string, subject: string, counters: Record<string, number>) =>
  dailyCountersAdd(table, keys.returnKpiDay(day, counterShardOf(subject)), 'returnKpis', counters);

/** What a shipment brought the customer (its lines, and what its transfers brought a pickup), counted on the day. */
export function deliveredUnitsAdd(
  table: TableRef,
  shipment: {
    readonly shipmentId: string;
    readonly lines: readonly { readonly sku: string; readonly qty: number }[];
    readonly received?: readonly { readonly sku: string; readonly qty: number }[] | undefined;
  },
  at: string,
): TransactItem[] {
  const counters: Record<string, number> = {};
  for (const line of [...shipment.lines, ...(shipment.received ?? [])])
    counters[deliveredCounter(line.sku)] = (counters[deliveredCounter(line.sku)] ?? 0) + line.qty;
  return add(table, at.slice(0, 10), shipment.shipmentId, counters);
}

/** A return asked for: the units of each SKU by reason, counted on the day. */
export function returnedUnitsAdd(
  table: TableRef,
  request: {
    readonly returnId: string;
    readonly lines: readonly { readonly sku: string; readonly qty: number; readonly reason: string }[];
  },
  at: string,
): TransactItem[] {
  const counters: Record<string, number> = { [returnsCounter]: 1 };
  for (const line of request.lines) counters[returnedCounter(line.sku, line.reason)] = line.qty;
  return add(table, at.slice(0, 10), request.returnId, counters);
}

/** The counters of the days from `fromDay` to `toDay` (UTC dates), summed. */
export const loadReturnKpiCounters = (
  table: TableRef,
  window: { readonly fromDay: string; readonly toDay: string },
) =>
  sumDailyCounters(table, 'loadReturnKpiCounters', {
    pk: keys.returnKpiDay(window.fromDay, 0).pk,
    fromSk: keys.returnKpiDay(window.fromDay, 0).sk,
    toSk: keys.returnKpiDay(window.toDay, counterShards - 1).sk,
  });
