import * as z from 'zod';
import { orderIdSchema } from './order-ids';
import { identifierSchema, maxOrderLines, orderLineSchema, requestedLineSchema, skuSchema } from './schemas';

/** Procurement: purchase orders, receipts, and the demands that start them (docs/procurement.md). */

/**
 * Purchase order ids are derived from the order id (`<orderId>-<round>-<attempt>`, so with its "."), or from
 * a replenishment, so they may be a bit longer than an identifier.
 */
export const poIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/, 'must be 1-80 letters, digits, ".", "-" or "_"');

/** CANCELLED: the order it was for was cancelled before the supplier confirmed. */
export const purchaseOrderStatuses = [
  'OPEN',
  'CONFIRMED',
  'REJECTED',
  'EXPIRED',
  'RECEIVED',
  'CANCELLED',
] as const;
export const purchaseOrderStatusSchema = z.enum(purchaseOrderStatuses);
export type PurchaseOrderStatus = z.infer<typeof purchaseOrderStatusSchema>;

const poLinesSchema = z.array(requestedLineSchema).min(1).max(maxOrderLines);

/** Why a purchase order exists: an order's shortfall, or a location's stock below its reorder point. */
export const purchaseOrderPurposes = ['backorder', 'replenishment'] as const;
export const purchaseOrderPurposeSchema = z.enum(purchaseOrderPurposes);
export type PurchaseOrderPurpose = z.infer<typeof purchaseOrderPurposeSchema>;

export const purchaseOrderSchema = z.object({
  poId: poIdSchema,
  supplierId: identifierSchema,
  status: purchaseOrderStatusSchema,
  purpose: purchaseOrderPurposeSchema,
  /** What was ordered. */
  lines: z.array(orderLineSchema),
  /** What the supplier confirmed (at most what was ordered); present once confirmed. */
  confirmedLines: z.array(orderLineSchema).optional(),
  eta: z.string().optional(),
  /** Where the goods are to be received. */
  locationId: identifierSchema,
  createdAt: z.iso.datetime(),
});
export type PurchaseOrder = z.infer<typeof purchaseOrderSchema>;

export const purchaseOrderListSchema = z.object({
  items: z.array(purchaseOrderSchema),
  nextToken: z.string().optional(),
});

export const purchaseOrderParamsSchema = z.object({ supplierId: identifierSchema, poId: poIdSchema });

export const confirmPurchaseOrderBodySchema = z.object({
  lines: poLinesSchema,
  eta: z.iso.datetime({ offset: true }).or(z.iso.date()),
});
/** A reason says something: blank is refused, as for a cancellation. */
export const rejectPurchaseOrderBodySchema = z.object({ reason: z.string().trim().min(1).max(500) });
export const purchaseOrderDecisionSchema = z.object({
  poId: poIdSchema,
  status: purchaseOrderStatusSchema,
});

export const receiptBodySchema = z.object({
  poId: poIdSchema,
  lines: poLinesSchema,
  /** Optional client id of the receipt: posting the same receipt again is then a harmless replay. */
  receiptId: identifierSchema.optional(),
});
export const receiptResponseSchema = z.object({
  poId: poIdSchema,
  status: purchaseOrderStatusSchema,
  received: z.array(orderLineSchema),
});

export const requestProcurementTaskSchema = z.object({ orderId: orderIdSchema, step: z.string().min(1) });

/**
 * What a procurement execution buys for; its input is `{demand}`. A backorder: an order's shortfall in one
 * procurement round (the order version its shortfall was recorded at). A replenishment: a SKU at a location
 * below its reorder point, `seq` numbering that pair's replenishments (at most one OPEN at a time).
 */
export const demandSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('backorder'),
    orderId: orderIdSchema,
    round: z.number().int().positive(),
  }),
  z.object({
    kind: z.literal('replenishment'),
    sku: skuSchema,
    locationId: identifierSchema,
    seq: z.number().int().positive(),
  }),
]);
export type Demand = z.infer<typeof demandSchema>;
export type BackorderDemand = Extract<Demand, { kind: 'backorder' }>;
export type ReplenishmentDemand = Extract<Demand, { kind: 'replenishment' }>;

export const createPurchaseOrderTaskSchema = z.object({
  demand: demandSchema,
  step: z.string().min(1),
  attempt: z.number().int().nonnegative(),
  tried: z.array(identifierSchema),
});
export const purchaseOrderTaskSchema = z.object({
  demand: demandSchema,
  poId: poIdSchema,
  step: z.string().min(1),
});
export const abandonBackorderTaskSchema = z.object({ demand: demandSchema, step: z.string().min(1) });
