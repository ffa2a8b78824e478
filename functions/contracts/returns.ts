import * as z from 'zod';
import { orderIdFor } from './order-ids';
import { addressSchema, identifierSchema, skuSchema, unitPriceSchema } from './schemas';

/**
 * After-sales returns (issue 13, docs/returns.md). The catalogue's return policy per SKU comes first: what
 * may come back, and for how long after it reached the customer.
 */
export const skuPolicyBodySchema = z.strictObject({
  returnable: z.boolean(),
  /** Days from delivery or collection; absent: the default 30. */
  returnWindowDays: z.number().int().min(0).max(365).optional(),
});
export type SkuPolicyBody = z.infer<typeof skuPolicyBodySchema>;

export const skuPolicySchema = skuPolicyBodySchema.extend({
  sku: skuSchema,
  updatedAt: z.iso.datetime(),
});
export type SkuPolicy = z.infer<typeof skuPolicySchema>;

export * from './return-status';

import {
  type RefundState,
  type ReturnStatus,
  refundStates,
  returnMethods,
  returnReasonSchema,
  returnStatusSchema,
  splitReturnId,
} from './return-status';

/** How long a customer has to bring the goods back (or hand them to the courier) once the return is accepted. */
export const dropOffDays = 14;

const returnLineSchema = z.object({
  sku: skuSchema,
  qty: z.number().int().min(1).max(10_000),
  reason: returnReasonSchema,
});

export const createReturnBodySchema = z
  .strictObject({
    lines: z
      .array(returnLineSchema)
      .min(1)
      .max(25)
      .refine(
        (lines) => new Set(lines.map((line) => line.sku)).size === lines.length,
        'must not repeat a sku',
      ),
    method: z.enum(returnMethods),
    /** A store the customer means to use (any store accepts returns unless it says otherwise). */
    storeId: identifierSchema.optional(),
    pickupAddress: addressSchema.optional(),
    /** Replacement lines: a linked replacement order once the returned units are accepted. */
    exchange: z
      .array(
        z.object({
          sku: skuSchema,
          qty: z.number().int().min(1).max(10_000),
          /** The replacement's price; defaults to what the order paid for the SKU (needed if it is not on it). */
          unitPrice: unitPriceSchema.optional(),
        }),
      )
      .min(1)
      .max(25)
      .refine(
        (lines) => new Set(lines.map((line) => line.sku)).size === lines.length,
        'must not repeat a sku',
      )
      .optional(),
  })
  .superRefine((body, context) => {
    if (body.method === 'courier_pickup' && !body.pickupAddress)
      context.addIssue({ code: 'custom', path: ['pickupAddress'], message: 'required for a courier pickup' });
    if (body.method === 'store_dropoff' && body.pickupAddress)
      context.addIssue({ code: 'custom', path: ['pickupAddress'], message: 'only for a courier pickup' });
  });
export type CreateReturnBody = z.infer<typeof createReturnBodySchema>;

export const returnAcceptedSchema = z.object({
  returnId: z.string(),
  status: returnStatusSchema,
  /** What the customer shows (or writes on the parcel): not a secret, a reference. */
  rmaCode: z.string(),
  dropOffBy: z.iso.datetime(),
});
export type ReturnAccepted = z.infer<typeof returnAcceptedSchema>;

export const refundViewSchema = z.object({
  /** In the order's minor units; absent when the order carried no prices. */
  amount: z.number().int().optional(),
  currency: z.string().optional(),
  status: z.enum(refundStates),
  reference: z.string().optional(),
  lines: z.array(z.object({ sku: skuSchema, qty: z.number().int(), amount: z.number().int() })),
});

/** A return as the order view lists it. */
export const returnSummarySchema = z.object({
  returnId: z.string(),
  status: returnStatusSchema,
  method: z.enum(returnMethods),
  lines: z.array(returnLineSchema),
  rmaCode: z.string(),
  dropOffBy: z.iso.datetime(),
  /** Filled in as the refund is asked for and answered. */
  refund: refundViewSchema.optional(),
});

/** `<order reference>-r<n>`: the channel's own order id for a channel, the system-wide id for ops and staff. */
export const returnIdParamsSchema = z.object({
  returnId: z
    .string()
    .max(100)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*-r\d{1,2}$/, 'must be <orderId>-r<n>'),
});

export const unitConditions = ['resellable', 'damaged', 'missing'] as const;

/**
 * `POST /returns/{returnId}/received`: what came back, as staff of the receiving location found it. Each SKU
 * asked back must be accounted for in full (`missing` for units that did not come), possibly split by
 * condition over several lines.
 */
export const receiveReturnBodySchema = z.strictObject({
  locationId: identifierSchema,
  lines: z
    .array(
      z.object({
        sku: skuSchema,
        qty: z.number().int().min(1).max(10_000),
        condition: z.enum(unitConditions),
      }),
    )
    .min(1)
    .max(75),
});
export type ReceiveReturnBody = z.infer<typeof receiveReturnBodySchema>;

/** `POST /returns/{returnId}/refund`: the channel's answer to refund.requested. */
export const refundAnswerBodySchema = z
  .strictObject({
    status: z.enum(['succeeded', 'failed']),
    /** The payment provider's reference of the refund (or of the failure). */
    reference: z.string().min(1).max(200).regex(/\S/, 'must not be blank').optional(),
  })
  .superRefine((body, context) => {
    if (body.status === 'succeeded' && !body.reference)
      context.addIssue({ code: 'custom', path: ['reference'], message: 'required for a succeeded refund' });
  });
export type RefundAnswerBody = z.infer<typeof refundAnswerBodySchema>;

/** How the returns workflow's steps answer: the return's status, and what its next wait needs. */
export interface ReturnStepAnswer {
  readonly status: ReturnStatus;
  /** The drop-off wait's timeout: until dropOffBy, at most a day (the wait parks again). */
  readonly waitSeconds: number | null;
  /** The refund state the refund wait waits in. */
  readonly refund: RefundState | null;
  /** `book`: a courier pickup still to be booked (BookPickup). */
  readonly pickup: 'book' | null;
}

/** `POST /locations/{locationId}/damaged/{sku}/write-off`. */
export const damagedStockParamsSchema = z.object({ locationId: identifierSchema, sku: skuSchema });
export const writeOffBodySchema = z.strictObject({
  qty: z.number().int().min(1).max(100_000),
  reason: z.string().min(1).max(200).regex(/\S/, 'must not be blank'),
});
export const writtenOffSchema = z.object({
  locationId: z.string(),
  sku: skuSchema,
  writtenOff: z.number().int(),
  damaged: z.number().int(),
});

/** `GET /returns/{returnId}`: the return with its life so far. */
export const returnViewSchema = returnSummarySchema.extend({
  orderId: z.string(),
  storeId: z.string().optional(),
  exchange: z.array(z.object({ sku: skuSchema, qty: z.number().int() })).optional(),
  receivedAt: z.string().optional(),
  inspected: z
    .array(
      z.object({
        sku: skuSchema,
        resellable: z.number().int(),
        damaged: z.number().int(),
        missing: z.number().int(),
      }),
    )
    .optional(),
  refund: refundViewSchema.optional(),
  replacementOrderId: z.string().optional(),
  /** A courier pickup: where it goes, the carrier and tracking number once booked, when it arrived. */
  pickup: z
    .object({
      destinationLocationId: z.string(),
      carrierId: z.string().optional(),
      trackingNumber: z.string().optional(),
      arrivedAt: z.string().optional(),
      /** Why no carrier was booked (the goods may still be brought to a store). */
      failed: z.string().optional(),
    })
    .optional(),
  timeline: z.array(
    z.object({ at: z.iso.datetime(), status: returnStatusSchema, actor: z.string(), step: z.string() }),
  ),
});

/**
 * The return a caller means by `returnId`, as (system-wide order id, number): a channel names its own orders'
 * returns (another channel's answer as missing ones), ops and staff use the system-wide ids.
 */
export function returnKeyFor(
  caller: { readonly role: string; readonly scope: string },
  returnId: string,
): { readonly orderId: string; readonly number: number } | undefined {
  const named = splitReturnId(returnId);
  const orderId =
    named && orderIdFor(caller.role === 'staff' ? { ...caller, role: 'ops' } : caller, named.orderReference);
  return named && orderId ? { orderId, number: named.number } : undefined;
}

/** `GET /ops/returns`: one status's returns, or (attention=true) those whose refund failed. */
export const listReturnsQuerySchema = z
  .object({
    status: returnStatusSchema.optional(),
    /** Only returns whose refund the channel reported failed (they wait for POST /ops/returns/{id}/retry-refund). */
    attention: z.enum(['true', 'false']).default('false'),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    nextToken: z.string().min(1).max(2048).optional(),
  })
  .refine((query) => query.status !== undefined || query.attention === 'true', {
    path: ['status'],
    message: 'give a status, or attention=true',
  });

export const returnListSchema = z.object({
  items: z.array(returnViewSchema),
  nextToken: z.string().optional(),
});

/** `GET /ops/kpis/returns?from&to`: whole UTC days, at most a year; absent: the last 30 days. */
export const returnKpisQuerySchema = z
  .object({ from: z.iso.date().optional(), to: z.iso.date().optional() })
  .refine((query) => !query.from || !query.to || query.from <= query.to, {
    path: ['from'],
    message: 'must not be after to',
  })
  .refine(
    (query) => !query.from || !query.to || Date.parse(query.to) - Date.parse(query.from) <= 365 * 86_400_000,
    { path: ['to'], message: 'at most 366 days after from' },
  );

const reasonCountsSchema = z.record(z.string(), z.number().int().nonnegative());
export const returnKpisSchema = z.object({
  from: z.iso.date(),
  to: z.iso.date(),
  returns: z.number().int().nonnegative(),
  unitsDelivered: z.number().int().nonnegative(),
  unitsReturned: z.number().int().nonnegative(),
  /** Units asked back over units delivered in the period; null before any delivery. */
  returnRate: z.number().nonnegative().nullable(),
  byReason: reasonCountsSchema,
  bySku: z.array(
    z.object({
      sku: skuSchema,
      delivered: z.number().int().nonnegative(),
      returned: z.number().int().nonnegative(),
      returnRate: z.number().nonnegative().nullable(),
      byReason: reasonCountsSchema,
    }),
  ),
});
