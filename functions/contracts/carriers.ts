import * as z from 'zod';
import { returnStatusSchema } from './return-status';
import { identifierSchema } from './schemas';
import { shipmentIdSchema, shipmentStatusSchema } from './shipments';

/**
 * Carriers (issue 12): the parcel and same-day couriers dispatch books deliveries with. Each signs the
 * tracking webhooks it sends with a Standard Webhooks secret the system generates and shows once; a
 * rotation gives a new one and keeps the old one valid for a grace period (docs/carriers.md).
 */
export const carrierServices = ['parcel', 'same_day'] as const;

export const carrierIdParamsSchema = z.object({ carrierId: identifierSchema });

export const carrierBodySchema = z.object({
  name: z.string().trim().min(1).max(200),
  services: z
    .array(z.enum(carrierServices))
    .min(1)
    .refine((services) => new Set(services).size === services.length, 'must not repeat a service'),
  /** The carrier's booking API: the product calls it over HTTP(S), as it would a real courier platform. */
  apiUrl: z
    .string()
    .max(2048)
    .url()
    .refine((url) => /^https?:\/\//.test(url), 'must be an http(s) URL'),
  maxDistanceKm: z.number().positive().max(1000).optional(),
  /** The locations it collects from (its accounts); absent: every location. */
  origins: z
    .array(identifierSchema)
    .min(1)
    .max(500)
    .refine((origins) => new Set(origins).size === origins.length, 'must not repeat a location')
    .optional(),
  /** Lower books first; equal priorities are ranked by the fee each quotes. */
  priority: z.number().int().min(0).max(1000),
});
export type CarrierBody = z.infer<typeof carrierBodySchema>;

export const carrierSchema = carrierBodySchema.extend({
  carrierId: identifierSchema,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Carrier = z.infer<typeof carrierSchema>;

/** A new carrier's answer carries its signing secret, this once; an update's does not. */
export const putCarrierResponseSchema = carrierSchema.extend({ signingSecret: z.string().optional() });

export const carrierListSchema = z.object({ items: z.array(carrierSchema) });

/** How long the old secret keeps verifying after a rotation (the carrier switches within it). */
export const rotateSecretBodySchema = z
  .object({
    graceHours: z
      .number()
      .int()
      .min(0)
      .max(7 * 24)
      .default(24),
  })
  .strict()
  .optional();

export const rotatedSecretSchema = z.object({
  carrierId: identifierSchema,
  signingSecret: z.string(),
  /** Until when the secrets issued before this one still verify. */
  previousValidUntil: z.iso.datetime(),
});

/** The Standard Webhooks secret format: `whsec_` and base64 of the key (24 random bytes here). */
export const signingSecretPattern = /^whsec_[A-Za-z0-9+/]{32}$/;

/** What a carrier reports of a parcel it carries (the rule: core/tracking.ts). */
export const trackingEventTypes = [
  'picked_up',
  'out_for_delivery',
  'delivery_failed',
  'delivered',
  'returned_to_sender',
] as const;
export type TrackingEventType = (typeof trackingEventTypes)[number];

/** A carrier's tracking webhook (Standard Webhooks signed): what happened to a parcel, and when. */
/** A return's system-wide id (`<orderId>-r<n>`): what a return pickup is booked under (docs/returns.md). */
export const returnReferenceSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_-]{0,15}\.[A-Za-z0-9][A-Za-z0-9_-]{0,46}-r\d{1,2}$/,
    'must be <orderId>-r<n>',
  );

export const trackingEventBodySchema = z.object({
  /** The reference the booking was made under: a shipment id, or a return id for a return's courier pickup. */
  shipmentId: z.union([shipmentIdSchema, returnReferenceSchema]),
  type: z.enum(trackingEventTypes),
  at: z.iso.datetime(),
  /** Required for `delivered`: how the carrier knows the customer has it. */
  proof: z
    .object({
      kind: z.enum(['signature', 'photo', 'pin']),
      ref: z.string().trim().min(1).max(500),
      lat: z.number().min(-90).max(90).optional(),
      lng: z.number().min(-180).max(180).optional(),
    })
    .optional(),
  reason: z.string().trim().min(1).max(500).optional(),
});
export type TrackingEventBody = z.infer<typeof trackingEventBodySchema>;

export const trackingEventResponseSchema = z.object({
  shipmentId: z.union([shipmentIdSchema, returnReferenceSchema]),
  /** The shipment's status, or the return's for a return pickup. */
  status: z.union([shipmentStatusSchema, returnStatusSchema]),
  /** The same webhook-id was received before: nothing changed. */
  replay: z.boolean(),
});

/** The Standard Webhooks headers a tracking webhook carries. */
export const webhookHeaders = [
  { name: 'webhook-id', description: 'The message id: the same id twice is one event (a replay is a no-op)' },
  { name: 'webhook-timestamp', description: 'Seconds since the epoch; more than 5 minutes off is refused' },
  {
    name: 'webhook-signature',
    description: 'v1,<base64 HMAC-SHA256 of id.timestamp.body> with the carrier secret',
  },
] as const;

/** `GET /ops/carriers/{carrierId}/performance?days=`: the window, in whole UTC days up to today. */
export const carrierPerformanceQuerySchema = z.object({
  days: z.coerce.number().int().min(1).max(366).default(30),
});

/**
 * A carrier's deliveries over the window (docs/carriers.md): on time against what it was held to (same day:
 * the customer's promise; parcels: the ETA it committed to when booked), mean minutes late over its late
 * deliveries, failed attempts and parcels returned to sender.
 */
export const carrierPerformanceSchema = z.object({
  carrierId: identifierSchema,
  from: z.iso.date(),
  to: z.iso.date(),
  delivered: z.number().int().nonnegative(),
  deliveredOnTime: z.number().int().nonnegative(),
  /** deliveredOnTime / delivered; null before the first delivery. */
  onTimeRate: z.number().min(0).max(1).nullable(),
  meanMinutesLate: z.number().nonnegative(),
  failedAttempts: z.number().int().nonnegative(),
  returnedToSender: z.number().int().nonnegative(),
});
