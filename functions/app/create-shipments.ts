import type { SFNClient } from '@aws-sdk/client-sfn';
import type { TableRef } from '../adapters/dynamodb/client';
import { isTransactionRace, type TransactItem, transactWrite } from '../adapters/dynamodb/items';
import { getLocations } from '../adapters/dynamodb/locations';
import {
  type HoldRecord,
  loadOrderPartition,
  type OrderRecord,
  versionedOrderChange,
} from '../adapters/dynamodb/orders';
import { type ShipmentRecord, shipmentPuts } from '../adapters/dynamodb/shipments';
import { startNamedExecution } from '../adapters/sfn/executions';
import {
  invalidStatusTransitionErrorName,
  orderNotFoundErrorName,
  TransientError,
  WorkflowTaskError,
} from '../contracts/errors';
import { keys } from '../contracts/keys';
import type { DispatchSettings } from '../contracts/shipments';
import { dispatchAnswer, orderStageOf } from '../core/shipment-stage';
import { type PlannedShipment, planShipments } from '../core/shipments';
import { joinPickup } from './join-pickup';
import { wakeWorkflow } from './shipment-step';

export const createShipmentsStep = 'CreateShipments';

/** What fulfilment's output shows of a shipment, and what its dispatch execution starts from. */
type CreatedShipment = Pick<ShipmentRecord, 'shipmentId' | 'type' | 'locationId' | 'status' | 'dueBy'> &
  Partial<Pick<ShipmentRecord, 'pickupBy' | 'rejection'>>;

export type CreateShipmentsResult =
  | {
      readonly outcome: 'DISPATCHING';
      readonly shipments: readonly CreatedShipment[];
    }
  /** Cancelled while fulfilment was on its way here: a modelled ending, nothing to dispatch. */
  | { readonly outcome: 'CANCELLED'; readonly shipments: readonly [] }
  /** A re-route's round overtaken by a later re-route, which ships its units with its own. */
  | { readonly outcome: 'SUPERSEDED'; readonly shipments: readonly [] }
  /** The holds expired before the shipments were written (the sweeper backordered the order): reserve again. */
  | { readonly outcome: 'BACKORDERED'; readonly shipments: readonly [] };

const attempts = 5;

/**
 * Turns a reserved order's held units into a round of shipments (docs/dispatch.md), in one transaction with
 * the order's move to its dispatch stage and the timeline entry: round 0 for the order's first fulfilment,
 * round n for the fulfilment its n-th re-route started (only units no live shipment carries yet; a pickup's
 * new transfers join the pickup shipment already waiting at the store). Idempotent: shipment ids are
 * deterministic, so a re-run (a retry, a redrive, a crash after the write) finds the round it wrote.
 */
export async function createShipments(
  table: TableRef,
  request: { readonly orderId: string; readonly round?: number; readonly actor: string; readonly now: Date },
): Promise<CreateShipmentsResult & { readonly wake?: readonly ShipmentRecord[] }> {
  const input = { ...request, round: request.round ?? 0 };
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const { order, holds, shipments } = await loadOrderPartition(table, input.orderId);
    if (!order) throw new WorkflowTaskError(orderNotFoundErrorName, `order ${input.orderId} does not exist`);
    // Cancelled first: a redrive after a cancellation ends Cancelled, even if its shipments were written.
    if (order.status === 'CANCELLED') return { outcome: 'CANCELLED', shipments: [] };
    const round = shipments.filter((shipment) =>
      shipment.shipmentId.startsWith(`${order.orderId}-${input.round}-`),
    );
    if (round.length > 0) return dispatching(round);
    // A later re-route took the order back to sourcing: its own round will ship these units too.
    if (order.status === 'BACKORDERED')
      return order.reroutes > input.round
        ? { outcome: 'SUPERSEDED', shipments: [] }
        : // No later round: this round's holds expired before it got here (a late redrive). Source again.
          { outcome: 'BACKORDERED', shipments: [] };
    if (order.status !== 'RESERVED')
      throw new WorkflowTaskError(
        invalidStatusTransitionErrorName,
        `order ${order.orderId} is ${order.status}`,
      );
    const live = shipments.filter((shipment) => !['REJECTED', 'CANCELLED'].includes(shipment.status));
    // Units no shipment carries yet: this round's (and a superseded round's) holds.
    const held = holds.filter((hold) => hold.status === 'HELD' && !hold.shipmentId);
    // Reserved without a held unit: a cancellation is releasing them (the order changes next). Retry.
    if (held.length === 0 && input.round === 0) {
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      continue;
    }
    const pickup = live.find((shipment) => shipment.type === 'pickup');
    const plan = planShipments({
      orderId: order.orderId,
      fulfilment: fulfilmentOf(order),
      route: input.round,
      allocations: held.map(({ sku, qty, locationId }) => ({ sku, qty, locationId })),
      settings: await settingsOf(table, [...held.map((hold) => hold.locationId), ...pickupStore(order)]),
      now: input.now,
      ...(pickup ? { existingPickup: pickup.shipmentId } : {}),
    });
    const at = input.now.toISOString();
    const context = { at, actor: input.actor, step: roundStep(input.round) };
    // A pickup already waiting at the store takes this round's store units and transfers (join-pickup.ts).
    const joined = pickup
      ? await joinPickup(table, { pickup, plan, shipments, context, now: input.now })
      : undefined;
    const planned = joined?.planned ?? plan;
    const stage = orderStageOf([...live, ...planned.map(asCreated)]) ?? 'PICKING';
    try {
      await transactWrite(table, 'createShipments', [
        ...shipmentPuts(table, order.orderId, planned, context),
        ...(joined?.items ?? []),
        ...versionedOrderChange(table, order, { status: stage }, { ...context, status: stage }),
        // The units must still be held as read (a cancellation releases holds before it changes the order),
        // and from now on the pick promise governs them: they leave the expiry sweeper's index.
        ...held.map((hold) =>
          shippedHold(table, hold, carrierOf([...planned, ...(joined?.carriers ?? [])], hold)),
        ),
      ]);
      return {
        ...dispatching(planned.map(asCreated)),
        ...(joined?.released ? { wake: [joined.released] } : {}),
      };
    } catch (error) {
      // Another run wrote first (its shipments are read next time round), or the order changed meanwhile.
      if (!isTransactionRace(error)) throw error;
    }
  }
  throw new TransientError(`creating the shipments of ${input.orderId} kept racing`);
}

/** The step on the timeline: the first round is CreateShipments, a re-route's `CreateShipments#<n>`. */
const roundStep = (round: number) => (round === 0 ? createShipmentsStep : `${createShipmentsStep}#${round}`);

/** The planned shipment that carries a hold's units: the one picked at its location with its SKU. */
function carrierOf(
  planned: readonly Pick<PlannedShipment, 'shipmentId' | 'locationId' | 'lines'>[],
  hold: HoldRecord,
): string {
  const carrier = planned.find(
    (shipment) =>
      shipment.locationId === hold.locationId && shipment.lines.some((line) => line.sku === hold.sku),
  );
  if (!carrier) throw new Error(`no planned shipment carries ${hold.sku} held at ${hold.locationId}`);
  return carrier.shipmentId;
}

const pickupStore = (order: OrderRecord): string[] =>
  order.fulfilment.type === 'pickup' ? [order.fulfilment.storeId] : [];

const fulfilmentOf = (order: OrderRecord) =>
  order.fulfilment.type === 'pickup'
    ? { type: order.fulfilment.type, storeId: order.fulfilment.storeId }
    : { type: order.fulfilment.type };

async function settingsOf(table: TableRef, locationIds: readonly string[]) {
  const settings: Record<string, DispatchSettings> = {};
  for (const location of await getLocations(table, locationIds)) settings[location.locationId] = location;
  return settings;
}

const asCreated = (planned: PlannedShipment) => ({
  shipmentId: planned.shipmentId,
  type: planned.type,
  locationId: planned.locationId,
  status: planned.awaits.length > 0 ? ('AWAITING_TRANSFER' as const) : ('PICKING' as const),
  dueBy: planned.dueBy,
});

const dispatching = (shipments: readonly CreatedShipment[]): CreateShipmentsResult => ({
  outcome: 'DISPATCHING',
  // A re-run finds shipments staff may have moved on: their execution starts from where they are.
  shipments: shipments.map(({ shipmentId, type, locationId, status, dueBy, pickupBy, rejection }) => ({
    shipmentId,
    type,
    locationId,
    status,
    dueBy,
    ...(pickupBy ? { pickupBy } : {}),
    ...(rejection ? { rejection } : {}),
  })),
});

/**
 * Creates the shipments (above), then starts each one's dispatch workflow execution, named after it
 * (docs/dispatch.md). Starting is idempotent: an execution of that name already there is the one a previous
 * run started, so a retry or redrive after a crash between the two starts only the missing ones.
 */
export async function createShipmentsAndDispatch(
  deps: { readonly table: TableRef; readonly sfn: SFNClient; readonly dispatchStateMachineArn: string },
  input: { readonly orderId: string; readonly round: number; readonly actor: string; readonly now: Date },
): Promise<CreateShipmentsResult> {
  const { wake, ...result } = await createShipments(deps.table, input);
  for (const shipment of wake ?? []) await wakeWorkflow(deps.sfn, shipment, input.now);
  for (const shipment of result.shipments)
    await startNamedExecution(deps.sfn, deps.dispatchStateMachineArn, shipment.shipmentId, {
      shipmentId: shipment.shipmentId,
      orderId: input.orderId,
      step: dispatchAnswer(shipment, input.now),
    });
  return result;
}

/**
 * A hold a shipment now carries, marked with it: still HELD at the quantity read and carried by no other
 * (releasing or committing it changes one or the other), and off the expiry index, so the sweeper never releases units staff are about to pick (a pick
 * not done in time is the dispatch workflow's timeout, which re-routes them).
 */
const shippedHold = (table: TableRef, hold: HoldRecord, shipmentId: string): TransactItem => ({
  Update: {
    TableName: table.tableName,
    Key: keys.hold(hold.orderId, hold.sku, hold.locationId, hold.round),
    UpdateExpression: 'SET shipmentId = :shipment REMOVE gsi1pk, gsi1sk',
    ConditionExpression: '#status = :held AND qty = :qty AND attribute_not_exists(shipmentId)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':held': 'HELD', ':qty': hold.qty, ':shipment': shipmentId },
  },
});
