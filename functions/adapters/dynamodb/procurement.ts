import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { backorderNotParkedErrorName, orderNotFoundErrorName } from '../../contracts/errors';
import { keys } from '../../contracts/keys';
import {
  type BackorderDemand,
  type Demand,
  type OrderLine,
  orderLineSchema,
  type PurchaseOrder,
  purchaseOrderPurposeSchema,
  purchaseOrderStatusSchema,
  type ReplenishmentDemand,
} from '../../contracts/schemas';
import {
  allocateFifo,
  checkLinesWithin,
  chooseSupplier,
  type Need,
  type SupplierOffer,
} from '../../core/procurement';
import { callAws, TransientError } from '../errors';
import type { TableRef } from './client';
import type { TransactItem } from './items';
import { cancellationCodes, compact, isConditionalCheckFailed } from './items';
import { listLocations } from './locations';
import { loadOrder, type OrderRecord, timelineItem } from './orders';
import {
  type AuditEntry,
  claimReplenishment,
  closeReplenishment,
  replenishmentEventPut,
  replenishmentExecutionName,
  replenishmentNeedAt,
  replenishmentPurchaseOrderUpdate,
} from './replenishment';
import { WorkflowTaskError } from './reservations';
import { querySkuPartition, stockChangeItems } from './stock';

const quantities = z.record(z.string(), z.number().int().nonnegative());

/**
 * The stored purchase order: the API view plus counters (`received`, `processed` per SKU) and `version`. It
 * names what it buys for: the backordered order (`orderId`), or the replenishment of a SKU at a location.
 */
export const purchaseOrderRecordSchema = z.object({
  poId: z.string(),
  /** Purchase orders from before replenishment were all for backorders. */
  purpose: purchaseOrderPurposeSchema.default('backorder'),
  orderId: z.string().optional(),
  replenishment: z
    .object({ sku: z.string(), locationId: z.string(), seq: z.number().int().positive() })
    .optional(),
  supplierId: z.string(),
  status: purchaseOrderStatusSchema,
  lines: z.array(orderLineSchema),
  confirmedLines: z.array(orderLineSchema).optional(),
  eta: z.string().optional(),
  reason: z.string().optional(),
  locationId: z.string(),
  /** Units received per SKU. */
  received: quantities,
  /** Received units per SKU that AllocateReceipt has already shared out (to backorders or available stock). */
  processed: quantities,
  supplierTaskToken: z.string().optional(),
  receiptTaskToken: z.string().optional(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type PurchaseOrderRecord = z.infer<typeof purchaseOrderRecordSchema>;

export const backorderRecordSchema = z.object({
  orderId: z.string(),
  sku: z.string(),
  qty: z.number().int().nonnegative(),
  allocated: z.number().int().nonnegative(),
  status: z.enum(['WAITING', 'ALLOCATED', 'RESUMED', 'WITHDRAWN']),
  createdAt: z.string(),
});
export type BackorderRecord = z.infer<typeof backorderRecordSchema>;

export const toPurchaseOrderView = (po: PurchaseOrderRecord): PurchaseOrder => ({
  poId: po.poId,
  supplierId: po.supplierId,
  status: po.status,
  purpose: po.purpose,
  lines: po.lines,
  ...(po.confirmedLines ? { confirmedLines: po.confirmedLines } : {}),
  ...(po.eta ? { eta: po.eta } : {}),
  locationId: po.locationId,
  createdAt: po.createdAt,
});

export async function getPurchaseOrder(
  table: TableRef,
  poId: string,
): Promise<PurchaseOrderRecord | undefined> {
  const { Item } = await callAws('getPurchaseOrder', () =>
    table.document.send(
      new GetCommand({ TableName: table.tableName, Key: keys.purchaseOrder(poId), ConsistentRead: true }),
    ),
  );
  return Item ? purchaseOrderRecordSchema.parse(Item) : undefined;
}

/** A supplier's purchase orders, oldest first (one page of up to `limit`). */
export async function listPurchaseOrders(
  table: TableRef,
  supplierId: string,
  limit = 100,
): Promise<PurchaseOrder[]> {
  const page = await callAws('listPurchaseOrders', () =>
    table.document.send(
      new QueryCommand({
        TableName: table.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.supplierPurchaseOrders(supplierId) },
        Limit: limit,
      }),
    ),
  );
  return (page.Items ?? []).map((item) => toPurchaseOrderView(purchaseOrderRecordSchema.parse(item)));
}

export type CreatePurchaseOrderResult = {
  readonly attempt: number;
  readonly tried: string[];
} & (
  | {
      readonly outcome: 'PO_CREATED';
      readonly poId: string;
      readonly supplierId: string;
      readonly supplierTimeoutSeconds: number;
    }
  | { readonly outcome: 'NO_SUPPLIER' | 'NOT_NEEDED' }
);

export interface CreatePurchaseOrderInput {
  readonly demand: Demand;
  readonly attempt: number;
  readonly tried: readonly string[];
  readonly step: string;
  readonly actor: string;
  readonly now: Date;
  readonly supplierTimeoutSeconds: number;
}

/** Ids derived from the demand and the attempt: a retried or redriven task finds the PO it wrote. */
export const purchaseOrderIdOf = (demand: Demand, attempt: number): string =>
  demand.kind === 'backorder'
    ? `${demand.orderId}-${demand.round}-${attempt}`
    : `${replenishmentExecutionName(demand)}-${attempt}`;

/** What a demand asks suppliers for, where the goods go and what the PO records about its purpose. */
interface Purchase {
  readonly needs: readonly Need[];
  readonly offers: readonly SupplierOffer[];
  readonly locationId: string;
  readonly purpose: Pick<PurchaseOrderRecord, 'purpose' | 'orderId' | 'replenishment'>;
  /** Further writes in the PO's transaction. */
  readonly writes: (poId: string, at: string) => TransactItem[];
}

/**
 * Buys for a demand: works out what is still needed (nothing → NOT_NEEDED), chooses a supplier it has not
 * tried and writes the purchase order whose id is derived from the demand and the attempt, so a retried or
 * redriven task finds the purchase order it wrote and answers the same instead of ordering twice.
 */
export async function createPurchaseOrder(
  table: TableRef,
  input: CreatePurchaseOrderInput,
): Promise<CreatePurchaseOrderResult> {
  const attempt = input.attempt + 1;
  const poId = purchaseOrderIdOf(input.demand, attempt);
  const existing = await getPurchaseOrder(table, poId);
  if (existing) return created(existing, attempt, input);
  const purchase =
    input.demand.kind === 'backorder'
      ? await backorderPurchase(table, input.demand, input)
      : await replenishmentPurchase(table, input.demand, input);
  if (!purchase) return { outcome: 'NOT_NEEDED', attempt: input.attempt, tried: [...input.tried] };
  const choice = chooseSupplier(purchase.needs, purchase.offers, input.tried);
  if (!choice) return { outcome: 'NO_SUPPLIER', attempt: input.attempt, tried: [...input.tried] };

  const at = input.now.toISOString();
  const po: PurchaseOrderRecord = {
    poId,
    ...purchase.purpose,
    supplierId: choice.supplierId,
    status: 'OPEN',
    lines: choice.lines,
    locationId: purchase.locationId,
    received: {},
    processed: {},
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
  try {
    await callAws('createPurchaseOrder', () =>
      table.document.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: table.tableName,
                Item: compact({
                  ...keys.purchaseOrder(poId),
                  ...keys.purchaseOrderBySupplier(choice.supplierId, at, poId),
                  entity: 'purchaseOrder',
                  ...po,
                }),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            auditPut(table, po, {
              at,
              event: 'PO_CREATED',
              actor: input.actor,
              step: input.step,
              reason: `${poId} to ${choice.supplierId}: ${describeLines(choice.lines)}`,
            }),
            ...purchase.writes(poId, at),
          ],
        }),
      ),
    );
  } catch (error) {
    const codes = cancellationCodes(error);
    if (codes[0] !== 'ConditionalCheckFailed') {
      if (codes.includes('ConditionalCheckFailed') && input.demand.kind === 'backorder')
        throw orderChanged(input.demand.orderId, error);
      throw error;
    }
    const winner = await getPurchaseOrder(table, poId);
    if (!winner) throw error;
    return created(winner, attempt, input);
  }
  return created(po, attempt, input);
}

/**
 * Backorders and purchase orders are only written while the order is still the BACKORDERED one that was read:
 * a cancellation landing in between (it withdraws backorders, then changes the order) must not be followed
 * by a fresh WAITING backorder or an OPEN purchase order nobody will cancel.
 */
const stillBackordered = (table: TableRef, order: OrderRecord): TransactItem => ({
  ConditionCheck: {
    TableName: table.tableName,
    Key: keys.order(order.orderId),
    ConditionExpression: '#status = :backordered AND version = :version',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':backordered': 'BACKORDERED', ':version': order.version },
  },
});

/** The ASL retries TransientError: the re-run re-reads the order (and finds a cancelled one NOT_NEEDED). */
const orderChanged = (orderId: string, cause: unknown) =>
  new TransientError(`order ${orderId} changed while procurement wrote for it`, { cause });

/** An order's shortfall, while it is still backordered; its backorders are recorded on a round's first attempt. */
async function backorderPurchase(
  table: TableRef,
  demand: BackorderDemand,
  input: CreatePurchaseOrderInput,
): Promise<Purchase | undefined> {
  const order = await loadOrder(table, demand.orderId);
  if (!order) throw new WorkflowTaskError(orderNotFoundErrorName, `order ${demand.orderId} does not exist`);
  if (order.status !== 'BACKORDERED' || order.shortfall.length === 0) return undefined;
  if (input.attempt === 0)
    await recordBackorders(table, order, { ...input, round: demand.round, at: input.now.toISOString() });
  const partitions = await Promise.all(order.shortfall.map((line) => querySkuPartition(table, line.sku)));
  return {
    needs: order.shortfall,
    offers: partitions.flatMap((partition) => partition.suppliers),
    locationId: await receivingLocation(table, order),
    purpose: { purpose: 'backorder', orderId: order.orderId },
    // Which POs were sent for the order, in its partition: cancelling the order finds them there.
    writes: (poId) => [
      {
        Put: {
          TableName: table.tableName,
          Item: { ...keys.orderPurchaseOrder(order.orderId, poId), entity: 'orderPurchaseOrder', poId },
        },
      },
      stillBackordered(table, order),
    ],
  };
}

/**
 * A SKU's replenishment at a location, while it is this demand's turn (the slot is OPEN under its seq; the
 * first attempt opens it if the trigger could not) and the stock is still below its reorder point (else the
 * slot closes). The quantity is worked out again on each attempt: stock may have been counted meanwhile.
 */
async function replenishmentPurchase(
  table: TableRef,
  demand: ReplenishmentDemand,
  input: CreatePurchaseOrderInput,
): Promise<Purchase | undefined> {
  const at = input.now.toISOString();
  const claim = await claimReplenishment(table, demand, { at, actor: input.actor, step: input.step });
  if (claim === 'superseded') return undefined;
  const { stock, suppliers } = await querySkuPartition(table, demand.sku);
  const here = stock.find((record) => record.locationId === demand.locationId);
  const qty = await replenishmentNeedAt(table, here, demand.locationId);
  if (qty <= 0) {
    await closeReplenishment(table, demand, 'CLOSED', {
      at,
      event: 'REPLENISHMENT_NOT_NEEDED',
      actor: input.actor,
      step: `${input.step}#${input.attempt + 1}`,
      reason: `${demand.sku} at ${demand.locationId} is no longer below its reorder point`,
    });
    return undefined;
  }
  return {
    needs: [{ sku: demand.sku, qty }],
    offers: suppliers,
    locationId: demand.locationId,
    purpose: {
      purpose: 'replenishment',
      replenishment: { sku: demand.sku, locationId: demand.locationId, seq: demand.seq },
    },
    writes: (poId, writtenAt) => [replenishmentPurchaseOrderUpdate(table, demand, poId, writtenAt)],
  };
}

function created(po: PurchaseOrderRecord, attempt: number, input: CreatePurchaseOrderInput) {
  return {
    outcome: 'PO_CREATED' as const,
    poId: po.poId,
    supplierId: po.supplierId,
    attempt,
    tried: [...new Set([...input.tried, po.supplierId])],
    supplierTimeoutSeconds: input.supplierTimeoutSeconds,
  };
}

const describeLines = (lines: readonly OrderLine[]) => lines.map((l) => `${l.qty} × ${l.sku}`).join(', ');

const timelinePut = (
  table: TableRef,
  orderId: string,
  entry: Parameters<typeof timelineItem>[1],
): TransactItem => ({ Put: { TableName: table.tableName, Item: timelineItem(orderId, entry) } });

/**
 * A purchase order's change goes to the audit trail of what it buys for: the order's timeline, or the
 * replenishment's own events (there is no order to write into).
 */
function auditPut(
  table: TableRef,
  po: Pick<PurchaseOrderRecord, 'poId' | 'orderId' | 'replenishment'>,
  entry: AuditEntry,
): TransactItem {
  if (po.replenishment) return replenishmentEventPut(table, po.replenishment, entry);
  if (po.orderId) return timelinePut(table, po.orderId, entry);
  throw new Error(`purchase order ${po.poId} names neither an order nor a replenishment`);
}

/**
 * One backorder per short SKU, reset to the current shortfall at the start of each procurement round (the
 * shortfall already excludes what is held). `createdAt` survives resets: an order keeps its FIFO place. Each
 * write is conditioned on the backorder not being recorded for this round yet, with its BACKORDER_CREATED
 * timeline entry in the same transaction: a retried or redriven task records (and tells) nothing twice.
 */
async function recordBackorders(
  table: TableRef,
  order: OrderRecord,
  input: { round: number; step: string; actor: string; at: string },
): Promise<void> {
  for (const line of order.shortfall) {
    try {
      await transact(table, 'recordBackorder', [
        {
          Update: {
            TableName: table.tableName,
            Key: keys.backorder(order.orderId, line.sku),
            UpdateExpression:
              'SET entity = :entity, orderId = :orderId, sku = :sku, qty = :qty, allocated = :zero, #status = :waiting, ' +
              '#round = :round, createdAt = if_not_exists(createdAt, :now), gsi1pk = :queue, ' +
              'gsi1sk = if_not_exists(gsi1sk, :position), updatedAt = :now',
            ConditionExpression: 'attribute_not_exists(#round) OR #round <> :round',
            ExpressionAttributeNames: { '#status': 'status', '#round': 'round' },
            ExpressionAttributeValues: {
              ':entity': 'backorder',
              ':orderId': order.orderId,
              ':sku': line.sku,
              ':qty': line.qty,
              ':zero': 0,
              ':waiting': 'WAITING',
              ':round': input.round,
              ':now': input.at,
              ':queue': keys.backorderQueuePartition(line.sku),
              ':position': keys.backorderQueue(line.sku, order.createdAt, order.orderId).gsi1sk,
            },
          },
        },
        timelinePut(table, order.orderId, {
          at: input.at,
          event: 'BACKORDER_CREATED',
          actor: input.actor,
          step: `${input.step}#${line.sku}`,
          reason: `${line.qty} × ${line.sku} (procurement round ${input.round})`,
        }),
        stillBackordered(table, order),
      ]);
    } catch (error) {
      const [backorder, , orderCheck] = cancellationCodes(error);
      if (orderCheck === 'ConditionalCheckFailed') throw orderChanged(order.orderId, error);
      if (backorder !== 'ConditionalCheckFailed') throw error;
    }
  }
}

/**
 * Where the goods go: the pickup store, else where the order already holds stock (no split shipment), else
 * the first warehouse. Receipts at another location are refused.
 */
async function receivingLocation(table: TableRef, order: OrderRecord): Promise<string> {
  if (order.fulfilment.type === 'pickup') return order.fulfilment.storeId;
  const held = order.allocations[0]?.locationId;
  if (held) return held;
  const locations = await listLocations(table);
  const chosen = locations.find((location) => location.type === 'warehouse') ?? locations[0];
  if (!chosen) throw new WorkflowTaskError(orderNotFoundErrorName, 'no location can receive goods');
  return chosen.locationId;
}

/**
 * After the supplier's answer did not come in time (or came before the token was parked): closes an OPEN
 * purchase order as EXPIRED, or reports the decision the supplier made meanwhile. Idempotent.
 */
export async function settlePurchaseOrder(
  table: TableRef,
  input: { poId: string; step: string; actor: string; now: Date },
): Promise<{ decision: 'CONFIRMED' | 'REJECTED' | 'EXPIRED' | 'CANCELLED' }> {
  const po = await getPurchaseOrder(table, input.poId);
  if (!po) throw new WorkflowTaskError(orderNotFoundErrorName, `purchase order ${input.poId} does not exist`);
  if (po.status !== 'OPEN') return { decision: po.status === 'RECEIVED' ? 'CONFIRMED' : po.status };
  const at = input.now.toISOString();
  try {
    await transact(table, 'expirePurchaseOrder', [
      poUpdate(table, po, 'SET #status = :expired', { ':expired': 'EXPIRED' }, at),
      auditPut(table, po, {
        at,
        event: 'PO_EXPIRED',
        actor: input.actor,
        step: input.step,
        reason: `${po.poId}: ${po.supplierId} did not answer in time`,
      }),
    ]);
    return { decision: 'EXPIRED' };
  } catch (error) {
    if (cancellationCodes(error)[0] !== 'ConditionalCheckFailed') throw error;
    return settlePurchaseOrder(table, input);
  }
}

/** A conditional update of the PO, on the version that was read: one writer wins, the others re-read. */
function poUpdate(
  table: TableRef,
  po: PurchaseOrderRecord,
  set: string,
  values: Record<string, unknown>,
  at: string,
  remove?: string,
): TransactItem {
  return {
    Update: {
      TableName: table.tableName,
      Key: keys.purchaseOrder(po.poId),
      UpdateExpression: `${set}, version = :next, updatedAt = :now${remove ? ` REMOVE ${remove}` : ''}`,
      ConditionExpression: 'version = :version',
      // `processed` is a DynamoDB reserved word; DynamoDB also refuses names an expression does not use.
      ExpressionAttributeNames: Object.fromEntries(
        Object.entries({ '#status': 'status', '#received': 'received', '#processed': 'processed' }).filter(
          ([name]) => set.includes(name),
        ),
      ),
      ExpressionAttributeValues: { ...values, ':version': po.version, ':next': po.version + 1, ':now': at },
    },
  };
}

const transact = (table: TableRef, operation: string, items: TransactItem[]) =>
  callAws(operation, () => table.document.send(new TransactWriteCommand({ TransactItems: items })));

export type SupplierDecision =
  | { readonly kind: 'confirm'; readonly lines: OrderLine[]; readonly eta: string }
  | { readonly kind: 'reject'; readonly reason: string };

export type DecideResult =
  | { readonly kind: 'decided'; readonly po: PurchaseOrderRecord; readonly token?: string }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'conflict'; readonly reason: string };

const decisionAttempts = 5;

/**
 * A supplier confirms (all or part of each line) or rejects an OPEN purchase order. Repeating the same
 * decision is a replay (answered the same, and the workflow is woken again in case the first call crashed
 * before waking it); any other decision on a decided PO is a conflict.
 */
export async function decidePurchaseOrder(
  table: TableRef,
  input: { poId: string; supplierId: string; decision: SupplierDecision; actor: string; now: Date },
): Promise<DecideResult> {
  for (let attempt = 1; attempt <= decisionAttempts; attempt++) {
    const po = await getPurchaseOrder(table, input.poId);
    if (!po || po.supplierId !== input.supplierId) return { kind: 'not-found' };
    const target = input.decision.kind === 'confirm' ? 'CONFIRMED' : 'REJECTED';
    if (po.status !== 'OPEN') {
      const same =
        po.status === target &&
        (input.decision.kind === 'reject' ||
          JSON.stringify(po.confirmedLines) === JSON.stringify(input.decision.lines));
      if (same)
        return { kind: 'decided', po, ...(po.supplierTaskToken ? { token: po.supplierTaskToken } : {}) };
      return { kind: 'conflict', reason: `purchase order ${po.poId} is ${po.status}` };
    }
    const at = input.now.toISOString();
    let item: TransactItem;
    if (input.decision.kind === 'confirm') {
      const ordered = Object.fromEntries(po.lines.map((line) => [line.sku, line.qty]));
      const check = checkLinesWithin(input.decision.lines, ordered);
      if (!check.ok) return { kind: 'conflict', reason: check.reason };
      item = poUpdate(
        table,
        po,
        'SET #status = :status, confirmedLines = :lines, eta = :eta',
        { ':status': target, ':lines': input.decision.lines, ':eta': input.decision.eta },
        at,
      );
    } else {
      item = poUpdate(
        table,
        po,
        'SET #status = :status, reason = :reason',
        {
          ':status': target,
          ':reason': input.decision.reason,
        },
        at,
      );
    }
    const reason =
      input.decision.kind === 'confirm'
        ? `${po.poId}: ${describeLines(input.decision.lines)}, eta ${input.decision.eta}`
        : `${po.poId}: ${input.decision.reason}`;
    // Confirmed replenishment units are on their way to become available: they count as inbound until received.
    const inbound =
      input.decision.kind === 'confirm' && po.purpose === 'replenishment'
        ? input.decision.lines.map((line) => inboundStock(table, line, po.locationId, line.qty, at))
        : [];
    try {
      await transact(table, 'decidePurchaseOrder', [
        item,
        ...inbound,
        auditPut(table, po, {
          at,
          event: input.decision.kind === 'confirm' ? 'PO_CONFIRMED' : 'PO_REJECTED',
          actor: input.actor,
          step: input.decision.kind === 'confirm' ? 'ConfirmPurchaseOrder' : 'RejectPurchaseOrder',
          reason,
        }),
      ]);
      const decided = { ...po, status: target } as PurchaseOrderRecord;
      return {
        kind: 'decided',
        po: decided,
        ...(po.supplierTaskToken ? { token: po.supplierTaskToken } : {}),
      };
    } catch (error) {
      if (cancellationCodes(error)[0] !== 'ConditionalCheckFailed') throw error;
    }
  }
  throw new TransientError(`purchase order ${input.poId} kept changing`);
}

export type ReceiveResult =
  | { readonly kind: 'received'; readonly po: PurchaseOrderRecord; readonly token?: string }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'conflict'; readonly reason: string };

/**
 * Goods received at a location against a CONFIRMED purchase order, possibly in several partial receipts.
 * The units go on hand *and* into `reserved` in the same transaction: they are earmarked for the waiting
 * backorders until AllocateReceipt shares them out, so no new order can take them first.
 */
export async function receiveGoods(
  table: TableRef,
  input: {
    locationId: string;
    poId: string;
    lines: OrderLine[];
    receiptId?: string;
    actor: string;
    now: Date;
  },
): Promise<ReceiveResult> {
  for (let attempt = 1; attempt <= decisionAttempts; attempt++) {
    const po = await getPurchaseOrder(table, input.poId);
    if (!po) return { kind: 'not-found' };
    if (po.locationId !== input.locationId)
      return { kind: 'conflict', reason: `purchase order ${po.poId} is to be received at ${po.locationId}` };
    if (input.receiptId && (await receiptExists(table, po.poId, input.receiptId)))
      return { kind: 'received', po, ...(po.receiptTaskToken ? { token: po.receiptTaskToken } : {}) };
    if (po.status !== 'CONFIRMED')
      return { kind: 'conflict', reason: `purchase order ${po.poId} is ${po.status}, not CONFIRMED` };
    const outstanding = Object.fromEntries(
      (po.confirmedLines ?? []).map((line) => [line.sku, line.qty - (po.received[line.sku] ?? 0)]),
    );
    const check = checkLinesWithin(input.lines, outstanding);
    if (!check.ok) return { kind: 'conflict', reason: check.reason };
    const received = { ...po.received };
    for (const line of input.lines) received[line.sku] = (received[line.sku] ?? 0) + line.qty;
    const complete = (po.confirmedLines ?? []).every((line) => (received[line.sku] ?? 0) >= line.qty);
    const status = complete ? 'RECEIVED' : 'CONFIRMED';
    const at = input.now.toISOString();
    const items: TransactItem[] = [
      poUpdate(
        table,
        po,
        'SET #status = :status, #received = :received',
        {
          ':status': status,
          ':received': received,
        },
        at,
      ),
      ...input.lines.map((line) =>
        receivedStock(table, line, input.locationId, po.purpose === 'replenishment' ? line.qty : 0, at),
      ),
      auditPut(table, po, {
        at,
        event: complete ? 'PO_RECEIVED' : 'PO_PARTIALLY_RECEIVED',
        actor: input.actor,
        step: `ReceiveGoods#${po.version}`,
        reason: `${po.poId} at ${input.locationId}: ${describeLines(input.lines)}`,
      }),
    ];
    if (input.receiptId) {
      items.push({
        Put: {
          TableName: table.tableName,
          Item: { ...keys.receipt(po.poId, input.receiptId), entity: 'receipt', lines: input.lines, at },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    }
    try {
      await transact(table, 'receiveGoods', items);
      const updated = { ...po, status, received } as PurchaseOrderRecord;
      return {
        kind: 'received',
        po: updated,
        ...(po.receiptTaskToken ? { token: po.receiptTaskToken } : {}),
      };
    } catch (error) {
      if (!cancellationCodes(error).includes('ConditionalCheckFailed')) throw error;
    }
  }
  throw new TransientError(`purchase order ${input.poId} kept changing`);
}

async function receiptExists(table: TableRef, poId: string, receiptId: string): Promise<boolean> {
  const { Item } = await callAws('getReceipt', () =>
    table.document.send(
      new GetCommand({
        TableName: table.tableName,
        Key: keys.receipt(poId, receiptId),
        ConsistentRead: true,
      }),
    ),
  );
  return Item !== undefined;
}

/**
 * Received units go on hand and earmarked; those that were inbound are no longer. Creates the stock item if
 * the location never had the SKU; the PO version condition makes it happen once.
 */
function receivedStock(
  table: TableRef,
  line: OrderLine,
  locationId: string,
  wasInbound: number,
  at: string,
): TransactItem {
  return stockUpdate(table, line, locationId, line.qty, -wasInbound, at);
}

/** Units confirmed by a supplier for a location's stock (not for backorders: those are sold already). */
const inboundStock = (table: TableRef, line: OrderLine, locationId: string, qty: number, at: string) =>
  stockUpdate(table, line, locationId, 0, qty, at);

function stockUpdate(
  table: TableRef,
  line: OrderLine,
  locationId: string,
  earmarked: number,
  inbound: number,
  at: string,
): TransactItem {
  return {
    Update: {
      TableName: table.tableName,
      Key: keys.stock(line.sku, locationId),
      UpdateExpression:
        'SET onHand = if_not_exists(onHand, :zero) + :qty, reserved = if_not_exists(reserved, :zero) + :qty, ' +
        'available = if_not_exists(available, :zero), safetyStock = if_not_exists(safetyStock, :zero), ' +
        'inbound = if_not_exists(inbound, :zero) + :inbound, sku = :sku, locationId = :locationId, entity = :entity, ' +
        'gsi1pk = :gsi1pk, gsi1sk = :gsi1sk, updatedAt = :now',
      ExpressionAttributeValues: {
        ':zero': 0,
        ':qty': earmarked,
        ':inbound': inbound,
        ':sku': line.sku,
        ':locationId': locationId,
        ':entity': 'stock',
        ...prefixed(keys.stockByLocation(line.sku, locationId)),
        ':now': at,
      },
    },
  };
}

const prefixed = (values: Record<string, string>) =>
  Object.fromEntries(Object.entries(values).map(([name, value]) => [`:${name}`, value]));

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

export async function listBackorders(table: TableRef, orderId: string): Promise<BackorderRecord[]> {
  const page = await callAws('listBackorders', () =>
    table.document.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.orderPartition(orderId), ':prefix': keys.backorderPrefix },
        ConsistentRead: true,
      }),
    ),
  );
  return (page.Items ?? []).map((item) => backorderRecordSchema.parse(item));
}

/** Backorders take at most this many allocations per transaction (3 writes each, DynamoDB allows 100). */
const maxAllocationsPerTransaction = 30;

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
  const at = input.now.toISOString();
  const expiresAt = new Date(input.now.getTime() + input.holdMinutes * 60_000).toISOString();
  const skus = (po.confirmedLines ?? []).map((line) => line.sku);
  for (const sku of skus) {
    const pending = (po.received[sku] ?? 0) - (po.processed[sku] ?? 0);
    if (pending <= 0) continue;
    const waiting = (await waitingBackorders(table, sku)).filter((b) => b.status === 'WAITING');
    const { allocations, rest } = allocateFifo(
      pending,
      waiting.map((b) => ({ ...b, outstanding: b.qty - b.allocated })),
    );
    const shared = allocations.slice(0, maxAllocationsPerTransaction);
    const restNow = rest + allocations.slice(maxAllocationsPerTransaction).reduce((s, a) => s + a.qty, 0);
    const items: TransactItem[] = [
      poUpdate(table, po, 'SET #processed.#sku = :processed', { ':processed': po.received[sku] ?? 0 }, at),
    ];
    const update = items[0]?.Update;
    if (update) update.ExpressionAttributeNames = { ...update.ExpressionAttributeNames, '#sku': sku };
    for (const allocation of shared) {
      const backorder = waiting.find((b) => b.orderId === allocation.orderId) as BackorderRecord;
      const allocated = backorder.allocated + allocation.qty;
      items.push(
        {
          Update: {
            TableName: table.tableName,
            Key: keys.backorder(backorder.orderId, sku),
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
            Key: keys.hold(backorder.orderId, sku, po.locationId),
            UpdateExpression:
              'SET entity = :entity, orderId = :orderId, sku = :sku, locationId = :locationId, ' +
              'qty = if_not_exists(qty, :zero) + :qty, #status = :held, expiresAt = :expiresAt, createdAt = if_not_exists(createdAt, :now)',
            ConditionExpression: 'attribute_not_exists(pk) OR #status = :held',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':entity': 'hold',
              ':orderId': backorder.orderId,
              ':sku': sku,
              ':locationId': po.locationId,
              ':zero': 0,
              ':qty': allocation.qty,
              ':held': 'HELD',
              ':expiresAt': expiresAt,
              ':now': at,
            },
          },
        },
        timelinePut(table, backorder.orderId, {
          at,
          event: 'BACKORDER_ALLOCATED',
          actor: input.actor,
          step: `${input.step}#${po.poId}#${sku}`,
          reason: `${allocation.qty} × ${sku} at ${po.locationId} from ${po.poId}`,
        }),
      );
    }
    if (restNow > 0) {
      // Earmarked on the head at receipt; on sharded stock the rebalancer spreads them over the shards.
      items.push(
        ...stockChangeItems(
          table,
          sku,
          po.locationId,
          [{ bucket: 'head', available: restNow, reserved: -restNow }],
          at,
        ),
      );
    }
    try {
      await transact(table, 'allocateReceipt', items);
    } catch (error) {
      // Another receipt or a backorder changed meanwhile: the ASL retries the whole (idempotent) task.
      if (cancellationCodes(error).includes('ConditionalCheckFailed'))
        throw new TransientError(`allocating ${po.poId} raced with another change`, { cause: error });
      throw error;
    }
    po = { ...po, processed: { ...po.processed, [sku]: po.received[sku] ?? 0 }, version: po.version + 1 };
  }
  const ordersToResume: string[] = [];
  for (const sku of skus) {
    for (const backorder of await waitingBackorders(table, sku)) {
      if (backorder.status !== 'ALLOCATED' || ordersToResume.includes(backorder.orderId)) continue;
      const all = await listBackorders(table, backorder.orderId);
      if (all.every((b) => b.status !== 'WAITING')) ordersToResume.push(backorder.orderId);
    }
  }
  const complete =
    po.status === 'RECEIVED' && skus.every((sku) => (po?.processed[sku] ?? 0) >= (po?.received[sku] ?? 0));
  // A replenishment fully received and shared out is over: the next drop below the reorder point opens another.
  if (complete && po.replenishment) {
    await closeReplenishment(table, po.replenishment, 'CLOSED', {
      at,
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

/** The order's parked fulfilment token (if any) and status. */
export async function backorderWaiter(
  table: TableRef,
  orderId: string,
): Promise<{ status?: string; token?: string }> {
  const { Item } = await callAws('getBackorderToken', () =>
    table.document.send(
      new GetCommand({ TableName: table.tableName, Key: keys.order(orderId), ConsistentRead: true }),
    ),
  );
  return compact({
    status: Item?.status as string | undefined,
    token: Item?.backorderTaskToken as string | undefined,
  });
}

/**
 * After the waiting fulfilment was answered (or the order cancelled): its open backorders move to `status`
 * (RESUMED or WITHDRAWN), each with its timeline entry in the same transaction, conditioned on the backorder
 * still being open, so a re-run (retry, redrive, a cancellation's replay) closes and tells nothing twice. The
 * used token is removed, so a later round never answers a stale token (conditional on the token: idempotent).
 */
export async function closeBackorders(
  table: TableRef,
  input: {
    orderId: string;
    token: string | undefined;
    status: 'RESUMED' | 'WITHDRAWN';
    actor: string;
    step: string;
    now: Date;
  },
): Promise<number> {
  const { orderId, token } = input;
  const at = input.now.toISOString();
  let closed = 0;
  for (const backorder of await listBackorders(table, orderId)) {
    if (backorder.status === 'RESUMED' || backorder.status === 'WITHDRAWN') continue;
    try {
      await transact(table, 'closeBackorder', [
        {
          Update: {
            TableName: table.tableName,
            Key: keys.backorder(orderId, backorder.sku),
            UpdateExpression: 'SET #status = :status, updatedAt = :now',
            ConditionExpression: '#status IN (:waiting, :allocated)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':status': input.status,
              ':waiting': 'WAITING',
              ':allocated': 'ALLOCATED',
              ':now': at,
            },
          },
        },
        timelinePut(table, orderId, {
          at,
          event: `BACKORDER_${input.status}`,
          actor: input.actor,
          step: `${input.step}#${backorder.sku}`,
          reason: `${backorder.allocated} of ${backorder.qty} × ${backorder.sku} allocated`,
        }),
      ]);
      closed++;
    } catch (error) {
      // Closed meanwhile by a concurrent run: it wrote the timeline entry.
      if (cancellationCodes(error)[0] !== 'ConditionalCheckFailed') throw error;
    }
  }
  if (token) await clearBackorderToken(table, orderId, token);
  return closed;
}

/** Removes a used fulfilment token from the order, unless a newer wait has parked another one since. */
export async function clearBackorderToken(table: TableRef, orderId: string, token: string): Promise<void> {
  try {
    await callAws('clearBackorderToken', () =>
      table.document.send(
        new UpdateCommand({
          TableName: table.tableName,
          Key: keys.order(orderId),
          UpdateExpression: 'REMOVE backorderTaskToken',
          ConditionExpression: 'backorderTaskToken = :token',
          ExpressionAttributeValues: { ':token': token },
        }),
      ),
    );
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
}

/** The fulfilment execution to resume has not parked its token yet; the ASL retries this error name. */
export class BackorderNotParkedError extends Error {
  override readonly name = backorderNotParkedErrorName;
}

/**
 * A cancelled order no longer needs the purchase orders its suppliers have not confirmed yet: each OPEN one
 * becomes CANCELLED (with a timeline entry), conditioned on its version so a supplier's simultaneous answer
 * either wins or is refused, never both. Confirmed ones stand (the goods are coming; on receipt they go to
 * other backorders first, then on sale). Returns the POs cancelled now and the tokens of every cancelled PO
 * whose workflow may still wait on it: waking those again on a replay repairs a crash between the two steps.
 */
export async function cancelOpenPurchaseOrders(
  table: TableRef,
  input: { orderId: string; actor: string; step: string; reason: string; now: Date },
): Promise<{ cancelled: string[]; waitingTokens: string[] }> {
  const cancelled: string[] = [];
  const waitingTokens: string[] = [];
  for (const poId of await orderPurchaseOrderIds(table, input.orderId)) {
    for (let attempt = 1; ; attempt++) {
      const po = await getPurchaseOrder(table, poId);
      if (!po) break;
      if (po.status === 'CANCELLED') {
        if (po.supplierTaskToken) waitingTokens.push(po.supplierTaskToken);
        break;
      }
      if (po.status !== 'OPEN') break;
      const at = input.now.toISOString();
      try {
        await transact(table, 'cancelPurchaseOrder', [
          poUpdate(
            table,
            po,
            'SET #status = :cancelled, reason = :reason',
            {
              ':cancelled': 'CANCELLED',
              ':reason': input.reason,
            },
            at,
          ),
          timelinePut(table, input.orderId, {
            at,
            event: 'PO_CANCELLED',
            actor: input.actor,
            step: `${input.step}#${po.poId}`,
            reason: `${po.poId} to ${po.supplierId}: ${input.reason}`,
          }),
        ]);
        cancelled.push(po.poId);
        if (po.supplierTaskToken) waitingTokens.push(po.supplierTaskToken);
        break;
      } catch (error) {
        // The supplier answered (or the workflow parked its token) meanwhile: re-read and decide again.
        if (cancellationCodes(error)[0] !== 'ConditionalCheckFailed' || attempt >= decisionAttempts)
          throw error;
      }
    }
  }
  return { cancelled, waitingTokens };
}

async function orderPurchaseOrderIds(table: TableRef, orderId: string): Promise<string[]> {
  const page = await callAws('listOrderPurchaseOrders', () =>
    table.document.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': keys.orderPartition(orderId),
          ':prefix': keys.orderPurchaseOrderPrefix,
        },
        ConsistentRead: true,
      }),
    ),
  );
  return (page.Items ?? []).map((item) => String(item.poId));
}
