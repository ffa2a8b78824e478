import { orderNotFoundErrorName, TransientError, WorkflowTaskError } from '../../../contracts/errors';
import { keys } from '../../../contracts/keys';
import type { BackorderDemand, Demand, ReplenishmentDemand } from '../../../contracts/procurement';
import { chooseSupplier, type Need, type SupplierOffer } from '../../../core/procurement';
import type { TableRef } from '../client';
import type { TransactItem } from '../items';
import { cancellationCodes, compact, transactWrite } from '../items';
import { listLocations } from '../locations';
import { loadOrder, type OrderRecord } from '../orders';
import {
  claimReplenishment,
  closeReplenishment,
  replenishmentExecutionName,
  replenishmentNeedAt,
  replenishmentPurchaseOrderUpdate,
} from '../replenishment';
import { querySkuPartition } from '../stock';
import {
  auditPut,
  describeLines,
  getPurchaseOrder,
  type PurchaseOrderRecord,
  timelinePut,
} from './purchase-orders';

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
export interface Purchase {
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
    await transactWrite(table, 'createPurchaseOrder', [
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
    ]);
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
      await transactWrite(table, 'recordBackorder', [
        {
          Update: {
            TableName: table.tableName,
            Key: keys.backorder(order.orderId, line.sku),
            UpdateExpression:
              'SET entity = :entity, orderId = :orderId, sku = :sku, qty = :qty, allocated = :zero, #status = :waiting, ' +
              '#round = :round, holdRound = :holdRound, createdAt = if_not_exists(createdAt, :now), gsi1pk = :queue, ' +
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
              ':holdRound': order.reroutes,
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
 * where it came up short (a re-routed shortfall nobody had: that location serves the order), else the first
 * warehouse. Receipts at another location are refused.
 */
async function receivingLocation(table: TableRef, order: OrderRecord): Promise<string> {
  if (order.fulfilment.type === 'pickup') return order.fulfilment.storeId;
  const held = order.allocations[0]?.locationId ?? order.excludedLocations[0];
  if (held) return held;
  const locations = await listLocations(table);
  const chosen = locations.find((location) => location.type === 'warehouse') ?? locations[0];
  if (!chosen) throw new WorkflowTaskError(orderNotFoundErrorName, 'no location can receive goods');
  return chosen.locationId;
}
