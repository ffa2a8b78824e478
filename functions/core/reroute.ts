import type { OrderStatus } from '../contracts/schemas';
import { isDispatching } from './order-status';

export interface RerouteInput {
  readonly order: {
    readonly status: OrderStatus;
    readonly reroutes: number;
    readonly excludedLocations: readonly string[];
  };
  /** Where the shipment failed: never sourced from again for this order. */
  readonly failedAt: string;
  readonly shortfall: readonly { readonly sku: string; readonly qty: number }[];
  /** Why (out_of_stock, timeout, short_pick, …). */
  readonly reason: string;
  readonly maxReroutes: number;
}

export interface RerouteDecision {
  /**
   * reroute: fulfilment round `round` sources the shortfall; fold: the round already sourcing takes it;
   * skip: it is given up (cap, or the order ended).
   */
  readonly kind: 'reroute' | 'fold' | 'skip';
  readonly round: number;
  readonly orderChange: {
    readonly excludedLocations: string[];
    readonly reroutes?: number;
    readonly status?: OrderStatus;
  };
  readonly event: 'REROUTED' | 'REROUTE_CAPPED' | 'REROUTE_SKIPPED';
  readonly reason: string;
}

/**
 * What to do with units a shipment could not ship (docs/dispatch.md). Re-route them: the order counts the
 * re-route, excludes the location, and goes back to sourcing (BACKORDERED) unless it is already there. At
 * the cap they are given up (the caller then rejects the order, or lets its other shipments go on). An
 * order that ended is left as it is.
 */
export function decideReroute(input: RerouteInput): RerouteDecision {
  const { order, maxReroutes } = input;
  const units = input.shortfall.map((line) => `${line.qty} × ${line.sku}`).join(', ');
  const excludedLocations = [...new Set([...order.excludedLocations, input.failedAt])];
  const why = `${input.reason} at ${input.failedAt}: ${units}`;
  if (!isDispatching(order.status) && !['ACCEPTED', 'RESERVED', 'BACKORDERED'].includes(order.status))
    return {
      kind: 'skip',
      round: 0,
      orderChange: { excludedLocations },
      event: 'REROUTE_SKIPPED',
      reason: `${why}; not re-routed: the order is ${order.status}`,
    };
  // At the cap the units are given up as when nothing can serve them (app/reject-order.ts decides how).
  if (order.reroutes >= maxReroutes) {
    return {
      kind: 'skip',
      round: 0,
      orderChange: { excludedLocations },
      event: 'REROUTE_CAPPED',
      reason: `${why}; not re-routed: ${maxReroutes} re-routes is this order's cap`,
    };
  }
  // A round is already sourcing and waits for a backorder: it reserves everything still missing when it
  // resumes (these units too, never from this location), so no second round runs beside it.
  if (order.status === 'BACKORDERED' && order.reroutes > 0)
    return {
      kind: 'fold',
      round: order.reroutes,
      orderChange: { excludedLocations },
      event: 'REROUTED',
      reason: `${why}; folded into re-route ${order.reroutes}, which is sourcing already`,
    };
  const round = order.reroutes + 1;
  const back = isDispatching(order.status) || order.status === 'RESERVED';
  return {
    kind: 'reroute',
    round,
    orderChange: { excludedLocations, reroutes: round, ...(back ? { status: 'BACKORDERED' as const } : {}) },
    event: 'REROUTED',
    reason: `${why}; re-sourced elsewhere (re-route ${round} of at most ${maxReroutes})`,
  };
}
