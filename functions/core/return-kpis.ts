/**
 * The returns KPI (docs/returns.md): from counters kept per day (units delivered per SKU, units asked back per
 * SKU and reason, returns asked), what a period adds up to. Pure: the route sums the counters and asks this.
 *
 * The return rate of a SKU is the units asked back over the units delivered in the same period (they need
 * not be the same units: a return in March of a February delivery counts in March). Null before anything
 * of it was delivered in the period.
 */
export interface ReturnKpis {
  readonly returns: number;
  readonly unitsDelivered: number;
  readonly unitsReturned: number;
  readonly returnRate: number | null;
  readonly byReason: Readonly<Record<string, number>>;
  readonly bySku: readonly {
    readonly sku: string;
    readonly delivered: number;
    readonly returned: number;
    readonly returnRate: number | null;
    readonly byReason: Readonly<Record<string, number>>;
  }[];
}

const rate = (returned: number, delivered: number) =>
  delivered > 0 ? Math.round((returned / delivered) * 10_000) / 10_000 : null;

export function returnKpis(counters: Readonly<Record<string, number>>): ReturnKpis {
  const skus = new Map<string, { delivered: number; returned: number; byReason: Record<string, number> }>();
  const skuOf = (sku: string) => {
    const found = skus.get(sku) ?? { delivered: 0, returned: 0, byReason: {} };
    skus.set(sku, found);
    return found;
  };
  const byReason: Record<string, number> = {};
  for (const [name, value] of Object.entries(counters)) {
    const [kind, sku, reason] = name.split('|');
    if (kind === 'delivered' && sku) skuOf(sku).delivered += value;
    if (kind === 'returned' && sku && reason) {
      const entry = skuOf(sku);
      entry.returned += value;
      entry.byReason[reason] = (entry.byReason[reason] ?? 0) + value;
      byReason[reason] = (byReason[reason] ?? 0) + value;
    }
  }
  const bySku = [...skus.entries()]
    .map(([sku, entry]) => ({ sku, ...entry, returnRate: rate(entry.returned, entry.delivered) }))
    .sort((a, b) => b.returned - a.returned || a.sku.localeCompare(b.sku));
  const unitsDelivered = bySku.reduce((sum, entry) => sum + entry.delivered, 0);
  const unitsReturned = bySku.reduce((sum, entry) => sum + entry.returned, 0);
  return {
    returns: counters.returns ?? 0,
    unitsDelivered,
    unitsReturned,
    returnRate: rate(unitsReturned, unitsDelivered),
    byReason,
    bySku,
  };
}

/** What one committed change adds to the returns KPI counters, once (its subject names it). */
export interface KpiCount {
  /** Names the counted fact: counting it again is a no-op. */
  readonly subject: string;
  /** The UTC day it happened. */
  readonly day: string;
  readonly counters: Readonly<Record<string, number>>;
  /** Exact durations the counters only bucket (minutes to reserve, ship, deliver), for the metrics. */
  readonly measures?: Readonly<Record<string, number>>;
}

export interface ChangedItem {
  readonly [name: string]: unknown;
}

/**
 * The KPI counts a committed change says happened (the table's stream: before and after images): a customer
 * shipment newly DELIVERED or COLLECTED counts its units delivered per SKU; a new return counts its units asked
 * back per SKU and reason. Anything else counts nothing.
 */
export function kpiCountsOf(before: ChangedItem | undefined, after: ChangedItem | undefined): KpiCount[] {
  if (!after) return [];
  const lines = (value: unknown) =>
    Array.isArray(value) ? (value as { sku: string; qty: number; reason?: string }[]) : [];
  if (after.entity === 'return' && !before) {
    const counters: Record<string, number> = { returns: 1 };
    for (const line of lines(after.lines)) counters[`returned|${line.sku}|${line.reason}`] = line.qty;
    return [
      { subject: `${String(after.returnId)}.requested`, day: String(after.createdAt).slice(0, 10), counters },
    ];
  }
  const reached = after.status === 'DELIVERED' || after.status === 'COLLECTED';
  if (after.entity !== 'shipment' || after.type === 'transfer' || !reached || before?.status === after.status)
    return [];
  const counters: Record<string, number> = {};
  for (const line of [...lines(after.lines), ...lines(after.received)])
    counters[`delivered|${line.sku}`] = (counters[`delivered|${line.sku}`] ?? 0) + line.qty;
  return [
    { subject: `${String(after.shipmentId)}.reached`, day: String(after.updatedAt).slice(0, 10), counters },
  ];
}
