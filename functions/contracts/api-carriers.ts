import * as z from 'zod';
import type { RouteContract } from './api-model';
import * as carrierSchemas from './carriers';

/** The route contracts of the carrier registry, its performance, and the signed tracking webhooks (contracts/api.ts merges every area's). */
export const carrierContracts = {
  'PUT /carriers/{carrierId}': {
    summary:
      "Create or update a carrier; a new carrier's answer carries its webhook signing secret, this once",
    access: { roles: ['ops'] },
    params: carrierSchemas.carrierIdParamsSchema,
    body: carrierSchemas.carrierBodySchema,
    successStatus: 200,
    response: carrierSchemas.putCarrierResponseSchema,
    problems: [415, 422],
  },
  'GET /carriers': {
    summary: 'Every carrier, by id (never its secrets)',
    access: { roles: ['ops'] },
    successStatus: 200,
    response: carrierSchemas.carrierListSchema,
  },
  'GET /ops/carriers/{carrierId}/performance': {
    summary:
      "A carrier's delivery performance over the last `days` days: on-time rate, mean minutes late, failed attempts",
    access: { roles: ['ops'] },
    params: carrierSchemas.carrierIdParamsSchema,
    query: carrierSchemas.carrierPerformanceQuerySchema,
    successStatus: 200,
    response: carrierSchemas.carrierPerformanceSchema,
    problems: [404],
  },
  'POST /carriers/{carrierId}/rotate-secret': {
    summary:
      'A new webhook signing secret for the carrier, shown this once; the older ones verify for `graceHours` more (default 24)',
    access: { roles: ['ops'] },
    params: carrierSchemas.carrierIdParamsSchema,
    body: carrierSchemas.rotateSecretBodySchema,
    successStatus: 200,
    response: carrierSchemas.rotatedSecretSchema,
    problems: [404, 415, 422],
  },
  'POST /couriers/{carrierId}/events': {
    summary:
      "A carrier's tracking event, signed with Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature); a replayed id is a no-op",
    params: carrierSchemas.carrierIdParamsSchema,
    headers: carrierSchemas.webhookHeaders.map((header) => ({
      ...header,
      required: true,
      schema: z.string().min(1).max(1000),
    })),
    body: carrierSchemas.trackingEventBodySchema,
    successStatus: 200,
    response: carrierSchemas.trackingEventResponseSchema,
    problems: [409, 415, 422],
  },
} as const satisfies Record<string, RouteContract>;
