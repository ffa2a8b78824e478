import type { RouteContract } from './api-model';
import * as channelSchemas from './channel-events';

/** The route contracts of sales channels' order-event webhooks (contracts/api.ts merges every area's). */
export const channelContracts = {
  'PUT /ops/channels/{channelId}/webhook': {
    summary:
      "Register or move a sales channel's webhook for order events; a new webhook's signing secret is returned this once",
    access: { roles: ['ops'] },
    params: channelSchemas.channelIdParamsSchema,
    body: channelSchemas.channelWebhookBodySchema,
    successStatus: 200,
    response: channelSchemas.channelWebhookSchema,
    problems: [415, 422],
  },
} as const satisfies Record<string, RouteContract>;
