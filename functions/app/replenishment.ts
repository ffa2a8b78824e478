import type { SFNClient } from '@aws-sdk/client-sfn';
import type { TableRef } from '../adapters/dynamodb/client';
import { listLocations, listStockedSkus } from '../adapters/dynamodb/locations';
import {
  checkReplenishment,
  claimReplenishment,
  replenishmentExecutionName,
} from '../adapters/dynamodb/replenishment';
import { startNamedExecution } from '../adapters/sfn/executions';
import type { Location } from '../contracts/schemas';
import { countMetric, logger } from '../shared/observability';

export interface ReplenishmentTrigger {
  readonly table: TableRef;
  readonly sfn: SFNClient;
  readonly procurementStateMachineArn: string;
}

export interface StockPosition {
  readonly sku: string;
  readonly locationId: string;
  /** The location, when the caller has read it already (its reorder settings apply to the SKU). */
  readonly location?: Location;
}

export type ReplenishmentOutcome = 'started' | 'open' | 'not-needed' | 'failed';

/**
 * Early warning: after stock fell at some (sku, location)s (a reservation, a cycle count), starts a
 * replenishment for each that is now below its reorder point with none OPEN.
 *
 * Order: start the execution first, then open the slot. The execution is named after the slot's next seq, so
 * racing or retried triggers that saw the same slot start one execution (the others get "already exists"),
 * and a trigger that sees a newer seq names a newer execution. Opening the slot is conditional on the
 * previous seq and not OPEN, and the execution's first task opens it too if the trigger died in between:
 * an OPEN slot therefore always has its execution, and nothing is stranded OPEN without one. A failed start
 * writes nothing; the next fall (or cycle count) retries.
 *
 * Never throws: the order path (or the cycle count) must not fail or wait because buying more stock could
 * not start. Failures are logged and counted (metric ReplenishmentTriggerFailed) for alarms.
 */
export async function replenishWhereLow(
  trigger: ReplenishmentTrigger,
  positions: readonly StockPosition[],
  context: { readonly actor: string; readonly now: Date },
): Promise<ReplenishmentOutcome[]> {
  const unique = [...new Map(positions.map((p) => [`${p.sku}\u0000${p.locationId}`, p])).values()];
  return Promise.all(unique.map((position) => replenishIfLow(trigger, position, context)));
}

async function replenishIfLow(
  trigger: ReplenishmentTrigger,
  { sku, locationId, location }: StockPosition,
  context: { readonly actor: string; readonly now: Date },
): Promise<ReplenishmentOutcome> {
  try {
    const check = await checkReplenishment(trigger.table, sku, locationId, location);
    if (check.kind !== 'due') return check.kind;
    const { demand, qty } = check;
    await startNamedExecution(
      trigger.sfn,
      trigger.procurementStateMachineArn,
      replenishmentExecutionName(demand),
      { demand },
    );
    const claim = await claimReplenishment(trigger.table, demand, {
      at: context.now.toISOString(),
      actor: context.actor,
      step: 'OpenReplenishment',
      reason: `${sku} at ${locationId} below its reorder point: about ${qty} to order`,
    });
    // Only the trigger that opened the slot counts it: a racing one may also see its start "succeed" (Step
    // Functions answers a repeated start of a running execution with the same input like the first one).
    if (claim === 'claimed') {
      countMetric('ReplenishmentStarted');
      logger.info('replenishment started', { sku, locationId, seq: demand.seq, qty });
    }
    return 'started';
  } catch (error) {
    countMetric('ReplenishmentTriggerFailed');
    logger.warn('replenishment could not start; the next stock change retries', {
      sku,
      locationId,
      error: error as Error,
    });
    return 'failed';
  }
}

/** Positions checked at once by the reconciler: bounded, so a large estate does not burst the table. */
const reconcileBatch = 25;

/**
 * The safety net behind the triggers: a start that failed (Step Functions unavailable) is otherwise only
 * retried by the next fall at that (sku, location), and a location already at zero sees no more falls.
 * Runs on a schedule and re-checks every stocked position; the trigger's own conditions keep it to at most
 * one open replenishment each, so running it again (or alongside the triggers) starts nothing twice.
 */
export async function reconcileReplenishment(
  trigger: ReplenishmentTrigger,
  context: { readonly actor: string; readonly now: Date },
): Promise<Record<ReplenishmentOutcome, number> & { checked: number }> {
  const positions: StockPosition[] = [];
  for (const location of await listLocations(trigger.table)) {
    for (const sku of await listStockedSkus(trigger.table, location.locationId))
      positions.push({ sku, locationId: location.locationId });
  }
  const counts = { checked: positions.length, started: 0, open: 0, 'not-needed': 0, failed: 0 };
  for (let start = 0; start < positions.length; start += reconcileBatch) {
    for (const outcome of await replenishWhereLow(
      trigger,
      positions.slice(start, start + reconcileBatch),
      context,
    ))
      counts[outcome] += 1;
  }
  return counts;
}
