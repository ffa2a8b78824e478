import * as z from 'zod';

/**
 * Orders belong to the sales channel that created them. A channel names its orders itself (or lets the
 * system do it), and those names need only be unique within the channel: two channels may both send
 * "A-1001". The system-wide order id is therefore `<channelId>.<channelOrderId>`. Neither part may contain
 * ".", so two different (channel, name) pairs never share an id, and an id cannot be guessed into another
 * channel's space. It is what keys the order item, names its executions and derives purchase order ids.
 *
 * Lengths: at most 16 + 1 + 47 = 64 characters, so `<orderId>-procure-<version>` stays within the 80
 * characters of a Step Functions execution name and `<orderId>-<round>-<attempt>` within a purchase order
 * id (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html#StepFunctions-StartExecution-request-name).
 */
export const channelIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,15}$/, 'must be 1-16 letters, digits, "-" or "_"');

export const channelOrderIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_-]{0,46}$/,
    'must be 1-47 letters, digits, "-" or "_", starting with a letter or digit',
  );

export const orderIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_-]{0,15}\.[A-Za-z0-9][A-Za-z0-9_-]{0,46}$/,
    'must be <channelId>.<channel order id>',
  );

/** How a caller names an order in a path: a channel by its own order id, ops by the system-wide id. */
export const orderReferenceSchema = z.union([channelOrderIdSchema, orderIdSchema]);

export const orderIdOf = (channelId: string, channelOrderId: string): string =>
  `${channelId}.${channelOrderId}`;

/** The channel part and the channel's own name of a system-wide order id. */
export function splitOrderId(orderId: string): { channelId: string; channelOrderId: string } | undefined {
  const dot = orderId.indexOf('.');
  if (dot < 0) return undefined;
  return { channelId: orderId.slice(0, dot), channelOrderId: orderId.slice(dot + 1) };
}

/**
 * The order a caller means by `reference`, or undefined when it cannot name one of theirs. A channel only
 * reaches its own orders (its principal's scope is its channel id), so another channel's order answers
 * exactly like one that does not exist. Ops, who see every channel, use the system-wide id.
 */
export function orderIdFor(
  caller: { readonly role: string; readonly scope: string },
  reference: string,
): string | undefined {
  if (caller.role === 'channel') {
    const ownName = channelOrderIdSchema.safeParse(reference).success;
    return ownName && channelIdSchema.safeParse(caller.scope).success
      ? orderIdOf(caller.scope, reference)
      : undefined;
  }
  return orderIdSchema.safeParse(reference).success ? reference : undefined;
}
