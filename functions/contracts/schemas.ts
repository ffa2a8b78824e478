import * as z from 'zod';
import { channelIdSchema, channelOrderIdSchema, orderIdSchema, orderReferenceSchema } from './order-ids';
import { dispatchSettingsSchema, shipmentViewSchema } from './shipments';
import { money, storableCount, storableDecimal, storableQuantity } from './storable';

/**
 * Request and response shapes of the HTTP API v1 (docs/api.md) and of the workflow task payloads. Handlers
 * validate with them and the OpenAPI document is generated from them, so the spec cannot drift.
 */

export const roles = ['channel', 'supplier', 'staff', 'courier', 'ops'] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;

export const fulfilmentTypes = ['delivery', 'same_day', 'pickup'] as const;
export const fulfilmentTypeSchema = z.enum(fulfilmentTypes);
export type FulfilmentType = z.infer<typeof fulfilmentTypeSchema>;

export const locationTypes = ['warehouse', 'store', 'dark_store'] as const;
export const locationTypeSchema = z.enum(locationTypes);
export type LocationType = z.infer<typeof locationTypeSchema>;

export const orderStatuses = [
  'ACCEPTED',
  'RESERVED',
  'BACKORDERED',
  'PICKING',
  'PACKED',
  'IN_TRANSIT',
  'DELIVERED',
  'READY_FOR_PICKUP',
  'COLLECTED',
  // A click-and-collect order nobody came for: its units are back on the shelf; the channel refunds.
  'NOT_COLLECTED',
  // The carrier could not deliver and brought the parcel back: its units are back in stock; the channel refunds.
  'DELIVERY_FAILED',
  'RETURN_REQUESTED',
  // Some units came back and were refunded; the rest stay with the customer (or may still be returned).
  'PARTIALLY_RETURNED',
  'RETURNED',
  'CANCELLED',
  'REJECTED',
] as const;
export const orderStatusSchema = z.enum(orderStatuses);
export type OrderStatus = z.infer<typeof orderStatusSchema>;

/** Identifiers travel in keys (`ORDER#<id>`) and execution names (max 80, no spaces): keep them plain. */
export const identifierSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/,
    'must be 1-64 letters, digits, "-" or "_", starting with a letter or digit',
  );
export const skuSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    'must be 1-64 letters, digits, ".", "-" or "_", starting with a letter or digit',
  );

const latitudeSchema = storableDecimal.min(-90).max(90);
const longitudeSchema = storableDecimal.min(-180).max(180);
/**
 * Figures as stored, computed or summed (a replenishment may order up to twice a reorder point; totals add up
 * locations): any safe integer, which is what the table can hold. What clients send is bounded tighter, with
 * the `storable*` building blocks.
 */
const quantitySchema = z.number().int().positive();
const countSchema = z.number().int().nonnegative();

/**
 * Refuses a second element with the same key, naming it (`path: [index, key]`): one line per SKU in an order,
 * one item per SKU in a supplier feed (the second would silently lose to the first).
 */
const uniqueBy =
  <K extends string>(key: K, what: string) =>
  (elements: readonly Record<K, string>[], context: z.RefinementCtx) => {
    const seen = new Set<string>();
    elements.forEach((element, index) => {
      if (seen.has(element[key])) {
        context.addIssue({
          code: 'custom',
          path: [index, key],
          message: `duplicate ${key} ${element[key]}: one ${what} per ${key}`,
        });
      }
      seen.add(element[key]);
    });
  };

// ---------------------------------------------------------------------------------------------- locations

export const locationIdParamsSchema = z.object({ locationId: identifierSchema });

export const locationBodySchema = z.object({
  type: locationTypeSchema,
  name: z.string().trim().min(1).max(200),
  lat: latitudeSchema,
  lng: longitudeSchema,
  fulfils: z
    .array(fulfilmentTypeSchema)
    .min(1)
    .refine((types) => new Set(types).size === types.length, 'must not repeat a fulfilment type'),
  sameDayRadiusKm: storableDecimal.positive().max(500).optional(),
  /**
   * Replenishment defaults for every SKU stocked here (a SKU's stock may override them): when available falls
   * below `reorderPoint`, a replenishment purchase order starts for `reorderQuantity` (rounded up to lift the
   * position back to the reorder point), or, without it, for what brings the position up to twice the point.
   */
  reorderPoint: storableCount.optional(),
  reorderQuantity: storableQuantity.optional(),
  // Dispatch: time zone, same-day cut-off, pick promise, transfers, pickup hold (contracts/shipments.ts).
  ...dispatchSettingsSchema.shape,
});
export type LocationBody = z.infer<typeof locationBodySchema>;

export const locationSchema = locationBodySchema.extend({
  locationId: identifierSchema,
  updatedAt: z.iso.datetime(),
});
export type Location = z.infer<typeof locationSchema>;

// ------------------------------------------------------------------------------------------------- stock

export const stockParamsSchema = z.object({ locationId: identifierSchema, sku: skuSchema });

/**
 * A cycle count, optionally with this SKU's own reorder settings at this location (overriding the location's
 * defaults). The count is absolute; reorder settings are planning data, not counted: omitted keeps the
 * current override, `null` removes it.
 */
export const stockBodySchema = z.object({
  onHand: storableCount,
  safetyStock: storableCount,
  reorderPoint: storableCount.nullable().optional(),
  reorderQuantity: storableQuantity.nullable().optional(),
});
export type StockBody = z.infer<typeof stockBodySchema>;

export const stockFiguresSchema = z.object({
  onHand: countSchema,
  reserved: countSchema,
  available: countSchema,
  inbound: countSchema,
  safetyStock: countSchema,
  /** Returned units found damaged here: never available, cleared only by a write-off (docs/returns.md). */
  damaged: countSchema,
});

export const stockResponseSchema = stockFiguresSchema.extend({
  sku: skuSchema,
  locationId: identifierSchema,
  /** This SKU's own reorder settings here, when set (else the location's apply). */
  reorderPoint: countSchema.optional(),
  reorderQuantity: quantitySchema.optional(),
  updatedAt: z.iso.datetime(),
});

export const replenishmentStatuses = ['OPEN', 'CLOSED', 'ABANDONED'] as const;
export const replenishmentStatusSchema = z.enum(replenishmentStatuses);
export type ReplenishmentStatus = z.infer<typeof replenishmentStatusSchema>;

/** The latest replenishment of a SKU at a location (at most one is OPEN at a time). */
export const replenishmentViewSchema = z.object({
  status: replenishmentStatusSchema,
  seq: z.number().int().positive(),
  poId: z.string().optional(),
});

/** Upper bound on stock shards per (SKU, location): a switch or rebalance writes each in one transaction. */
export const maxStockShards = 32;

export const stockShardsBodySchema = z.object({ shards: z.number().int().min(1).max(maxStockShards) });
export type StockShardsBody = z.infer<typeof stockShardsBodySchema>;

const bucketFiguresSchema = z.object({ available: countSchema, reserved: countSchema });

export const stockShardsResponseSchema = stockResponseSchema.extend({
  shards: z.number().int().min(1),
  /** The head item's own units: received or counted units not yet spread, or a debt (negative). */
  head: bucketFiguresSchema.extend({ available: z.number().int() }),
  /** Every shard item, including retired ones that still hold reserved units. */
  shardFigures: z.array(bucketFiguresSchema.extend({ shard: countSchema })),
});

export const skuParamsSchema = z.object({ sku: skuSchema });

export const inventoryResponseSchema = z.object({
  sku: skuSchema,
  locations: z.array(
    stockFiguresSchema.extend({
      locationId: identifierSchema,
      replenishment: replenishmentViewSchema.optional(),
      /** Present when the stock is split over shards (a hot SKU). */
      shards: z.number().int().min(2).optional(),
    }),
  ),
  totals: z.object({
    onHand: countSchema,
    reserved: countSchema,
    available: countSchema,
    inbound: countSchema,
  }),
  suppliers: z.array(
    z.object({
      supplierId: identifierSchema,
      available: countSchema,
      leadTimeDays: countSchema,
      unitCost: z.number().nonnegative().optional(),
      feedSeq: countSchema,
      updatedAt: z.iso.datetime(),
    }),
  ),
});
export type InventoryResponse = z.infer<typeof inventoryResponseSchema>;

// ------------------------------------------------------------------------------------------------ orders

export const addressSchema = z.object({
  line1: z.string().trim().min(1).max(200),
  city: z.string().trim().min(1).max(100),
  postalCode: z.string().trim().min(1).max(20),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as "GB"'),
  lat: latitudeSchema,
  lng: longitudeSchema,
});
export type Address = z.infer<typeof addressSchema>;

export const fulfilmentSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('pickup'), storeId: identifierSchema, address: addressSchema.optional() }),
  z.object({ type: z.literal('same_day'), address: addressSchema }),
  z.object({ type: z.literal('delivery'), address: addressSchema }),
]);
export type Fulfilment = z.infer<typeof fulfilmentSchema>;

/** A SKU and a number of units, as recorded on orders, purchase orders and receipts. */
export const orderLineSchema = z.object({ sku: skuSchema, qty: quantitySchema });
/** A line a client sends (an order, a purchase order confirmation, a receipt). */
export const requestedLineSchema = orderLineSchema.extend({ qty: storableQuantity });
export type OrderLine = z.infer<typeof orderLineSchema>;

/** A reservation writes two items per allocation in one transaction (limit 100): this keeps orders within it. */
export const maxOrderLines = 25;

/**
 * What a unit sells for, in minor units of the order's currency (pence, cents): an integer, so refunds add
 * up exactly. Optional: orders without prices are fulfilled the same, and refund nothing by amount.
 */
export const unitPriceSchema = z.number().int().nonnegative().max(100_000_000);
/** ISO 4217 alphabetic code, as the channel charged the customer. */
export const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as "GBP"');

/** An order line as sold: a SKU, a quantity, and what one unit cost the customer. */
export const pricedLineSchema = orderLineSchema.extend({ unitPrice: unitPriceSchema.optional() });
export type PricedLine = z.infer<typeof pricedLineSchema>;

export const createOrderBodySchema = z
  .object({
    /** The channel's own name for the order (unique per channel); generated when absent. */
    orderId: channelOrderIdSchema.optional(),
    customerId: z.string().trim().min(1).max(128),
    fulfilment: fulfilmentSchema,
    currency: currencySchema.optional(),
    lines: z
      .array(requestedLineSchema.extend({ unitPrice: unitPriceSchema.optional() }))
      .min(1)
      .max(maxOrderLines)
      .superRefine(uniqueBy('sku', 'line')),
  })
  .superRefine((order, context) => {
    // Prices mean nothing without their currency, and one line priced means every line must be.
    const priced = order.lines.filter((line) => line.unitPrice !== undefined).length;
    if (priced > 0 && priced < order.lines.length)
      context.addIssue({ code: 'custom', path: ['lines'], message: 'every line needs a unitPrice, or none' });
    if (priced > 0 && !order.currency)
      context.addIssue({
        code: 'custom',
        path: ['currency'],
        message: 'required when lines have a unitPrice',
      });
    if (priced === 0 && order.currency)
      context.addIssue({
        code: 'custom',
        path: ['currency'],
        message: 'only with lines that have a unitPrice',
      });
  });
export type CreateOrderBody = z.infer<typeof createOrderBodySchema>;

/** `orderId` is the channel's own name for the order, as the channel addresses it. */
export const orderAcceptedSchema = z.object({ orderId: channelOrderIdSchema, status: orderStatusSchema });

export const allocationSchema = z.object({
  sku: skuSchema,
  qty: quantitySchema,
  locationId: identifierSchema,
});
export type Allocation = z.infer<typeof allocationSchema>;
export const shortfallSchema = z.object({ sku: skuSchema, qty: quantitySchema });
export type Shortfall = z.infer<typeof shortfallSchema>;

export const timelineEntrySchema = z.object({
  at: z.iso.datetime(),
  status: orderStatusSchema.optional(),
  event: z.string().optional(),
  actor: z.string(),
  step: z.string(),
  reason: z.string().optional(),
});
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;

export const orderIdParamsSchema = z.object({ orderId: orderReferenceSchema });

/** The body is optional: a bare POST cancels; a reason, when given, goes on the timeline. */
export const cancelOrderBodySchema = z
  .object({ reason: z.string().trim().min(1).max(500).optional() })
  .strict()
  .optional();
export const orderCancelledSchema = z.object({
  /** As the caller named it in the path. */
  orderId: orderReferenceSchema,
  status: z.literal('CANCELLED'),
  /** What the cancellation undid, for the caller's records (zero on a replay). */
  releasedHolds: z.number().int().nonnegative(),
  withdrawnBackorders: z.number().int().nonnegative(),
  cancelledPurchaseOrders: z.array(z.string()),
});

export const orderResponseSchema = z.object({
  /** As the caller named it in the path: the channel's own id for a channel, the system-wide id for ops. */
  orderId: orderReferenceSchema,
  /** The sales channel the order belongs to. */
  channelId: channelIdSchema,
  customerId: z.string(),
  status: orderStatusSchema,
  fulfilment: fulfilmentSchema,
  currency: currencySchema.optional(),
  lines: z.array(pricedLineSchema),
  allocations: z.array(allocationSchema),
  shortfall: z.array(shortfallSchema).optional(),
  /** Pickup orders short at the chosen store: other pickup stores that could serve the whole order, nearest first. */
  pickupAlternatives: z.array(identifierSchema).optional(),
  shipments: z.array(shipmentViewSchema),
  /** Its returns (contracts/returns.ts returnSummarySchema), oldest first. */
  returns: z.array(
    z.object({
      returnId: z.string(),
      status: z.string(),
      method: z.string(),
      lines: z.array(z.object({ sku: z.string(), qty: z.number().int(), reason: z.string() })),
      rmaCode: z.string(),
      dropOffBy: z.string(),
    }),
  ),
  timeline: z.array(timelineEntrySchema),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type OrderResponse = z.infer<typeof orderResponseSchema>;

// --------------------------------------------------------------------------------------------- suppliers

export const supplierIdParamsSchema = z.object({ supplierId: identifierSchema });

/**
 * One SQS message carries one feed. Every field of an item is bounded, so 500 items stay far below SQS's
 * message size limit (`maxSqsMessageBytes`; test/handlers/storable-input.test.ts checks the largest feed).
 */
export const maxSupplierFeedItems = 500;

/** Availability further out than a year is not availability. */
export const maxLeadTimeDays = 365;

/** Checked by the API for every item, and again by the ingest, item by item, for messages queued earlier. */
export const supplierStockItemSchema = z.object({
  sku: skuSchema,
  available: storableCount,
  leadTimeDays: storableCount.max(maxLeadTimeDays),
  unitCost: money.optional(),
});
export type SupplierStockItem = z.infer<typeof supplierStockItemSchema>;

export const supplierStockBodySchema = z.object({
  /** The supplier's own sequence (any safe integer: `.int()` admits no other); only a newer one is applied. */
  feedSeq: countSchema,
  items: z
    .array(supplierStockItemSchema)
    .min(1)
    .max(maxSupplierFeedItems)
    .superRefine(uniqueBy('sku', 'item')),
});

/** The SQS message between the API and the ingest function. */
export const supplierStockMessageSchema = supplierStockBodySchema.extend({
  supplierId: identifierSchema,
  receivedAt: z.iso.datetime(),
});
export type SupplierStockMessage = z.infer<typeof supplierStockMessageSchema>;

/**
 * What the ingest needs to read a message at all; its items are then checked one by one, so one bad item
 * (in a message queued before the API refused such items) cannot hold the others back.
 */
export const supplierStockEnvelopeSchema = supplierStockMessageSchema.extend({
  items: z.array(z.unknown()),
});

export const queuedResponseSchema = z.object({ status: z.literal('queued') });

// --------------------------------------------------------------------------------------- workflow tasks

export const reserveStockTaskSchema = z.object({ orderId: orderIdSchema, step: z.string().min(1) });
/** `round`: 0 for the order's first fulfilment, n for the execution its n-th re-route started. */
export const createShipmentsTaskSchema = z.object({
  orderId: orderIdSchema,
  round: z.number().int().min(0).max(99).default(0),
});
export const reserveStockResultSchema = z.object({
  /** CANCELLED: the order was cancelled meanwhile; fulfilment ends without reserving. */
  outcome: z.enum(['RESERVED', 'BACKORDERED', 'CANCELLED']),
  shortfall: z.array(shortfallSchema),
});
export type ReserveStockResult = z.infer<typeof reserveStockResultSchema>;

export const recordOrderStatusTaskSchema = z.object({
  orderId: orderIdSchema,
  status: orderStatusSchema,
  step: z.string().min(1),
  reason: z.string().optional(),
});
