import * as z from 'zod';
import { skuSchema } from './schemas';

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
