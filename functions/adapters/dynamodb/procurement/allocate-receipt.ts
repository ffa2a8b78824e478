import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { orderNotFoundErrorName, TransientError, WorkflowTaskError } from '../../../contracts/errors';
import { keys } from '../../../contracts/keys';
import { allocateFifo } from '../../../core/procurement';
import { callAws } from '../../errors';
import type { TableRef } from '../client';
import type { TransactItem } from '../items';
import { isConditionalCheckFailed, isTransactionRace, transactWrite } from '../items';
import { closeReplenishment } from '../replenishment';
import { stockChangeItems } from '../stock';
import { listBackorders } from './backorders';
import {
  type BackorderRecord,
  backorderRecordSchema,
  describeLines,
  getPurchaseOrder,
  type PurchaseOrderRecord,
  poUpdate,
  timelinePut,
} from './purchase-orders';

async function waitingBackorders(table: TableRef, sku: string): Promise<BackorderRecord[]> {
  const page = await callAws('queryBackorders', () =>
    table.document.send(
      new QueryCommand({
        TableName: table.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.backorderQueuePartition(sku) },
      }),
    ),
  );
  return (page.Items ?? []).map((item) => backorderRecordSchema.parse(item));
}

/** A run of allocations: who does it, in which step, and when the holds it gives expire. */
export const allocationRun = (
  table: TableRef,
  input: { readonly step: string; readonly actor: string; readonly now: Date; readonly holdMinutes: number },
): AllocationRun => ({
  table,
  step: input.step,
  actor: input.actor,
  at: input.now.toISOString(),
  expiresAt: new Date(input.now.getTime() + input.holdMinutes * 60_000).toISOString(),
});

/** Backorders take at most this many allocations per transaction (3 writes each, DynamoDB allows 100). */
const maxAllocationsPerTransaction = 30;

export interface AllocationRun {
  readonly table: TableRef;
  readonly step: string;
  readonly actor: string;
  readonly at: string;
  /** When the holds given to backorders expire, like any reservation's. */
  readonly expiresAt: string;
}

/**
 * Shares out received, not yet processed units of a purchase order: waiting backorders first, oldest first
 * (a hold at the receiving location, stock unchanged: the units were earmarked on receipt), the rest becomes
 * available. One transaction per SKU, conditioned on the PO version, so re-running it shares nothing twice.
 * Returns the orders whose backorders are now all allocated (to be resumed) and whether the PO is done.
 */
export async function allocateReceipt(
  table: TableRef,
  input: { poId: string; step: string; actor: string; now: Date; holdMinutes: number },
): Promise<{ complete: boolean; ordersToResume: string[]; roundClosedFor?: string }> {
  let po = await getPurchaseOrder(table, input.poId);
  if (!po) throw new WorkflowTaskError(orderNotFoundErrorName, `purchase order ${input.poId} does not exist`);
  const run = allocationRun(table, input);
  const skus = (po.confirmedLines ?? []).map((line) => line.sku);
  for (const sku of skus) po = await shareOutSku(run, po, sku);
  const ordersToResume = await ordersFullyAllocated(table, skus);
  const complete =
    po.status === 'RECEIVED' && skus.every((sku) => (po?.processed[sku] ?? 0) >= (po?.received[sku] ?? 0));
  // A replenishment fully received and shared out is over: the next drop below the reorder point opens another.
  if (complete && po.replenishment) {
    await closeReplenishment(table, po.replenishment, 'CLOSED', {
      at: run.at,
      event: 'REPLENISHMENT_RECEIVED',
      actor: input.actor,
      step: `${input.step}#${po.poId}`,
      reason: `${po.poId}: ${describeLines(po.confirmedLines ?? [])} received at ${po.locationId}`,
    });
  }
  // A round that ends with the order still short (partial confirmation, or FIFO gave the goods to older
  // orders) resumes it too: fulfilment re-sources and, still short, requests the next round.
  const orderId = po.orderId;
  const stillShort =
    complete &&
    orderId !== undefined &&
    !ordersToResume.includes(orderId) &&
    (await listBackorders(table, orderId)).some((b) => b.status === 'WAITING');
  return { complete, ordersToResume, ...(stillShort ? { roundClosedFor: orderId } : {}) };
}

/** One SKU's received, unprocessed units, shared out in one transaction; returns the PO as it now stands. */
async function shareOutSku(
  run: AllocationRun,
  po: PurchaseOrderRecord,
  sku: string,
): Promise<PurchaseOrderRecord> {
  const pending = (po.received[sku] ?? 0) - (po.processed[sku] ?? 0);
  if (pending <= 0) return po;
  const processed = poUpdate(
    run.table,
    po,
    'SET #processed.#sku = :processed',
    { ':processed': po.received[sku] ?? 0 },
    run.at,
  );
  if (processed.Update)
    processed.Update.ExpressionAttributeNames = { ...processed.Update.ExpressionAttributeNames, '#sku': sku };
  await shareOutUnits(run, {
    sku,
    locationId: po.locationId,
    pending,
    source: po.poId,
    markProcessed: processed,
  });
  return { ...po, processed: { ...po.processed, [sku]: po.received[sku] ?? 0 }, version: po.version + 1 };
}

/** Units of one SKU received at a location (goods of a PO, resellable units of a return), earmarked there. */
export interface ReceivedUnits {
  readonly sku: string;
  readonly locationId: string;
  readonly pending: number;
  /** Where they came from, for the timeline (a PO id, a return id). */
  readonly source: string;
  /** The source's own record of having shared them out, conditioned so that it happens once. */
  readonly markProcessed: TransactItem;
}

/**
 * Shares out received units in one transaction: waiting backorders first, oldest first (a hold at the
 * receiving location, stock unchanged: the units were earmarked on receipt), the rest becomes available.
 * The source's mark is conditioned, so re-running it shares nothing twice.
 */
export async function shareOutUnits(run: AllocationRun, units: ReceivedUnits): Promise<void> {
  const { table, at } = run;
  const { sku, locationId, pending } = units;
  const waiting = (await waitingBackorders(table, sku)).filter((b) => b.status === 'WAITING');
  const { allocations, rest } = allocateFifo(
    pending,
    waiting.map((b) => ({ ...b, outstanding: b.qty - b.allocated })),
  );
  const shared = allocations.slice(0, maxAllocationsPerTransaction);
  const restNow = rest + allocations.slice(maxAllocationsPerTransaction).reduce((s, a) => s + a.qty, 0);
  const items: TransactItem[] = [units.markProcessed];
  for (const allocation of shared) {
    const backorder = waiting.find((b) => b.orderId === allocation.orderId) as BackorderRecord;
    items.push(
      ...backorderAllocationItems(run, { locationId, source: units.source }, backorder, allocation.qty),
    );
  }
  // Earmarked on the head at receipt; on sharded stock the rebalancer spreads them over the shards.
  if (restNow > 0)
    items.push(
      ...stockChangeItems(
        table,
        sku,
        locationId,
        [{ bucket: 'head', available: restNow, reserved: -restNow }],
        at,
      ),
    );
  try {
    await transactWrite(table, 'allocateReceipt', items);
  } catch (error) {
    // Another receipt, a backorder or a reservation changed meanwhile: the ASL retries the whole
    // (idempotent) task.
    if (isTransactionRace(error))
      throw new TransientError(`allocating ${units.source} raced with another change`, { cause: error });
    throw error;
  }
}

/** The backorder's new allocation, its hold at the receiving location, and the timeline entry. */
function backorderAllocationItems(
  run: AllocationRun,
  receipt: { readonly locationId: string; readonly source: string },
  backorder: BackorderRecord,
  qty: number,
): TransactItem[] {
  const { table, at } = run;
  const allocated = backorder.allocated + qty;
  return [
    {
      Update: {
        TableName: table.tableName,
        Key: keys.backorder(backorder.orderId, backorder.sku),
        UpdateExpression: 'SET allocated = :allocated, #status = :status, updatedAt = :now',
        ConditionExpression: 'allocated = :previous AND #status = :waiting',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':allocated': allocated,
          ':previous': backorder.allocated,
          ':status': allocated >= backorder.qty ? 'ALLOCATED' : 'WAITING',
          ':waiting': 'WAITING',
          ':now': at,
        },
      },
    },
    {
      Update: {
        TableName: table.tableName,
        Key: keys.hold(backorder.orderId, backorder.sku, receipt.locationId, backorder.holdRound),
        UpdateExpression:
          'SET entity = :entity, orderId = :orderId, sku = :sku, locationId = :locationId, #holdRound = :round, ' +
          'qty = if_not_exists(qty, :zero) + :qty, #status = :held, expiresAt = :expiresAt, createdAt = if_not_exists(createdAt, :now)',
        ConditionExpression: 'attribute_not_exists(pk) OR #status = :held',
        ExpressionAttributeNames: { '#status': 'status', '#holdRound': 'round' },
        ExpressionAttributeValues: {
          ':round': backorder.holdRound,
          ':entity': 'hold',
          ':orderId': backorder.orderId,
          ':sku': backorder.sku,
          ':locationId': receipt.locationId,
          ':zero': 0,
          ':qty': qty,
          ':held': 'HELD',
          ':expiresAt': run.expiresAt,
          ':now': at,
        },
      },
    },
    timelinePut(table, backorder.orderId, {
      at,
      event: 'BACKORDER_ALLOCATED',
      actor: run.actor,
      step: `${run.step}#${receipt.source}#${backorder.sku}`,
      reason: `${qty} × ${backorder.sku} at ${receipt.locationId} from ${receipt.source}`,
    }),
  ];
}

/** Orders with an ALLOCATED backorder for one of these SKUs and none still WAITING: ready to resume. */
export async function ordersFullyAllocated(table: TableRef, skus: readonly string[]): Promise<string[]> {
  const ready: string[] = [];
  for (const sku of skus) {
    for (const backorder of await waitingBackorders(table, sku)) {
      if (backorder.status !== 'ALLOCATED' || ready.includes(backorder.orderId)) continue;
      const all = await listBackorders(table, backorder.orderId);
      if (all.every((b) => b.status !== 'WAITING')) ready.push(backorder.orderId);
    }
  }
  return ready;
}

/**
 * Closes a procurement round of an order that is still short: bumps the order version once per purchase
 * order, so the next RequestProcurement names a new execution even if re-sourcing changes nothing.
 */
export async function closeProcurementRound(table: TableRef, orderId: string, poId: string, now: Date) {
  try {
    await callAws('closeProcurementRound', () =>
      table.document.send(
        new UpdateCommand({
          TableName: table.tableName,
          Key: keys.order(orderId),
          UpdateExpression:
            'SET version = version + :one, procurementRoundClosedBy = :poId, updatedAt = :now',
          ConditionExpression:
            '#status = :backordered AND (attribute_not_exists(procurementRoundClosedBy) OR procurementRoundClosedBy <> :poId)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':one': 1,
            ':poId': poId,
            ':backordered': 'BACKORDERED',
            ':now': now.toISOString(),
          },
        }),
      ),
    );
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
}
