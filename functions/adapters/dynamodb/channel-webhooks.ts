import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { keys } from '../../contracts/keys';
import { callAws } from '../errors';
import { newSigningSecret } from './carriers';
import type { TableRef } from './client';
import { isConditionalCheckFailed } from './items';

const webhookRecordSchema = z.object({
  channelId: z.string(),
  url: z.string(),
  secret: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ChannelWebhook = z.infer<typeof webhookRecordSchema>;

/**
 * Registers a channel's webhook, or moves it to a new URL. A new webhook gets a Standard Webhooks signing
 * secret, returned this once; a move keeps it (the channel verifies with the secret it has). Conditional, so
 * two registrations at once create one secret.
 */
export async function putChannelWebhook(
  table: TableRef,
  channelId: string,
  url: string,
  now: Date,
): Promise<{ readonly webhook: ChannelWebhook; readonly created: boolean }> {
  const at = now.toISOString();
  const webhook: ChannelWebhook = {
    channelId,
    url,
    secret: newSigningSecret(),
    createdAt: at,
    updatedAt: at,
  };
  try {
    await callAws('createChannelWebhook', () =>
      table.document.send(
        new PutCommand({
          TableName: table.tableName,
          Item: { ...keys.channelWebhook(channelId), entity: 'channelWebhook', ...webhook },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    return { webhook, created: true };
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
  const { Attributes } = await callAws('moveChannelWebhook', () =>
    table.document.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.channelWebhook(channelId),
        UpdateExpression: 'SET #url = :url, updatedAt = :at',
        ExpressionAttributeNames: { '#url': 'url' },
        ExpressionAttributeValues: { ':url': url, ':at': at },
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  return { webhook: webhookRecordSchema.parse(Attributes), created: false };
}

export async function getChannelWebhook(
  table: TableRef,
  channelId: string,
): Promise<ChannelWebhook | undefined> {
  const { Item } = await callAws('getChannelWebhook', () =>
    table.document.send(new GetCommand({ TableName: table.tableName, Key: keys.channelWebhook(channelId) })),
  );
  return Item ? webhookRecordSchema.parse(Item) : undefined;
}
