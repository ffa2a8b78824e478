import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { keys } from '../../../contracts/keys';
import {
  type PurchaseOrder,
  purchaseOrderPurposeSchema,
  purchaseOrderStatusSchema,
} from '../../../contracts/procurement';
import { type OrderLine, orderLineSchema } from '../../../contracts/schemas';
import { callAws } from '../../errors';
import type { TableRef } from '../client';
import type { TransactItem } from '../items';
import { timelineItem } from '../orders';
import { type AuditEntry, replenishmentEventPut } from '../replenishment';

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

/** How a supplier's or a warehouse's action on a purchase order ends; `token` wakes the waiting workflow. */
export type PurchaseOrderAnswer<Done extends string> =
  | { readonly kind: Done; readonly po: PurchaseOrderRecord; readonly token?: string }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'conflict'; readonly reason: string };

export const backorderRecordSchema = z.object({
  orderId: z.string(),
  sku: z.string(),
  qty: z.number().int().nonnegative(),
  allocated: z.number().int().nonnegative(),
  status: z.enum(['WAITING', 'ALLOCATED', 'RESUMED', 'WITHDRAWN']),
  createdAt: z.string(),
  /** The order's sourcing round when it was recorded: received goods are held in that round. */
  holdRound: z.number().int().nonnegative().default(0),
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

export const describeLines = (lines: readonly OrderLine[]) =>
  lines.map((l) => `${l.qty} × ${l.sku}`).join(', ');

export const timelinePut = (
  table: TableRef,
  orderId: string,
  entry: Parameters<typeof timelineItem>[1],
): TransactItem => ({ Put: { TableName: table.tableName, Item: timelineItem(orderId, entry) } });

/**
 * A purchase order's change goes to the audit trail of what it buys for: the order's timeline, or the
 * replenishment's own events (there is no order to write into).
 */
export function auditPut(
  table: TableRef,
  po: Pick<PurchaseOrderRecord, 'poId' | 'orderId' | 'replenishment'>,
  entry: AuditEntry,
): TransactItem {
  if (po.replenishment) return replenishmentEventPut(table, po.replenishment, entry);
  if (po.orderId) return timelinePut(table, po.orderId, entry);
  throw new Error(`purchase order ${po.poId} names neither an order nor a replenishment`);
}

/** A conditional update of the PO, on the version that was read: one writer wins, the others re-read. */
export function poUpdate(
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

export const decisionAttempts = 5;
