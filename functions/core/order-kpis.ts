import type { ChangedItem, KpiCount } from './return-kpis';

/**
 * The order KPIs (docs/operations.md, "KPIs"), counted per UTC day from the table's stream like the returns
 * KPI, and what a period adds up to. Each definition is on the console's page beside its number:
 * - orders by status: orders that reached each status in the period;
 * - fill rate: units held at the order's first sourcing attempt over the units it asked for, over the orders
 *   whose first attempt has ended (an order still being sourced counts on neither side);
 * - backorder rate: orders backordered at least once over orders placed;
 * - time to reserve / ship / deliver: from acceptance to RESERVED, to IN_TRANSIT or READY_FOR_PICKUP, to
 *   DELIVERED or COLLECTED; p50 and p95 from a histogram (each figure is the bucket's upper bound);
 * - on-time rate: customer shipments delivered or collected by their promisedBy over all that were;
 * - re-routes per 100 orders.
 */

/** Histogram bucket upper bounds, in minutes; the last one holds everything longer. */
export const durationBuckets = [
  1,
  2,
  5,
  10,
  15,
  30,
  60,
  120,
  240,
  480,
  1440,
  2880,
  10_080,
  Number.POSITIVE_INFINITY,
];

const bucketOf = (minutes: number) =>
  durationBuckets.find((bound) => minutes <= bound) ?? Number.POSITIVE_INFINITY;
const bucketName = (bound: number) => (Number.isFinite(bound) ? String(bound) : 'more');

const milestones = {
  reserve: ['RESERVED'],
  ship: ['IN_TRANSIT', 'READY_FOR_PICKUP'],
  deliver: ['DELIVERED', 'COLLECTED'],
} as const;
export type Milestone = keyof typeof milestones;

type Line = { sku: string; qty: number };
const units = (value: unknown) =>
  Array.isArray(value) ? (value as Line[]).reduce((sum, line) => sum + (Number(line.qty) || 0), 0) : 0;
const minutesBetween = (from: unknown, to: unknown) =>
  (Date.parse(String(to)) - Date.parse(String(from))) / 60_000;

/** The order KPI counts a committed change to an order or a shipment says happened, each named once. */
export function orderKpiCountsOf(
  before: ChangedItem | undefined,
  after: ChangedItem | undefined,
): KpiCount[] {
  if (after?.entity === 'shipment') return shipmentCounts(before, after);
  if (after?.entity !== 'order') return [];
  const orderId = String(after.orderId);
  const day = String(after.updatedAt ?? after.createdAt).slice(0, 10);
  const counts: KpiCount[] = [];
  if (!before)
    counts.push({
      subject: `${orderId}.placed`,
      day: String(after.createdAt).slice(0, 10),
      counters: { orders: 1, unitsOrdered: units(after.lines) },
    });
  const status = String(after.status);
  if (before && before.status !== status) {
    const counters: Record<string, number> = { [`reached|${status}`]: 1 };
    // The first sourcing attempt ends when the order leaves ACCEPTED: what it holds then was filled at once.
    // A cancellation or rejection before any sourcing is not an attempt: it counts on neither side.
    if (before.status === 'ACCEPTED' && (status === 'RESERVED' || status === 'BACKORDERED')) {
      counters.unitsFilledFirst = units(after.allocations);
      counters.unitsAttempted = units(after.lines);
    }
    if (status === 'BACKORDERED') counters.backordered = 1;
    const measures: Record<string, number> = {};
    for (const [milestone, statuses] of Object.entries(milestones))
      if ((statuses as readonly string[]).includes(status)) {
        const minutes = minutesBetween(after.createdAt, after.updatedAt);
        counters[`${milestone}|${bucketName(bucketOf(minutes))}`] = 1;
        measures[milestone] = minutes;
      }
    const measured = Object.keys(measures).length > 0 ? { measures } : {};
    counts.push({ subject: `${orderId}.${status}`, day, counters, ...measured });
  }
  const reroutes = Number(after.reroutes ?? 0);
  if (before && reroutes > Number(before.reroutes ?? 0))
    counts.push({ subject: `${orderId}.reroute.${reroutes}`, day, counters: { reroutes: 1 } });
  return counts;
}

function shipmentCounts(before: ChangedItem | undefined, after: ChangedItem): KpiCount[] {
  const reached = after.status === 'DELIVERED' || after.status === 'COLLECTED';
  if (after.type === 'transfer' || !reached || before?.status === after.status) return [];
  const onTime = Date.parse(String(after.updatedAt)) <= Date.parse(String(after.promisedBy)) ? 1 : 0;
  return [
    {
      subject: `${String(after.shipmentId)}.promise`,
      day: String(after.updatedAt).slice(0, 10),
      counters: { shipmentsReached: 1, onTime },
    },
  ];
}

export interface DurationPercentiles {
  readonly count: number;
  /** Minutes (a bucket's upper bound); null with nothing counted, or past the last bound. */
  readonly p50: number | null;
  readonly p95: number | null;
}

export interface OrderKpis {
  readonly orders: number;
  readonly byStatus: Readonly<Record<string, number>>;
  readonly fillRate: number | null;
  readonly backorderRate: number | null;
  readonly time: Readonly<Record<Milestone, DurationPercentiles>>;
  readonly onTimeRate: number | null;
  readonly reroutesPer100: number | null;
}

const ratio = (part: number, whole: number, scale = 1) =>
  whole > 0 ? Math.round((part / whole) * scale * 10_000) / 10_000 : null;

function percentiles(counters: Readonly<Record<string, number>>, milestone: Milestone): DurationPercentiles {
  const counts = durationBuckets.map((bound) => counters[`${milestone}|${bucketName(bound)}`] ?? 0);
  const count = counts.reduce((sum, value) => sum + value, 0);
  let seen = 0;
  const cumulative = counts.map((value) => {
    seen += value;
    return seen;
  });
  // The first bucket whose running count reaches the share; past the last finite bound there is no figure.
  const at = (share: number) => {
    const bound = durationBuckets[cumulative.findIndex((running) => running >= share * count)] as number;
    return Number.isFinite(bound) ? bound : null;
  };
  return { count, p50: count > 0 ? at(0.5) : null, p95: count > 0 ? at(0.95) : null };
}

export function orderKpis(counters: Readonly<Record<string, number>>): OrderKpis {
  const orders = counters.orders ?? 0;
  const byStatus = Object.fromEntries(
    Object.entries(counters)
      .filter(([name]) => name.startsWith('reached|'))
      .map(([name, value]) => [name.slice('reached|'.length), value]),
  );
  return {
    orders,
    byStatus,
    fillRate: ratio(counters.unitsFilledFirst ?? 0, counters.unitsAttempted ?? 0),
    backorderRate: ratio(counters.backordered ?? 0, orders),
    time: {
      reserve: percentiles(counters, 'reserve'),
      ship: percentiles(counters, 'ship'),
      deliver: percentiles(counters, 'deliver'),
    },
    onTimeRate: ratio(counters.onTime ?? 0, counters.shipmentsReached ?? 0),
    reroutesPer100: ratio(counters.reroutes ?? 0, orders, 100),
  };
}
