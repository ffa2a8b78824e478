import type { SFNClient } from '@aws-sdk/client-sfn';
import type { TableRef } from '../adapters/dynamodb/client';
import { isTransactionRace, type TransactItem, transactWrite } from '../adapters/dynamodb/items';
import { loadOrderPartition, type OrderRecord, versionedOrderChange } from '../adapters/dynamodb/orders';
import { type ShipmentRecord, shipmentMove } from '../adapters/dynamodb/shipments';
import { sendTaskSuccess } from '../adapters/sfn/callbacks';
import { type ProblemCode, TransientError } from '../contracts/errors';
import { keys } from '../contracts/keys';
import { orderIdOfShipment, type ShipmentStatus } from '../contracts/shipments';
import { dispatchAnswer, followShipments, waitOf } from '../core/shipment-stage';

/** What a staff step makes of the shipment it acts on, read with its whole order. */
export type StepDecision =
  | {
      readonly kind: 'move';
      readonly to: ShipmentStatus;
      readonly fields?: Parameters<typeof shipmentMove>[4];
      readonly clears?: Parameters<typeof shipmentMove>[5];
      /** Writes of the same transaction: holds settled, stock back on a shelf, another shipment moved. */
      readonly writes?: readonly TransactItem[];
      readonly reason?: string;
      /** Other shipments, as written, whose workflows to wake (a transfer's arrival wakes its pickup). */
      readonly alsoWake?: readonly ShipmentRecord[];
    }
  /** The step is refused (422), after writing what the refusal itself changes (a wrong pickup code counts). */
  | {
      readonly kind: 'refuse';
      /** 422 for a wrong input, 409 when the shipment's state refuses it. */
      readonly status: 409 | 422;
      readonly code: ProblemCode;
      readonly reason: string;
      readonly field: string;
      readonly record?: { readonly fields: Parameters<typeof shipmentMove>[4]; readonly reason: string };
    }
  | { readonly kind: 'conflict'; readonly reason: string };

export interface ShipmentStepDefinition {
  /** The step's name on events and the timeline (`Picked`, `Packed`, …). */
  readonly name: string;
  /** The status it acts on: the one the shipment's workflow waits in. */
  readonly from: ShipmentStatus;
  /** Whose step it is: staff of the location it is picked at, or of a transfer's destination store. */
  readonly actsAt: (shipment: ShipmentRecord) => string | undefined;
  /** Whether the step already happened: calling it again answers what the shipment is now (a no-op). */
  readonly done: (shipment: ShipmentRecord) => boolean;
  readonly decide: (context: {
    readonly shipment: ShipmentRecord;
    readonly order: OrderRecord;
    readonly partition: Awaited<ReturnType<typeof loadOrderPartition>>;
    readonly at: string;
    readonly now: Date;
  }) => StepDecision | Promise<StepDecision>;
}

export type ShipmentStepResult =
  | { readonly kind: 'done'; readonly shipment: ShipmentRecord }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'forbidden'; readonly locationId: string }
  | { readonly kind: 'conflict'; readonly reason: string }
  | {
      readonly kind: 'refused';
      readonly status: 409 | 422;
      readonly code: ProblemCode;
      readonly reason: string;
      readonly field: string;
    };

export interface StepCaller {
  readonly shipmentId: string;
  readonly actor: string;
  /** The location the caller acts for (`*` for any). */
  readonly scope: string;
  readonly now: Date;
}

const attempts = 5;

/**
 * Runs one staff step of a shipment (docs/dispatch.md): reads the shipment with its order, checks the caller
 * works where the step happens, and writes the move, the step's own writes and the order's new stage in one
 * transaction conditioned on the versions read, so two staff members pressing at once move it once. Then it
 * answers the shipment's dispatch workflow, whose task token waits on the shipment. Calling it again after
 * the step happened writes nothing and answers the same; it also answers a token a crash left unanswered.
 */
export async function runShipmentStep(
  deps: { readonly table: TableRef; readonly sfn: SFNClient },
  step: ShipmentStepDefinition,
  caller: StepCaller,
): Promise<ShipmentStepResult> {
  const orderId = orderIdOfShipment(caller.shipmentId);
  if (!orderId) return { kind: 'not-found' };
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const partition = await loadOrderPartition(deps.table, orderId);
    const shipment = partition.shipments.find((candidate) => candidate.shipmentId === caller.shipmentId);
    if (!shipment || !partition.order) return { kind: 'not-found' };
    // Outsiders are refused first (403), whether or not the step applies to this kind of shipment.
    const locationId = step.actsAt(shipment);
    const involved = [shipment.locationId, shipment.destinationLocationId, locationId];
    if (caller.scope !== '*' && !involved.includes(caller.scope))
      return { kind: 'forbidden', locationId: locationId ?? shipment.locationId };
    if (!locationId) return { kind: 'conflict', reason: `${step.name} does not apply to a ${shipment.type}` };
    if (caller.scope !== '*' && caller.scope !== locationId) return { kind: 'forbidden', locationId };
    if (step.done(shipment)) {
      await wakeWorkflow(deps.sfn, shipment, caller.now);
      return { kind: 'done', shipment };
    }
    if (shipment.status !== step.from)
      return { kind: 'conflict', reason: `shipment ${shipment.shipmentId} is ${shipment.status}` };
    // An order cancelled or rejected stops its shipments next (cancel-shipments.ts): nothing moves meanwhile.
    if (partition.order.status === 'CANCELLED' || partition.order.status === 'REJECTED')
      return { kind: 'conflict', reason: `order ${partition.order.orderId} is ${partition.order.status}` };
    const at = caller.now.toISOString();
    const decision = await step.decide({ shipment, order: partition.order, partition, at, now: caller.now });
    if (decision.kind === 'conflict') return decision;
    const event = { at, actor: caller.actor, step: step.name };
    try {
      if (decision.kind === 'refuse') {
        if (decision.record) {
          const { item } = shipmentMove(
            deps.table,
            shipment,
            shipment.status,
            {
              ...event,
              reason: decision.record.reason,
            },
            decision.record.fields,
          );
          await transactWrite(deps.table, step.name, [item]);
        }
        const { status, code, reason, field } = decision;
        return { kind: 'refused', status, code, reason, field };
      }
      const move = shipmentMove(
        deps.table,
        shipment,
        decision.to,
        decision.reason ? { ...event, reason: decision.reason } : event,
        decision.fields,
        decision.clears,
      );
      const shipments = partition.shipments.map((s) => (s === shipment ? move.next : s));
      const stage = followShipments(partition.order.status, shipments);
      await transactWrite(deps.table, step.name, [
        move.item,
        ...(decision.writes ?? []),
        // The order as read, changed or not: a cancellation (it bumps the order's version) and a step never
        // both land, so nothing is handed over or collected for an order that is already cancelled.
        ...(stage
          ? versionedOrderChange(deps.table, partition.order, { status: stage }, { ...event, status: stage })
          : [orderUnchanged(deps.table, partition.order)]),
      ]);
      await wakeWorkflow(deps.sfn, move.next, caller.now);
      for (const other of decision.alsoWake ?? []) await wakeWorkflow(deps.sfn, other, caller.now);
      return { kind: 'done', shipment: move.next };
    } catch (error) {
      // The shipment, its order or a hold changed meanwhile (another step, a cancellation): read again.
      if (!isTransactionRace(error)) throw error;
    }
  }
  throw new TransientError(`${step.name} of ${caller.shipmentId} kept racing`);
}

const orderUnchanged = (table: TableRef, order: OrderRecord): TransactItem => ({
  ConditionCheck: {
    TableName: table.tableName,
    Key: keys.order(order.orderId),
    ConditionExpression: 'version = :version',
    ExpressionAttributeValues: { ':version': order.version },
  },
});

/**
 * Answers the shipment's workflow when its parked token waits in a status the shipment has left: the step
 * this call made, or one whose answer was lost (a crash, a throttled SendTaskSuccess after the commit), so
 * any later step or repeat delivers it. NextStep routes on the status it is told, so a late answer is as
 * good as a timely one. A token already answered is stale, and nothing happens.
 */
export async function wakeWorkflow(sfn: SFNClient, shipment: ShipmentRecord, now: Date): Promise<void> {
  if (shipment.taskToken && shipment.tokenStatus && shipment.tokenStatus !== waitOf(shipment))
    await sendTaskSuccess(sfn, shipment.taskToken, dispatchAnswer(shipment, now));
}
