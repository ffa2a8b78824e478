import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ChannelEventData, ChannelEventType } from '../../contracts/channel-events';
import { keys } from '../../contracts/keys';
import type { DerivedEvent } from '../../core/channel-events';
import { callAws } from '../errors';
import type { TableRef } from './client';
import { isConditionalCheckFailed } from './items';
import { queryAll } from './query';

export interface LoggedEvent {
  readonly id: string;
  readonly type: ChannelEventType;
  readonly orderId: string;
  readonly occurredAt: string;
  readonly data: ChannelEventData;
  /** Set once the channel's webhook accepted it. */
  readonly deliveredAt?: string;
  readonly sk: string;
}

/** How long an order's event log is kept once written (then DynamoDB's TTL removes it). */
const retentionSeconds = 90 * 24 * 3600;

/**
 * Appends an event to its order's event log, once: the put is conditioned on the event not being there, and
 * its id is stable for the change it reports, so the stream's retries and replays add nothing.
 */
export async function appendChannelEvent(table: TableRef, event: DerivedEvent): Promise<boolean> {
  try {
    await callAws('appendChannelEvent', () =>
      table.document.send(
        new PutCommand({
          TableName: table.tableName,
          Item: {
            ...keys.channelEvent(event.orderId, event.occurredAt, event.id),
            entity: 'channelEvent',
            ...event,
            pending: true,
            expiresAtEpoch: Math.floor(Date.parse(event.occurredAt) / 1000) + retentionSeconds,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/** The order's events its channel has not accepted yet, in order of occurrence. */
export async function pendingChannelEvents(table: TableRef, orderId: string): Promise<LoggedEvent[]> {
  const items = await queryAll(table, 'pendingChannelEvents', {
    KeyConditionExpression: 'pk = :pk',
    FilterExpression: 'pending = :pending',
    ExpressionAttributeValues: { ':pk': keys.channelEventLog(orderId), ':pending': true },
    ConsistentRead: true,
  });
  return items as unknown as LoggedEvent[];
}

/** The channel accepted the event (or has no webhook to send it to): it is no longer pending. */
export async function settleChannelEvent(
  table: TableRef,
  event: LoggedEvent,
  outcome: { readonly deliveredAt: string } | { readonly skipped: string },
): Promise<void> {
  const field = 'deliveredAt' in outcome ? 'deliveredAt' : 'skipped';
  await callAws('settleChannelEvent', () =>
    table.document.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: { pk: keys.channelEventLog(event.orderId), sk: event.sk },
        UpdateExpression: `SET #outcome = :outcome REMOVE pending`,
        ExpressionAttributeNames: { '#outcome': field },
        ExpressionAttributeValues: {
          ':outcome': 'deliveredAt' in outcome ? outcome.deliveredAt : outcome.skipped,
        },
      }),
    ),
  );
}
