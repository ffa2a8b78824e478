import { SFNClient } from '@aws-sdk/client-sfn';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TableRef } from '../../functions/adapters/dynamodb/client';
import { loadOrderPartition } from '../../functions/adapters/dynamodb/orders';
import { reserveOrder } from '../../functions/adapters/dynamodb/reservations';
import type { ShipmentRecord } from '../../functions/adapters/dynamodb/shipments';
import { getStock } from '../../functions/adapters/dynamodb/stock';
import { cancelOrder } from '../../functions/app/cancel-order';
import { collectStep, receiveStep } from '../../functions/app/counter-steps';
import { createShipments } from '../../functions/app/create-shipments';
import { packedAtOf, pickupCodeFor } from '../../functions/app/pickup-codes';
import { rejectOrder } from '../../functions/app/reject-order';
import { recordReroute } from '../../functions/app/reroute-shipment';
import { settleDispatchWait } from '../../functions/app/settle-dispatch-wait';
import { runShipmentStep, type ShipmentStepDefinition } from '../../functions/app/shipment-step';
import { handoverStep, packStep, pickStep, rejectStep } from '../../functions/app/staff-steps';
import { rejectReasons, type ShipmentStatus } from '../../functions/contracts/shipments';
import { localCredentials, localRegion } from '../../local/emulators/protocol/identity';
import { createTestTable } from '../support/dynamodb';
import { deliveryTo, now, placeOrder, seedStock, store, warehouse } from './fixtures';

/**
 * Unit conservation under dispatch (docs/dispatch.md), as a model-based property on DynamoDB Local: random
 * interleavings of full picks, short picks, refusals, pick timeouts, packing, hand-overs, transfer arrivals,
 * collections, parcels not collected, cancellations and re-routes (each re-route's fulfilment round is run
 * here, as the workflow would; past the cap the units are given up or the order rejected) never lose or
 * duplicate a unit. After every step:
 *
 *   Σ onHand over locations + units in transit (picked, not yet gone) + units gone to customers
 *     + units written off = what was on the shelves at the start
 *
 * and each location's `reserved` is what the order still holds there, with `available = onHand − reserved`.
 * No workflow runs, so no task token is ever parked and the steps never call Step Functions.
 */
const locations = { 'DM-WH': warehouse, 'DM-S1': { ...store, acceptsTransfers: true }, 'DM-S2': store };
type LocationId = keyof typeof locations;
const locationIds = Object.keys(locations) as LocationId[];
let table: TableRef;
let runs = 0;
const sfn = new SFNClient({
  endpoint: 'http://127.0.0.1:9',
  region: localRegion,
  credentials: localCredentials,
});
const deps = () => ({ table, sfn });

beforeAll(async () => {
  const created = await createTestTable();
  table = { document: created.document, tableName: created.tableName };
  await seedStock(
    table,
    Object.fromEntries(locationIds.map((id) => [id, { location: locations[id], skus: {} }])),
  );
});

const ops = [
  'pick',
  'short',
  'reject',
  'timeout',
  'pack',
  'handover',
  'receive',
  'collect',
  'notCollected',
  'cancel',
  'reroute',
] as const;
type Op = { readonly kind: (typeof ops)[number]; readonly which: number; readonly qty: number };
const opArbitrary: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom(...ops),
  which: fc.nat({ max: 7 }),
  qty: fc.nat({ max: 7 }),
});

/** Where each op applies: the shipments in that status (and type). */
const appliesTo: Record<Op['kind'], (s: ShipmentRecord) => boolean> = {
  pick: (s) => s.status === 'PICKING',
  short: (s) => s.status === 'PICKING',
  reject: (s) => s.status === 'PICKING',
  timeout: (s) => s.status === 'PICKING',
  pack: (s) => s.status === 'PACKING',
  handover: (s) => s.status === 'PACKED',
  receive: (s) => s.status === 'IN_TRANSFER',
  collect: (s) => s.status === 'READY_FOR_PICKUP',
  notCollected: (s) => s.status === 'READY_FOR_PICKUP',
  cancel: () => true,
  reroute: (s) => s.rejection !== undefined && s.rejection.reroutedAs === undefined,
};

async function step(definition: ShipmentStepDefinition, shipment: ShipmentRecord) {
  return runShipmentStep(deps(), definition, {
    shipmentId: shipment.shipmentId,
    actor: 'model',
    scope: '*',
    now,
  });
}

/** Runs one op on the shipment it picks, if any applies; returns what it did, for the failure report. */
async function apply(orderId: string, op: Op): Promise<string> {
  const { shipments } = await loadOrderPartition(table, orderId);
  const candidates = shipments.filter(appliesTo[op.kind]);
  const shipment = candidates[op.which % Math.max(1, candidates.length)];
  if (op.kind === 'cancel') {
    await cancelOrder(table, { orderId, actor: 'model', now });
    return 'cancel';
  }
  if (!shipment) return `${op.kind}: nothing to do`;
  const timedOut = (status: ShipmentStatus) =>
    settleDispatchWait(deps(), { shipmentId: shipment.shipmentId, now, timedOutIn: status });
  switch (op.kind) {
    case 'pick':
      await step(pickStep(table, { lines: shipment.lines }), shipment);
      break;
    case 'short':
      await step(
        pickStep(table, { lines: shipment.lines.map((line) => ({ sku: line.sku, qty: op.qty % line.qty })) }),
        shipment,
      );
      break;
    case 'reject':
      await step(rejectStep(table, rejectReasons[op.qty % rejectReasons.length] ?? 'other'), shipment);
      break;
    case 'timeout':
      await timedOut('PICKING');
      break;
    case 'pack':
      await step(packStep(table, { parcels: [{ weightGrams: 100 }] }), shipment);
      break;
    case 'handover':
      await step(handoverStep(table, { carrier: 'model' }), shipment);
      break;
    case 'receive':
      await step(receiveStep(table), shipment);
      break;
    case 'collect': {
      const packedAt = packedAtOf(shipment) ?? '';
      const code = await pickupCodeFor(table, shipment.shipmentId, packedAt);
      await step(collectStep({ pickupCode: code }), shipment);
      break;
    }
    case 'notCollected':
      await timedOut('READY_FOR_PICKUP');
      break;
    case 'reroute': {
      // A cap of one re-route, so that giving units up (and rejecting the order) happens often.
      const { round, capped } = await recordReroute(
        { table, maxReroutes: 1 },
        { shipmentId: shipment.shipmentId, now },
      );
      if (round) await fulfil(orderId, round);
      if (capped)
        await rejectOrder(deps(), { orderId, step: `Reroute#${shipment.shipmentId}`, actor: 'model', now });
      break;
    }
  }
  return `${op.kind} ${shipment.shipmentId} (${shipment.status})`;
}

/** What fulfilment does for a round: reserve what is missing, then ship what is held. */
async function fulfil(orderId: string, round: number) {
  const reserved = await reserveOrder(table, {
    orderId,
    step: `ReserveStock#${round}`,
    actor: 'model',
    now,
    holdMinutes: 30,
  });
  if (reserved.outcome === 'RESERVED') await createShipments(table, { orderId, round, actor: 'model', now });
}

const sum = (lines: readonly { qty: number }[] | undefined) =>
  (lines ?? []).reduce((total, line) => total + line.qty, 0);

/** Picked units not gone yet, and units gone to customers, as the shipments say. */
function unitsOffTheShelf(shipments: readonly ShipmentRecord[]) {
  let inTransit = 0;
  let gone = 0;
  for (const shipment of shipments) {
    const received = sum(shipment.received);
    const own = sum(shipment.lines);
    if (['HANDED_OVER', 'DELIVERED', 'COLLECTED'].includes(shipment.status)) gone += own + received;
    else if (['PACKING', 'PACKED', 'IN_TRANSFER', 'READY_FOR_PICKUP'].includes(shipment.status))
      inTransit += own + received;
    else if (['AWAITING_TRANSFER', 'PICKING'].includes(shipment.status)) inTransit += received;
  }
  return { inTransit, gone };
}

async function expectConserved(orderId: string, sku: string, initial: number) {
  const { shipments, holds } = await loadOrderPartition(table, orderId);
  let onHand = 0;
  for (const locationId of locationIds) {
    const stock = await getStock(table, sku, locationId);
    if (!stock) continue;
    const held = holds
      .filter((hold) => hold.status === 'HELD' && hold.locationId === locationId)
      .reduce((total, hold) => total + hold.qty, 0);
    expect({ locationId, reserved: stock.reserved, available: stock.available }).toEqual({
      locationId,
      reserved: held,
      available: stock.onHand - held,
    });
    expect(stock.onHand).toBeGreaterThanOrEqual(0);
    onHand += stock.onHand;
  }
  const writtenOff = holds.reduce((total, hold) => total + (hold.writtenOff ?? 0), 0);
  const { inTransit, gone } = unitsOffTheShelf(shipments);
  expect({
    onHand,
    inTransit,
    gone,
    writtenOff,
    total: onHand + inTransit + gone + writtenOff,
  }).toMatchObject({
    total: initial,
  });
}

describe('dispatch conserves units (model-based, DynamoDB Local)', () => {
  it('never loses or duplicates a unit, whatever staff, deadlines, cancellations and re-routes do', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          stock: fc.tuple(fc.nat({ max: 5 }), fc.nat({ max: 5 }), fc.nat({ max: 5 })),
          qty: fc.integer({ min: 1, max: 5 }),
          pickup: fc.boolean(),
        }),
        fc.array(opArbitrary, { minLength: 1, maxLength: 16 }),
        async (world, program) => {
          const sku = `SKU-DM${runs}`;
          const orderId = `dm.o-${runs++}`;
          await seedStock(
            table,
            Object.fromEntries(
              // No stock item at all where there is nothing: a transfer's units may come back to such a store.
              locationIds.map((id, index) => [
                id,
                {
                  location: locations[id],
                  skus: world.stock[index] ? { [sku]: { onHand: world.stock[index] } } : {},
                },
              ]),
            ),
          );
          const initial = world.stock.reduce((total, units) => total + units, 0);
          await placeOrder(table, orderId, {
            customerId: 'c',
            fulfilment: world.pickup
              ? { type: 'pickup', storeId: 'DM-S1' }
              : { type: 'delivery', address: deliveryTo },
            lines: [{ sku, qty: world.qty }],
          });
          await fulfil(orderId, 0);
          await expectConserved(orderId, sku, initial);
          for (const op of program) {
            await apply(orderId, op);
            await expectConserved(orderId, sku, initial);
          }
        },
      ),
      { numRuns: 20 },
    );
  }, 240_000);
});
