import type { SFNClient } from '@aws-sdk/client-sfn';
import type { TableRef } from '../adapters/dynamodb/client';
import { getShipment, type ShipmentRecord } from '../adapters/dynamodb/shipments';
import { shipmentNotFoundErrorName, TransientError, WorkflowTaskError } from '../contracts/errors';
import type { DispatchStepAnswer, ShipmentStatus } from '../contracts/shipments';
import { dispatchAnswer } from '../core/shipment-stage';
import { backOnShelf } from './back-on-shelf';
import { runShipmentStep, type ShipmentStepDefinition } from './shipment-step';
import { rejection } from './staff-steps';

export const settleStep = 'SettleStep';
const actor = 'workflow:dispatch';

/**
 * A dispatch wait ended without an answer (docs/dispatch.md): it timed out, or it could not park because the
 * shipment had moved on. If a deadline passed while the shipment still waited, it is applied here: a pick not
 * done by dueBy is REJECTED as `timeout` (its units released, re-routed next); a parcel nobody collected by
 * pickupBy is NOT_COLLECTED, its units back on the store's shelf. Either way the answer is the shipment as
 * it now is. Idempotent: each move is conditioned on the shipment's version, and a repeat finds it moved.
 */
export async function settleDispatchWait(
  deps: { readonly table: TableRef; readonly sfn: SFNClient },
  input: {
    readonly shipmentId: string;
    readonly now: Date;
    /** The wait timed out in this status: its deadline passed, as the workflow timed it. */
    readonly timedOutIn?: ShipmentStatus;
  },
): Promise<DispatchStepAnswer> {
  const shipment = await getShipment(deps.table, input.shipmentId);
  if (!shipment)
    throw new WorkflowTaskError(shipmentNotFoundErrorName, `shipment ${input.shipmentId} is gone`);
  const step = deadlineStep(deps.table, shipment, input);
  if (!step) return dispatchAnswer(shipment, input.now);
  const result = await runShipmentStep(deps, step, {
    shipmentId: input.shipmentId,
    actor,
    scope: '*',
    now: input.now,
  });
  // A conflict is a step that got there first (staff picked just in time): answer what the shipment is.
  const settled = result.kind === 'done' ? result.shipment : await getShipment(deps.table, input.shipmentId);
  if (!settled)
    throw new WorkflowTaskError(shipmentNotFoundErrorName, `shipment ${input.shipmentId} is gone`);
  // Still waiting past its deadline, yet the deadline could not be applied (its units are being released by
  // a cancellation): retry with backoff, and fail here for ops if it lasts, rather than re-park every second.
  if (result.kind !== 'done' && settled.status === shipment.status)
    throw new TransientError(
      `the deadline of ${input.shipmentId} could not be applied: ${result.kind === 'conflict' ? result.reason : result.kind}`,
    );
  return dispatchAnswer(settled, input.now);
}

/** The step a passed deadline takes, if the shipment still waits for it. */
function deadlineStep(
  table: TableRef,
  shipment: ShipmentRecord,
  input: { readonly now: Date; readonly timedOutIn?: ShipmentStatus },
): ShipmentStepDefinition | undefined {
  // The workflow's timer is the deadline's clock (it was set from it); the wall clock covers a wait that
  // could not park, or was redriven after its deadline.
  const passed = (deadline: string | undefined) =>
    input.timedOutIn === shipment.status ||
    (deadline !== undefined && Date.parse(deadline) <= input.now.getTime());
  if (shipment.status === 'PICKING' && passed(shipment.dueBy))
    return {
      name: 'PickTimedOut',
      from: 'PICKING',
      actsAt: (current) => current.locationId,
      done: (current) => current.status !== 'PICKING',
      decide: ({ shipment: current, partition, at }) =>
        rejection(table, current, partition.holds, 'timeout', at),
    };
  if (shipment.status === 'READY_FOR_PICKUP' && passed(shipment.pickupBy))
    return {
      name: 'NotCollected',
      from: 'READY_FOR_PICKUP',
      actsAt: (current) => current.locationId,
      done: (current) => current.status !== 'READY_FOR_PICKUP',
      decide: ({ shipment: current, at }) => ({
        kind: 'move',
        to: 'NOT_COLLECTED',
        reason: `not collected by ${current.pickupBy}: back on the shelf at ${current.locationId}`,
        writes: backOnShelf(table, current, at),
      }),
    };
  return undefined;
}
