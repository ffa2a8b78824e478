import * as z from 'zod';
import { identifierSchema } from './schemas';

/**
 * Order events out to sales channels (issue 12, docs/channel-events.md): what a channel learns without
 * polling, each signed with Standard Webhooks and delivered at least once to the webhook it registered.
 */
export const channelEventTypes = [
  'order.reserved',
  'order.backordered',
  'order.rejected',
  'order.cancelled',
  'shipment.ready_for_pickup',
  'shipment.in_transit',
  'shipment.delivered',
  'order.delivery_failed',
  'order.not_collected',
  'refund.requested',
] as const;
export type ChannelEventType = (typeof channelEventTypes)[number];

/** What an event says, by type: the order's new status, or the shipment's facts the channel passes on. */
export interface ChannelEventData {
  readonly status?: string;
  readonly shipmentId?: string;
  readonly locationId?: string;
  readonly carrierId?: string;
  readonly trackingNumber?: string;
  readonly etaAt?: string;
  readonly pickupBy?: string;
  /** shipment.ready_for_pickup: filled in when it is sent (only its hash is stored). */
  readonly pickupCode?: string;
  /** refund.requested: the return (under the channel's own ids), what to refund, and which request this is. */
  readonly returnId?: string;
  readonly amount?: number;
  readonly currency?: string;
  readonly lines?: readonly { readonly sku: string; readonly qty: number; readonly amount: number }[];
  readonly attempt?: number;
  readonly proof?: {
    readonly kind: string;
    readonly ref: string;
    readonly lat?: number;
    readonly lng?: number;
  };
}

/** One event as the channel receives it (the webhook body); `webhook-id` is its `id`. */
export interface ChannelEvent {
  readonly id: string;
  readonly type: ChannelEventType;
  readonly occurredAt: string;
  readonly channelId: string;
  /** The channel's own order id (what it used in POST /orders). */
  readonly orderId: string;
  readonly data: ChannelEventData;
}

export const channelIdParamsSchema = z.object({ channelId: identifierSchema });

export const channelWebhookBodySchema = z.strictObject({
  url: z
    .string()
    .max(2048)
    .url()
    .refine((url) => /^https?:\/\//.test(url), 'must be an http(s) URL'),
});

export const channelWebhookSchema = z.object({
  channelId: identifierSchema,
  url: z.string(),
  /** The Standard Webhooks secret the channel verifies events with: returned when the webhook is created, only then. */
  signingSecret: z.string().optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
