/**
 * Procurement decisions (docs/procurement.md), pure: which supplier gets a purchase order,
 * how received goods are shared among waiting backorders, and what a supplier may confirm.
 */

export interface Need {
  readonly sku: string;
  readonly qty: number;
}

export interface SupplierOffer {
  readonly supplierId: string;
  readonly sku: string;
  /** Units the supplier's latest feed says it can deliver. */
  readonly available: number;
  readonly leadTimeDays: number;
  readonly unitCost?: number;
}

export interface SupplierChoice {
  readonly supplierId: string;
  /** What the purchase order asks this supplier for: each need capped at what it has. */
  readonly lines: Need[];
  readonly leadTimeDays: number;
  readonly cost: number;
}

/**
 * Chooses the supplier for a shortfall, skipping those already tried (they rejected or did not answer).
 * Order of preference: covers the most units (fewest follow-up purchase orders), then the shortest lead time
 * (the customer is waiting), then the lowest cost, then the supplier id (deterministic, so a retried task
 * picks the same one). A supplier without a cost in its feed ranks as the most expensive for equal cover.
 */
export function chooseSupplier(
  needs: readonly Need[],
  offers: readonly SupplierOffer[],
  tried: readonly string[],
): SupplierChoice | undefined {
  const bySupplier = new Map<string, SupplierOffer[]>();
  for (const offer of offers) {
    if (tried.includes(offer.supplierId)) continue;
    bySupplier.set(offer.supplierId, [...(bySupplier.get(offer.supplierId) ?? []), offer]);
  }
  const candidates: (SupplierChoice & { covered: number })[] = [];
  for (const [supplierId, supplierOffers] of bySupplier) {
    const lines: Need[] = [];
    let leadTimeDays = 0;
    let cost = 0;
    for (const need of needs) {
      const offer = supplierOffers.find((candidate) => candidate.sku === need.sku);
      const qty = Math.min(need.qty, Math.max(0, offer?.available ?? 0));
      if (!offer || qty <= 0) continue;
      lines.push({ sku: need.sku, qty });
      leadTimeDays = Math.max(leadTimeDays, offer.leadTimeDays);
      cost += qty * (offer.unitCost ?? Number.POSITIVE_INFINITY);
    }
    if (lines.length === 0) continue;
    const covered = lines.reduce((sum, line) => sum + line.qty, 0);
    candidates.push({ supplierId, lines, leadTimeDays, cost, covered });
  }
  candidates.sort(
    (a, b) =>
      b.covered - a.covered ||
      a.leadTimeDays - b.leadTimeDays ||
      compareCost(a.cost, b.cost) ||
      (a.supplierId < b.supplierId ? -1 : 1),
  );
  const best = candidates[0];
  if (!best) return undefined;
  return { supplierId: best.supplierId, lines: best.lines, leadTimeDays: best.leadTimeDays, cost: best.cost };
}

const compareCost = (a: number, b: number): number => (a === b ? 0 : a < b ? -1 : 1);

export interface WaitingBackorder {
  readonly orderId: string;
  readonly sku: string;
  /** Units still missing. */
  readonly outstanding: number;
  readonly createdAt: string;
}

/**
 * Shares `qty` received units of one SKU among waiting backorders, oldest first (FIFO by creation time,
 * order id breaking ties); what nobody waits for is returned as `rest` (it becomes available stock).
 */
export function allocateFifo(
  qty: number,
  waiting: readonly WaitingBackorder[],
): { allocations: { orderId: string; qty: number }[]; rest: number } {
  const queue = [...waiting]
    .filter((backorder) => backorder.outstanding > 0)
    .sort((a, b) =>
      a.createdAt === b.createdAt ? (a.orderId < b.orderId ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1,
    );
  const allocations: { orderId: string; qty: number }[] = [];
  let rest = qty;
  for (const backorder of queue) {
    if (rest <= 0) break;
    const share = Math.min(rest, backorder.outstanding);
    allocations.push({ orderId: backorder.orderId, qty: share });
    rest -= share;
  }
  return { allocations, rest };
}

export type LinesCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Confirmations and receipts may cover part of a purchase order but never more than its limit per SKU, nor
 * SKUs it does not contain: `limit` is what was ordered (confirm) or what is still outstanding (receipt).
 */
export function checkLinesWithin(
  lines: readonly Need[],
  limit: Readonly<Record<string, number>>,
): LinesCheck {
  const seen = new Set<string>();
  for (const line of lines) {
    if (seen.has(line.sku)) return { ok: false, reason: `${line.sku} is listed twice` };
    seen.add(line.sku);
    const allowed = limit[line.sku];
    if (allowed === undefined) return { ok: false, reason: `${line.sku} is not on this purchase order` };
    if (line.qty > allowed) return { ok: false, reason: `${line.sku}: ${line.qty} is more than ${allowed}` };
  }
  return { ok: true };
}
