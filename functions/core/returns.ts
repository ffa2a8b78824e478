/**
 * After-sales returns (issue 13, docs/returns.md): what a customer may still return, and what a received
 * return refunds. Pure: the return request and the refund step apply these to what they read.
 */
import type { RefundState, ReturnStatus, ReturnStepAnswer } from '../contracts/returns';
import { distanceKm } from './geo';

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
    | 'STORE_NOT_ACCEPTING'
    | 'EXCHANGE_NOT_PRICED'
    | 'TOO_MANY_RETURNS';
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
  /** Replacements asked for, and the SKUs the order paid a price for (absent: the order carries no prices). */
  readonly exchange?:
    | readonly { readonly sku: string; readonly unitPrice?: number | undefined }[]
    | undefined;
  readonly pricedSkus?: ReadonlySet<string>;
}): ReturnRefusal | undefined {
  // A priced order's replacement must have a price: its own, or what the order paid for that SKU.
  const unpriced = input.pricedSkus
    ? input.exchange?.findIndex((line) => line.unitPrice === undefined && !input.pricedSkus?.has(line.sku))
    : -1;
  if (unpriced !== undefined && unpriced >= 0)
    return {
      status: 422,
      code: 'EXCHANGE_NOT_PRICED',
      field: `exchange[${unpriced}].unitPrice`,
      reason: 'a replacement SKU not on the order needs its unitPrice',
    };
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

export type ReceiptRefusal = { readonly field: string; readonly reason: string };

/**
 * What staff found, per SKU asked back (docs/returns.md): every unit of the return accounted for as
 * resellable, damaged or missing, nothing that was not asked back, nothing beyond it. A SKU may be split
 * over several lines by condition.
 */
export function inspectReceipt(
  asked: readonly { readonly sku: string; readonly qty: number; readonly reason: ReturnReason }[],
  received: readonly { readonly sku: string; readonly qty: number; readonly condition: UnitCondition }[],
): { readonly inspected: InspectedLine[] } | { readonly refusal: ReceiptRefusal } {
  const counted = new Map<string, Record<UnitCondition, number>>();
  for (const [index, line] of received.entries()) {
    if (!asked.some((wanted) => wanted.sku === line.sku))
      return { refusal: { field: `lines[${index}].sku`, reason: `${line.sku} is not part of this return` } };
    const tally = counted.get(line.sku) ?? { resellable: 0, damaged: 0, missing: 0 };
    tally[line.condition] += line.qty;
    counted.set(line.sku, tally);
  }
  const inspected: InspectedLine[] = [];
  for (const wanted of asked) {
    const tally = counted.get(wanted.sku) ?? { resellable: 0, damaged: 0, missing: 0 };
    const total = tally.resellable + tally.damaged + tally.missing;
    if (total !== wanted.qty)
      return {
        refusal: {
          field: 'lines',
          reason: `${wanted.qty} × ${wanted.sku} were asked back and ${total} accounted for: give each unit's condition (missing for units that did not come)`,
        },
      };
    inspected.push({ sku: wanted.sku, reason: wanted.reason, ...tally });
  }
  return { inspected };
}

/**
 * The order's status once one of its returns moved on: RETURN_REQUESTED while any return is still open;
 * otherwise RETURNED when closed returns brought back every unit the customer had, PARTIALLY_RETURNED when
 * they brought back some, and the status the order had reached before (delivered or collected) when none did.
 */
export function orderStatusAfterReturns(input: {
  readonly returns: readonly {
    readonly status: string;
    readonly lines: readonly { readonly qty: number }[];
    /** What came back, as inspected: only resellable and damaged units count as returned (missing did not). */
    readonly inspected?: readonly { readonly resellable: number; readonly damaged: number }[] | undefined;
  }[];
  readonly deliveredQty: number;
  readonly reached: 'DELIVERED' | 'COLLECTED';
}): 'RETURN_REQUESTED' | 'PARTIALLY_RETURNED' | 'RETURNED' | 'DELIVERED' | 'COLLECTED' {
  const ended = ['CLOSED', 'EXPIRED', 'REJECTED'];
  if (input.returns.some((request) => !ended.includes(request.status))) return 'RETURN_REQUESTED';
  const returned = input.returns
    .filter((request) => request.status === 'CLOSED')
    .reduce(
      (sum, request) =>
        sum +
        (request.inspected
          ? request.inspected.reduce((units, line) => units + line.resellable + line.damaged, 0)
          : request.lines.reduce((units, line) => units + line.qty, 0)),
      0,
    );
  if (returned === 0) return input.reached;
  return returned >= input.deliveredQty ? 'RETURNED' : 'PARTIALLY_RETURNED';
}

/** The longest a wait parks before it times out and parks again (an answer lost after its write is found). */
export const maxWaitSeconds = 86_400;

/** How long the drop-off wait may park: until the deadline, at most a day, at least a second. */
export const dropOffWaitSeconds = (dropOffBy: string, now: Date): number =>
  Math.max(1, Math.min(maxWaitSeconds, Math.ceil((Date.parse(dropOffBy) - now.getTime()) / 1000)));

/**
 * How a returns step answers the workflow: the return's status, how long a wait for the goods may park (until
 * dropOffBy while REQUESTED, a day at a time while a courier has them), the refund state the refund wait
 * waits in while it is REFUND_PENDING, and whether a courier pickup is still to be booked.
 */
export function returnStepAnswer(
  record: {
    readonly status: ReturnStatus;
    readonly dropOffBy: string;
    readonly refundState?: RefundState | undefined;
    readonly method?: string | undefined;
    /** A courier pickup's booking so far: booked, or given up (the goods may still be brought to a store). */
    readonly pickup?:
      | { readonly deliveryId?: string | undefined; readonly failed?: string | undefined }
      | undefined;
  },
  now: Date,
): ReturnStepAnswer {
  const toBook =
    record.status === 'REQUESTED' &&
    record.method === 'courier_pickup' &&
    !record.pickup?.deliveryId &&
    !record.pickup?.failed;
  return {
    status: record.status,
    waitSeconds:
      record.status === 'REQUESTED'
        ? dropOffWaitSeconds(record.dropOffBy, now)
        : record.status === 'IN_TRANSIT'
          ? maxWaitSeconds
          : null,
    refund: record.status === 'REFUND_PENDING' ? (record.refundState ?? 'requested') : null,
    pickup: toBook ? 'book' : null,
  };
}

/**
 * Where a courier brings a return: the store the customer named, when it takes returns; else the nearest
 * location that takes returns (any store, unless it says otherwise, or a warehouse).
 */
export function pickupDestination(
  from: { readonly lat: number; readonly lng: number },
  locations: readonly {
    readonly locationId: string;
    readonly lat: number;
    readonly lng: number;
    readonly acceptsReturns?: boolean | undefined;
  }[],
  storeId?: string,
): string | undefined {
  const accepting = locations.filter((location) => location.acceptsReturns !== false);
  const named = accepting.find((location) => location.locationId === storeId);
  if (named) return named.locationId;
  return accepting
    .map((location) => ({ location, km: distanceKm(from, location) }))
    .sort((a, b) => a.km - b.km || (a.location.locationId < b.location.locationId ? -1 : 1))[0]?.location
    .locationId;
}
