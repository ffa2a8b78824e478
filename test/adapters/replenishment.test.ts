import { ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TableRef } from '../../functions/adapters/dynamodb/client';
import { saveLocation } from '../../functions/adapters/dynamodb/locations';
import { allocateReceipt } from '../../functions/adapters/dynamodb/procurement/allocate-receipt';
import { createPurchaseOrder } from '../../functions/adapters/dynamodb/procurement/create-purchase-order';
import { decidePurchaseOrder } from '../../functions/adapters/dynamodb/procurement/decide-purchase-order';
import {
  getPurchaseOrder,
  listPurchaseOrders,
} from '../../functions/adapters/dynamodb/procurement/purchase-orders';
import { receiveGoods } from '../../functions/adapters/dynamodb/procurement/receive-goods';
import {
  claimReplenishment,
  closeReplenishment,
  getReplenishmentSlot,
  listReplenishmentEvents,
  replenishmentExecutionName,
  replenishmentId,
} from '../../functions/adapters/dynamodb/replenishment';
import { reserveOrder } from '../../functions/adapters/dynamodb/reservations';
import { applySupplierStock, getStock, recordCycleCount } from '../../functions/adapters/dynamodb/stock';
import { reconcileReplenishment, replenishWhereLow } from '../../functions/app/replenishment';
import type { Demand, ReplenishmentDemand } from '../../functions/contracts/procurement';
import { poIdSchema } from '../../functions/contracts/procurement';
import type { LocationBody } from '../../functions/contracts/schemas';
import type { StepFunctionsService } from '../../local/emulators/stepfunctions/service';
import { arnOf, sfnClient, startTestSfn, testInvoker } from '../local/stepfunctions/harness';
import { commandRecordingTable, createTestTable } from '../support/dynamodb';
import { deliveryTo, now, placeOrder, warehouse } from './fixtures';

// The trigger logs and counts (Powertools, configured at import): keep the test output for the test.
vi.hoisted(() => {
  process.env.LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

/**
 * Replenishment on DynamoDB Local, with a local Step Functions service standing in for procurement (a state
 * machine that just waits): who opens the slot, how many executions start, and the PO's effect on stock.
 */
let table: TableRef;
let service: StepFunctionsService;
let sfn: SFNClient;
const procurementArn = arnOf('procurement');
const actor = { actor: 'test', now };
const trigger = () => ({ table, sfn, procurementStateMachineArn: procurementArn });

beforeAll(async () => {
  const created = await createTestTable();
  table = { document: created.document, tableName: created.tableName };
  ({ service, sfn } = await startTestSfn({
    stateMachines: [
      {
        name: 'procurement',
        definition: JSON.stringify({
          StartAt: 'Wait',
          States: { Wait: { Type: 'Wait', Seconds: 3600, End: true } },
        }),
      },
    ],
    invoker: testInvoker({}),
  }));
});
afterAll(async () => {
  await service?.close();
});

const executions = async (sku: string, locationId: string) => {
  const { executions: all = [] } = await sfn.send(
    new ListExecutionsCommand({ stateMachineArn: procurementArn, maxResults: 1000 }),
  );
  const prefix = replenishmentId(sku, locationId);
  return all.filter((execution) => execution.name?.startsWith(prefix)).map((execution) => execution.name);
};

async function stockAt(
  locationId: string,
  sku: string,
  figures: { onHand: number; reorderPoint?: number | null; reorderQuantity?: number | null },
  location: LocationBody = warehouse,
) {
  await saveLocation(table, locationId, location, now);
  const saved = await recordCycleCount(table, sku, locationId, { safetyStock: 0, ...figures }, now);
  if (saved.outcome !== 'saved') throw new Error('cycle count refused');
}

describe('replenishment trigger', () => {
  it('20 concurrent triggers on a low stock start one execution and open the slot once', async () => {
    await stockAt('WH-R1', 'SKU-R1', { onHand: 3 }, { ...warehouse, reorderPoint: 5 });
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () =>
        replenishWhereLow(trigger(), [{ sku: 'SKU-R1', locationId: 'WH-R1' }], actor),
      ),
    );
    expect(outcomes.flat().every((outcome) => outcome === 'started' || outcome === 'open')).toBe(true);
    expect(await executions('SKU-R1', 'WH-R1')).toEqual([
      replenishmentExecutionName({ kind: 'replenishment', sku: 'SKU-R1', locationId: 'WH-R1', seq: 1 }),
    ]);
    expect(await getReplenishmentSlot(table, 'SKU-R1', 'WH-R1')).toMatchObject({ status: 'OPEN', seq: 1 });
    const events = await listReplenishmentEvents(table, 'SKU-R1', 'WH-R1');
    expect(events.map((event) => event.event)).toEqual(['REPLENISHMENT_OPENED']);
    // Open: later falls start nothing more.
    expect(await replenishWhereLow(trigger(), [{ sku: 'SKU-R1', locationId: 'WH-R1' }], actor)).toEqual([
      'open',
    ]);
  });

  it("uses the SKU's own reorder point over the location's, and does nothing above it", async () => {
    await stockAt('WH-R2', 'SKU-R2', { onHand: 8, reorderPoint: 10 }, { ...warehouse, reorderPoint: 5 });
    await stockAt('WH-R2', 'SKU-R2b', { onHand: 8 }, { ...warehouse, reorderPoint: 5 });
    const positions = [
      { sku: 'SKU-R2', locationId: 'WH-R2' },
      { sku: 'SKU-R2b', locationId: 'WH-R2' },
    ];
    expect(await replenishWhereLow(trigger(), positions, actor)).toEqual(['started', 'not-needed']);
    // A cycle count that omits the override keeps it; null removes it (the location's 5 applies again).
    await stockAt('WH-R2', 'SKU-R2', { onHand: 8 });
    expect(await getStock(table, 'SKU-R2', 'WH-R2')).toMatchObject({ reorderPoint: 10 });
    await stockAt('WH-R2', 'SKU-R2', { onHand: 8, reorderPoint: null });
    expect((await getStock(table, 'SKU-R2', 'WH-R2'))?.reorderPoint).toBeUndefined();
  });

  it('checks a position above its reorder point with one read when the caller brings the location', async () => {
    const location = { ...warehouse, reorderPoint: 5 };
    await stockAt('WH-R9', 'SKU-R9', { onHand: 50 }, location);
    const recording = commandRecordingTable(table.tableName);
    const known = { locationId: 'WH-R9', ...location, updatedAt: now.toISOString() };
    const check = () =>
      replenishWhereLow(
        { ...trigger(), table: recording.table },
        [{ sku: 'SKU-R9', locationId: 'WH-R9', location: known }],
        actor,
      );
    expect(await check()).toEqual(['not-needed']);
    // The stock only: neither the slot (read once the stock is low) nor the location (brought along).
    expect(recording.commands).toEqual(['GetItemCommand']);
    await stockAt('WH-R9', 'SKU-R9', { onHand: 2 }, location);
    expect(await check()).toEqual(['started']);
  });

  it('a failed start writes nothing (no slot stranded OPEN) and the next trigger starts it', async () => {
    await stockAt('WH-R3', 'SKU-R3', { onHand: 1, reorderPoint: 4 });
    const unreachable = { ...trigger(), sfn: sfnClient('http://127.0.0.1:9') };
    expect(await replenishWhereLow(unreachable, [{ sku: 'SKU-R3', locationId: 'WH-R3' }], actor)).toEqual([
      'failed',
    ]);
    expect(await getReplenishmentSlot(table, 'SKU-R3', 'WH-R3')).toBeUndefined();
    expect(await replenishWhereLow(trigger(), [{ sku: 'SKU-R3', locationId: 'WH-R3' }], actor)).toEqual([
      'started',
    ]);
    expect(await executions('SKU-R3', 'WH-R3')).toHaveLength(1);
  });

  it('names executions and purchase orders within the limits, distinct per (sku, location)', () => {
    const long = 'L'.repeat(64);
    const demand = {
      kind: 'replenishment' as const,
      sku: `S.${long}`.slice(0, 64),
      locationId: long,
      seq: 99999,
    };
    const name = replenishmentExecutionName(demand);
    expect(name.length).toBeLessThanOrEqual(80);
    expect(poIdSchema.safeParse(`${name}-12`).success).toBe(true);
    expect(replenishmentId('A.B', 'X')).not.toBe(replenishmentId('A_B', 'X'));
  });
});

describe('replenishment purchase orders', () => {
  const demandOf = (sku: string, locationId: string, seq = 1): ReplenishmentDemand => ({
    kind: 'replenishment',
    sku,
    locationId,
    seq,
  });
  const create = (demand: Demand, attempt = 0, tried: string[] = []) =>
    createPurchaseOrder(table, {
      demand,
      attempt,
      tried,
      step: 'CreatePurchaseOrder',
      actor: 'workflow:procurement',
      now,
      supplierTimeoutSeconds: 60,
    });
  const supplier = (supplierId: string, sku: string, available: number) =>
    applySupplierStock(table, {
      supplierId,
      sku,
      available,
      leadTimeDays: 2,
      unitCost: 1,
      feedSeq: 1,
      updatedAt: now.toISOString(),
    });

  it('order → confirm (inbound) → receipt (backorders first, rest available) → slot closed; the next fall opens seq 2', async () => {
    await stockAt('WH-P1', 'SKU-P1', { onHand: 2 }, { ...warehouse, reorderPoint: 5, reorderQuantity: 4 });
    await supplier('SUP-P1', 'SKU-P1', 100);
    const demand = demandOf('SKU-P1', 'WH-P1');
    // The trigger died after starting the execution: its first task opens the slot itself.
    const result = await create(demand);
    expect(result).toMatchObject({ outcome: 'PO_CREATED', supplierId: 'SUP-P1', attempt: 1 });
    const poId = (result as { poId: string }).poId;
    expect(await create(demand)).toEqual(result); // retried task: same PO
    expect(await getPurchaseOrder(table, poId)).toMatchObject({
      purpose: 'replenishment',
      replenishment: { sku: 'SKU-P1', locationId: 'WH-P1', seq: 1 },
      locationId: 'WH-P1',
      lines: [{ sku: 'SKU-P1', qty: 4 }],
    });
    expect((await getPurchaseOrder(table, poId))?.orderId).toBeUndefined();
    expect(await listPurchaseOrders(table, 'SUP-P1')).toEqual([
      expect.objectContaining({ poId, purpose: 'replenishment', status: 'OPEN' }),
    ]);
    expect(await getReplenishmentSlot(table, 'SKU-P1', 'WH-P1')).toMatchObject({
      status: 'OPEN',
      seq: 1,
      poId,
    });

    const confirm = () =>
      decidePurchaseOrder(table, {
        poId,
        supplierId: 'SUP-P1',
        decision: { kind: 'confirm', lines: [{ sku: 'SKU-P1', qty: 3 }], eta: '2026-02-01' },
        actor: 'supplier:SUP-P1',
        now,
      });
    await confirm();
    await confirm(); // a replay: inbound counted once
    expect(await getStock(table, 'SKU-P1', 'WH-P1')).toMatchObject({ onHand: 2, inbound: 3, available: 2 });

    // An order short by 3 waits (FIFO) for the goods; replenished units serve it first.
    await placeOrder(table, 'ord-p1', {
      customerId: 'c',
      fulfilment: { type: 'delivery', address: deliveryTo },
      lines: [{ sku: 'SKU-P1', qty: 3 }],
    });
    await reserveOrder(table, {
      orderId: 'ord-p1',
      step: 'ReserveStock',
      actor: 'test',
      now,
      holdMinutes: 30,
    });
    await create({ kind: 'backorder', orderId: 'ord-p1', round: 2 }); // records the backorder (1 unit short)

    await receiveGoods(table, {
      locationId: 'WH-P1',
      poId,
      lines: [{ sku: 'SKU-P1', qty: 3 }],
      actor: 'staff',
      now,
    });
    expect(await getStock(table, 'SKU-P1', 'WH-P1')).toMatchObject({ onHand: 5, inbound: 0 });
    const allocation = await allocateReceipt(table, {
      poId,
      step: 'AllocateReceipt',
      actor: 'workflow:procurement',
      now,
      holdMinutes: 30,
    });
    expect(allocation).toEqual({ complete: true, ordersToResume: ['ord-p1'] });
    expect(await getStock(table, 'SKU-P1', 'WH-P1')).toMatchObject({ onHand: 5, reserved: 3, available: 2 });
    expect(await getReplenishmentSlot(table, 'SKU-P1', 'WH-P1')).toMatchObject({ status: 'CLOSED', seq: 1 });
    // Every step ran at the same test clock, so compare the trail as a set.
    expect((await listReplenishmentEvents(table, 'SKU-P1', 'WH-P1')).map((e) => e.event).sort()).toEqual(
      ['REPLENISHMENT_OPENED', 'PO_CREATED', 'PO_CONFIRMED', 'PO_RECEIVED', 'REPLENISHMENT_RECEIVED'].sort(),
    );
    // Run again (a retry or a redrive): nothing is shared out or closed twice.
    expect(
      await allocateReceipt(table, {
        poId,
        step: 'AllocateReceipt',
        actor: 'workflow:procurement',
        now: new Date(now.getTime() + 1000),
        holdMinutes: 30,
      }),
    ).toMatchObject({ complete: true });
    expect(await getStock(table, 'SKU-P1', 'WH-P1')).toMatchObject({ onHand: 5, reserved: 3, available: 2 });
    expect(await listReplenishmentEvents(table, 'SKU-P1', 'WH-P1')).toHaveLength(5);
    // Still below the reorder point (the backorder took the goods): the next trigger opens replenishment 2.
    expect(await replenishWhereLow(trigger(), [{ sku: 'SKU-P1', locationId: 'WH-P1' }], actor)).toEqual([
      'started',
    ]);
    expect(await getReplenishmentSlot(table, 'SKU-P1', 'WH-P1')).toMatchObject({ status: 'OPEN', seq: 2 });
    expect(await executions('SKU-P1', 'WH-P1')).toEqual([
      replenishmentExecutionName(demandOf('SKU-P1', 'WH-P1', 2)),
    ]);
  });

  it('NOT_NEEDED when stock was counted back up (the slot closes) or when its seq is not the current one', async () => {
    await stockAt('WH-P2', 'SKU-P2', { onHand: 1, reorderPoint: 5 });
    await supplier('SUP-P2', 'SKU-P2', 100);
    const demand = demandOf('SKU-P2', 'WH-P2');
    expect(
      await claimReplenishment(table, demand, { at: now.toISOString(), actor: 'test', step: 'Open' }),
    ).toBe('claimed');
    await stockAt('WH-P2', 'SKU-P2', { onHand: 9 });
    expect(await create(demand)).toMatchObject({ outcome: 'NOT_NEEDED' });
    expect(await getReplenishmentSlot(table, 'SKU-P2', 'WH-P2')).toMatchObject({ status: 'CLOSED', seq: 1 });
    // A stale or skipped seq never opens the slot.
    expect(await create(demandOf('SKU-P2', 'WH-P2', 1))).toMatchObject({ outcome: 'NOT_NEEDED' });
    expect(await create(demandOf('SKU-P2', 'WH-P2', 3))).toMatchObject({ outcome: 'NOT_NEEDED' });
    expect(await getReplenishmentSlot(table, 'SKU-P2', 'WH-P2')).toMatchObject({ status: 'CLOSED', seq: 1 });
  });

  it('no supplier: NO_SUPPLIER, and abandoning closes the slot so a later fall can try again', async () => {
    await stockAt('WH-P3', 'SKU-P3', { onHand: 0, reorderPoint: 2 });
    const demand = demandOf('SKU-P3', 'WH-P3');
    expect(await create(demand)).toMatchObject({ outcome: 'NO_SUPPLIER' });
    const entry = { at: now.toISOString(), event: 'REPLENISHMENT_ABANDONED', actor: 'test', step: 'Abandon' };
    await closeReplenishment(table, demand, 'ABANDONED', entry);
    await closeReplenishment(table, demand, 'ABANDONED', entry); // idempotent
    expect(await getReplenishmentSlot(table, 'SKU-P3', 'WH-P3')).toMatchObject({
      status: 'ABANDONED',
      seq: 1,
    });
    expect(await claimReplenishment(table, demandOf('SKU-P3', 'WH-P3', 2), { ...entry, step: 'Open' })).toBe(
      'claimed',
    );
  });
});

describe('the replenishment reconciler (scheduled safety net)', () => {
  it('starts what a failed trigger missed, once, and leaves positions above their reorder point alone', async () => {
    // Its own table: the reconciler looks at every stocked position there is.
    const created = await createTestTable();
    const own: TableRef = { document: created.document, tableName: created.tableName };
    const low = { ...warehouse, reorderPoint: 5 };
    await saveLocation(own, 'WH-RC1', low, now);
    await saveLocation(own, 'WH-RC2', low, now);
    // Counted straight into the table: no trigger ran (as if its start had failed).
    for (const [locationId, sku, onHand] of [
      ['WH-RC1', 'SKU-RC-LOW', 2],
      ['WH-RC1', 'SKU-RC-FINE', 9],
      ['WH-RC2', 'SKU-RC-LOW', 0],
    ] as const)
      await recordCycleCount(own, sku, locationId, { onHand, safetyStock: 0 }, now);
    const reconcile = () =>
      reconcileReplenishment({ table: own, sfn, procurementStateMachineArn: procurementArn }, actor);

    expect(await reconcile()).toEqual({ checked: 3, started: 2, open: 0, 'not-needed': 1, failed: 0 });
    expect(await getReplenishmentSlot(own, 'SKU-RC-LOW', 'WH-RC1')).toMatchObject({ status: 'OPEN', seq: 1 });
    expect(await getReplenishmentSlot(own, 'SKU-RC-LOW', 'WH-RC2')).toMatchObject({ status: 'OPEN', seq: 1 });
    expect(await getReplenishmentSlot(own, 'SKU-RC-FINE', 'WH-RC1')).toBeUndefined();
    // Again (the next schedule, or alongside a trigger): nothing more starts.
    expect(await reconcile()).toEqual({ checked: 3, started: 0, open: 2, 'not-needed': 1, failed: 0 });
    expect(await executions('SKU-RC-LOW', 'WH-RC1')).toHaveLength(1);
    expect(await executions('SKU-RC-LOW', 'WH-RC2')).toHaveLength(1);
  });
});
