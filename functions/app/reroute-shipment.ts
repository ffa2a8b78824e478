import type { SFNClient } from '@aws-sdk/client-sfn';
import type { TableRef } from '../adapters/dynamodb/client';
import { isTransactionRace, transactWrite } from '../adapters/dynamodb/items';
import { loadOrderPartition, type OrderRecord, versionedOrderChange } from '../adapters/dynamodb/orders';
import { shipmentMove } from '../adapters/dynamodb/shipments';
import { startNamedExecution } from '../adapters/sfn/executions';
import { shipmentNotFoundErrorName, TransientError, WorkflowTaskError } from '../contracts/errors';
import { type DispatchStepAnswer, orderIdOfShipment } from '../contracts/shipments';
import { decideReroute } from '../core/reroute';
import { dispatchAnswer } from '../core/shipment-stage';
import { rejectOrder } from './reject-order';

export const rerouteStep = 'Reroute';
const actor = 'workflow:dispatch';
const attempts = 5;

export interface RerouteDeps {
  readonly table: TableRef;
  readonly sfn: SFNClient;
  readonly fulfilmentStateMachineArn: string;
  readonly maxReroutes: number;
}

/**
 * Re-routes the units a shipment could not ship (docs/dispatch.md): refused, timed out or picked short. In
 * one transaction the order takes the failed location into its exclusions, counts the re-route and goes
 * back to sourcing (BACKORDERED), the timeline says why, and the shipment records its round; then
 * fulfilment round n (`<orderId>-reroute-<n>`) sources the missing units anew: new shipments, a backorder
 * through procurement, or REJECTED. A round already waiting for a backorder takes these units too when it
 * resumes (fold): no second round runs beside it. Past the cap, or for an order that ended, nothing is re-sourced and the
 * timeline says so. Idempotent: a shipment that recorded its round only (re)starts that round's execution.
 */
export async function rerouteShipment(
  deps: RerouteDeps,
  input: { readonly shipmentId: string; readonly now: Date },
): Promise<DispatchStepAnswer> {
  const recorded = await recordReroute(deps, input);
  if (recorded.round) await startRound(deps, recorded.orderId, recorded.round);
  if (recorded.capped)
    await rejectOrder(deps, {
      orderId: recorded.orderId,
      step: `${rerouteStep}#${input.shipmentId}`,
      actor,
      reason: `re-route cap (${deps.maxReroutes}) reached`,
      now: input.now,
    });
  return recorded.answer;
}

/**
 * The table's side of a re-route (above): the decision written once, and the round to start (also when an
 * earlier run wrote it and crashed before starting it). Separate so the unit-conservation model drives the
 * rounds itself.
 */
export async function recordReroute(
  deps: Pick<RerouteDeps, 'table' | 'maxReroutes'>,
  input: { readonly shipmentId: string; readonly now: Date },
): Promise<{
  readonly orderId: string;
  readonly round?: number;
  /** The cap was reached now: what the shipment lacked is given up (rejectOrder decides how). */
  readonly capped?: boolean;
  readonly answer: DispatchStepAnswer;
}> {
  const orderId = orderIdOfShipment(input.shipmentId);
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const { order, shipments } = orderId
      ? await loadOrderPartition(deps.table, orderId)
      : { order: undefined, shipments: [] };
    const shipment = shipments.find((candidate) => candidate.shipmentId === input.shipmentId);
    if (!order || !shipment)
      throw new WorkflowTaskError(shipmentNotFoundErrorName, `shipment ${input.shipmentId} is gone`);
    const { rejection } = shipment;
    if (!rejection || rejection.reroutedAs !== undefined)
      return {
        orderId: order.orderId,
        ...(rejection?.reroutedAs ? { round: rejection.reroutedAs } : {}),
        ...(rejection?.capped ? { capped: true } : {}),
        answer: dispatchAnswer(shipment, input.now),
      };
    const decision = decideReroute({
      order,
      failedAt: shipment.locationId,
      shortfall: rejection.shortfall,
      reason: rejection.reason,
      maxReroutes: deps.maxReroutes,
    });
    const at = input.now.toISOString();
    const event = { at, actor, step: `${rerouteStep}#${shipment.shipmentId}` };
    const recorded = shipmentMove(
      deps.table,
      shipment,
      shipment.status,
      { ...event, reason: decision.reason },
      {
        rejection: {
          ...rejection,
          reroutedAs: decision.kind === 'skip' ? 0 : decision.round,
          ...(decision.event === 'REROUTE_CAPPED' ? { capped: true } : {}),
        },
      },
    );
    try {
      await transactWrite(deps.table, rerouteStep, [
        recorded.item,
        ...versionedOrderChange(deps.table, order, decision.orderChange, {
          ...event,
          event: decision.event,
          ...(decision.orderChange.status ? { status: decision.orderChange.status } : {}),
          reason: decision.reason,
        }),
      ]);
    } catch (error) {
      // The order or the shipment changed meanwhile (another re-route, a step, a cancellation): read again.
      if (!isTransactionRace(error)) throw error;
      continue;
    }
    return {
      orderId: order.orderId,
      ...(decision.kind === 'reroute' ? { round: decision.round } : {}),
      ...(decision.event === 'REROUTE_CAPPED' ? { capped: true } : {}),
      answer: dispatchAnswer(recorded.next, input.now),
    };
  }
  throw new TransientError(`re-routing ${input.shipmentId} kept racing`);
}

/** Starts fulfilment round n for the order: idempotent by its name. */
const startRound = (deps: RerouteDeps, orderId: OrderRecord['orderId'], round: number) =>
  startNamedExecution(deps.sfn, deps.fulfilmentStateMachineArn, `${orderId}-reroute-${round}`, {
    orderId,
    round,
  });
