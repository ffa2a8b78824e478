import * as z from 'zod';
import { addressSchema, identifierSchema, skuSchema } from './schemas';

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

export const returnReasonSchema = z.enum([
  'damaged',
  'wrong_item',
  'not_as_described',
  'no_longer_needed',
  'other',
]);
export const returnMethods = ['store_dropoff', 'courier_pickup'] as const;

/** A return's life (the returns workflow moves it; docs/returns.md). */
export const returnStatuses = [
  'REQUESTED',
  'IN_TRANSIT',
  'RECEIVED',
  'REFUND_PENDING',
  'REFUNDED',
  'CLOSED',
  'EXPIRED',
  'REJECTED',
] as const;
export const returnStatusSchema = z.enum(returnStatuses);
export type ReturnStatus = z.infer<typeof returnStatusSchema>;
/** Returns that no longer hold units back: whatever they asked for may be asked again. */
export const lapsedReturnStatuses: readonly ReturnStatus[] = ['EXPIRED', 'REJECTED'];

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
      .array(z.object({ sku: skuSchema, qty: z.number().int().min(1).max(10_000) }))
      .max(25)
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

/** A return as the order view lists it. */
export const returnSummarySchema = z.object({
  returnId: z.string(),
  status: returnStatusSchema,
  method: z.enum(returnMethods),
  lines: z.array(returnLineSchema),
  rmaCode: z.string(),
  dropOffBy: z.iso.datetime(),
});

/** `<order reference>-r<n>`: the channel's own order id for a channel, the system-wide id for ops and staff. */
export const returnIdParamsSchema = z.object({
  returnId: z
    .string()
    .max(100)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*-r\d{1,2}$/, 'must be <orderId>-r<n>'),
});

/** `GET /returns/{returnId}`: the return with its life so far. */
export const returnViewSchema = returnSummarySchema.extend({
  orderId: z.string(),
  storeId: z.string().optional(),
  exchange: z.array(z.object({ sku: skuSchema, qty: z.number().int() })).optional(),
  timeline: z.array(
    z.object({ at: z.iso.datetime(), status: returnStatusSchema, actor: z.string(), step: z.string() }),
  ),
});

/** The order reference and the return's number a return id names. */
export function splitReturnId(
  returnId: string,
): { readonly orderReference: string; readonly number: number } | undefined {
  const match = /^(.+)-r(\d{1,2})$/.exec(returnId);
  return match ? { orderReference: match[1] as string, number: Number(match[2]) } : undefined;
}
