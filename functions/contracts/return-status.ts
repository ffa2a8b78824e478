import * as z from 'zod';

/*
 * A return's vocabulary (docs/returns.md): its statuses, reasons, methods and refund states. Apart from the
 * route schemas (returns.ts) so the adapters and the workflow's functions load only these.
 */
export const returnReasonSchema = z.enum([
  'damaged',
  'wrong_item',
  'not_as_described',
  'no_longer_needed',
  'other',
]);
export const returnMethods = ['store_dropoff', 'courier_pickup'] as const;

/** A refund's state: asked of the channel, reported failed (needs ops), or done. */
export const refundStates = ['requested', 'failed', 'succeeded'] as const;
export type RefundState = (typeof refundStates)[number];

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

/** The order reference and the return's number a return id names. */
export function splitReturnId(
  returnId: string,
): { readonly orderReference: string; readonly number: number } | undefined {
  const match = /^(.+)-r(\d{1,2})$/.exec(returnId);
  return match ? { orderReference: match[1] as string, number: Number(match[2]) } : undefined;
}
