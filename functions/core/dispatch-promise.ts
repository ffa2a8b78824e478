import { TZDate } from '@date-fns/tz';
import { type DispatchSettings, dispatchDefaults, type ShipmentType } from '../contracts/shipments';

/** When a shipment's staff tasks fall due, and what the customer (or the pickup store) is promised. */
export interface DispatchPromise {
  /** Pick and pack done by then: the pick promise from now. A callback not answered by then times out. */
  readonly dueBy: Date;
  /** delivery: handed over; same_day: delivered; pickup: ready at the counter; transfer: received. */
  readonly promisedBy: Date;
}

/**
 * The dispatch promise of a shipment from a location with `settings`, created at `now`. The dispatch day is
 * today in the location's time zone when `now` is before its same-day cut-off, else tomorrow (no weekends or
 * holidays are modelled):
 * - delivery: handed to a carrier by the end of the dispatch day;
 * - same_day: delivered by the end of the dispatch day;
 * - transfer: received at the pickup store by the end of the day after the dispatch day;
 * - pickup: ready at the counter by `dueBy`.
 * A promise is never earlier than `dueBy`: a pick promise longer than the day still has to be kept.
 */
export function dispatchPromise(type: ShipmentType, settings: DispatchSettings, now: Date): DispatchPromise {
  const timeZone = settings.timeZone ?? dispatchDefaults.timeZone;
  const pickMinutes = settings.pickWithinMinutes ?? dispatchDefaults.pickWithinMinutes;
  const dueBy = new Date(now.getTime() + pickMinutes * 60_000);
  if (type === 'pickup') return { dueBy, promisedBy: dueBy };
  const local = new TZDate(now.getTime(), timeZone);
  const [cutoffHour, cutoffMinute] = (settings.sameDayCutoff ?? dispatchDefaults.sameDayCutoff)
    .split(':')
    .map(Number) as [number, number];
  const beforeCutoff = local.getHours() * 60 + local.getMinutes() < cutoffHour * 60 + cutoffMinute;
  const dispatchDayOffset = beforeCutoff ? 0 : 1;
  const days = type === 'transfer' ? dispatchDayOffset + 1 : dispatchDayOffset;
  const endOfDay = new TZDate(
    local.getFullYear(),
    local.getMonth(),
    local.getDate() + days,
    23,
    59,
    59,
    999,
    timeZone,
  );
  return { dueBy, promisedBy: new Date(Math.max(endOfDay.getTime(), dueBy.getTime())) };
}
