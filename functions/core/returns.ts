/**
 * After-sales returns (issue 13, docs/returns.md): what a customer may still return, and what a received
 * return refunds. Pure: the return request and the refund step apply these to what they read.
 */

export const returnReasons = [
  'damaged',
  'wrong_item',
  'not_as_described',
  'no_longer_needed',
  'other',
] as const;
export type ReturnReason = (typeof returnReasons)[number];

/** Reasons that are the seller's fault: a unit that comes back damaged is refunded all the same. */
const sellerFault: ReadonlySet<ReturnReason> = new Set(['damaged', 'wrong_item', 'not_as_described']);

/** Days a customer has to ask for a return, from delivery or collection, unless the SKU says otherwise. */
export const defaultReturnWindowDays = 30;

export interface SkuReturnPolicy {
  readonly returnable: boolean;
  readonly returnWindowDays?: number | undefined;
}

/** Units of a SKU the customer has: how many, and when the last of them reached them. */
export interface DeliveredUnits {
  readonly qty: number;
  readonly at: string;
}

export type ReturnRefusal = {
  readonly status: 409 | 422;
  readonly code:
    | 'NOTHING_DELIVERED'
    | 'WINDOW_CLOSED'
    | 'NOT_RETURNABLE'
    | 'QTY_EXCEEDS_DELIVERED'
    | 'STORE_NOT_ACCEPTING';
  readonly field: string;
  readonly reason: string;
};

/**
 * Whether the requested lines may be returned: something must have reached the customer (else 409); each
 * SKU must be returnable, within its window from when it reached them, and at most what they have less what
 * other returns of the order already ask for (so two requests never return a unit twice).
 */
export function refuseReturn(input: {
  readonly lines: readonly { readonly sku: string; readonly qty: number }[];
  readonly delivered: ReadonlyMap<string, DeliveredUnits>;
  readonly requestedBefore: ReadonlyMap<string, number>;
  readonly policies: ReadonlyMap<string, SkuReturnPolicy>;
  readonly now: Date;
  /** The store the customer means to bring it to, as found (null: no such location), if they named one. */
  readonly dropOffStore?: { readonly type: string; readonly acceptsReturns?: boolean | undefined } | null;
}): ReturnRefusal | undefined {
  const store = input.dropOffStore;
  if (store === null || (store && (store.type !== 'store' || store.acceptsReturns === false)))
    return {
      status: 422,
      code: 'STORE_NOT_ACCEPTING',
      field: 'storeId',
      reason: 'that location does not take returns',
    };
  if (input.delivered.size === 0)
    return {
      status: 409,
      code: 'NOTHING_DELIVERED',
      field: 'lines',
      reason: 'nothing of this order has been delivered or collected yet',
    };
  for (const [index, line] of input.lines.entries()) {
    const field = `lines[${index}]`;
    const units = input.delivered.get(line.sku);
    const policy = input.policies.get(line.sku) ?? { returnable: true };
    if (units && !policy.returnable)
      return {
        status: 422,
        code: 'NOT_RETURNABLE',
        field: `${field}.sku`,
        reason: `${line.sku} cannot be returned`,
      };
    const days = policy.returnWindowDays ?? defaultReturnWindowDays;
    if (units && Date.parse(units.at) + days * 86_400_000 < input.now.getTime())
      return {
        status: 422,
        code: 'WINDOW_CLOSED',
        field: `${field}.sku`,
        reason: `the ${days}-day return window of ${line.sku} has closed`,
      };
    const left = (units?.qty ?? 0) - (input.requestedBefore.get(line.sku) ?? 0);
    if (line.qty > left)
      return {
        status: 422,
        code: 'QTY_EXCEEDS_DELIVERED',
        field: `${field}.qty`,
        reason: `${line.qty} × ${line.sku} asked, ${Math.max(0, left)} left to return`,
      };
  }
  return undefined;
}

export type UnitCondition = 'resellable' | 'damaged' | 'missing';

export interface InspectedLine {
  readonly sku: string;
  readonly reason: ReturnReason;
  readonly resellable: number;
  readonly damaged: number;
  readonly missing: number;
}

/**
 * The refund a received return earns: every resellable unit, and damaged units returned for the seller's
 * fault, at the price the customer paid; missing units and damaged ones returned for their own reasons earn
 * nothing. An exchange nets out the replacement's price (never below zero: a dearer replacement is the
 * channel's to charge). Unpriced lines refund nothing by amount.
 */
export function refundFor(
  lines: readonly InspectedLine[],
  prices: ReadonlyMap<string, number>,
  replacementTotal = 0,
): { readonly amount: number; readonly lines: readonly { sku: string; qty: number; amount: number }[] } {
  const refunded = lines.map((line) => {
    const qty = line.resellable + (sellerFault.has(line.reason) ? line.damaged : 0);
    return { sku: line.sku, qty, amount: qty * (prices.get(line.sku) ?? 0) };
  });
  const gross = refunded.reduce((sum, line) => sum + line.amount, 0);
  return { amount: Math.max(0, gross - replacementTotal), lines: refunded };
}

/**
 * What the customer has of each SKU: the units of every customer shipment delivered or collected (a
 * pickup's own lines and what its transfers brought), and when the last of them reached them.
 */
export function deliveredUnits(
  shipments: readonly {
    readonly type: string;
    readonly status: string;
    readonly lines: readonly { readonly sku: string; readonly qty: number }[];
    readonly received?: readonly { readonly sku: string; readonly qty: number }[] | undefined;
    readonly events: readonly { readonly at: string; readonly status: string }[];
  }[],
): Map<string, DeliveredUnits> {
  const units = new Map<string, DeliveredUnits>();
  for (const shipment of shipments) {
    if (shipment.type === 'transfer' || (shipment.status !== 'DELIVERED' && shipment.status !== 'COLLECTED'))
      continue;
    const at = shipment.events.findLast((event) => event.status === shipment.status)?.at ?? '';
    for (const line of [...shipment.lines, ...(shipment.received ?? [])]) {
      const before = units.get(line.sku);
      units.set(line.sku, {
        qty: (before?.qty ?? 0) + line.qty,
        at: before && before.at > at ? before.at : at,
      });
    }
  }
  return units;
}

/** Units of each SKU the order's returns already ask back, lapsed returns (expired, rejected) left out. */
export function unitsAskedBack(
  returns: readonly {
    readonly status: string;
    readonly lines: readonly { readonly sku: string; readonly qty: number }[];
  }[],
  lapsed: readonly string[],
): Map<string, number> {
  const asked = new Map<string, number>();
  for (const request of returns.filter((candidate) => !lapsed.includes(candidate.status)))
    for (const line of request.lines) asked.set(line.sku, (asked.get(line.sku) ?? 0) + line.qty);
  return asked;
}
