import { putChannelWebhook } from '../../adapters/dynamodb/channel-webhooks';
import { createDocumentClient } from '../../adapters/dynamodb/client';
import { channelContracts } from '../../contracts/api-channels';
import { loadFunctionEnvironment } from '../../shared/env';
import { httpHandler } from '../../shared/http';

const environment = loadFunctionEnvironment('manageChannelWebhooks');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

/** Registers (or moves) a channel's webhook; a new one's signing secret is in this answer only. */
export const handler = httpHandler(
  channelContracts['PUT /ops/channels/{channelId}/webhook'],
  async ({ params, body }) => {
    const { webhook, created } = await putChannelWebhook(table, params.channelId, body.url, new Date());
    const { secret, ...shown } = webhook;
    return { body: created ? { ...shown, signingSecret: secret } : shown };
  },
);
