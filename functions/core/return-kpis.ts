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
