import type { SQSClient } from '@aws-sdk/client-sqs';
import { Webhook } from 'standardwebhooks';
import {
  appendChannelEvent,
  type LoggedEvent,
  pendingChannelEvents,
  settleChannelEvent,
} from '../adapters/dynamodb/channel-event-log';
import { getChannelWebhook } from '../adapters/dynamodb/channel-webhooks';
import type { TableRef } from '../adapters/dynamodb/client';
import { requestDeliveries } from '../adapters/sqs/channel-deliveries';
import type { ChannelEvent } from '../contracts/channel-events';
import { splitOrderId } from '../contracts/order-ids';
import { type ChangedItem, channelEventsOf } from '../core/channel-events';
import { pickupCodeFor } from './pickup-codes';

/**
 * Order events out to sales channels (docs/channel-events.md). The table's stream is the outbox: every
 * committed change of an order or a shipment is on it, once, in order per order, and only committed changes
 * are. publishChannelEvents turns the changes into events in the order's event log (idempotent by event
 * id) and asks for their delivery; deliverChannelEvents sends an order's pending events to its channel's
 * webhook in order of occurrence, signed, stopping at the first that fails (it is retried with backoff).
 */
export async function publishChannelEvents(
  deps: { readonly table: TableRef; readonly sqs: SQSClient; readonly queueUrl: string },
  changes: readonly { readonly before?: ChangedItem; readonly after?: ChangedItem }[],
): Promise<number> {
  const events = changes.flatMap((change) => channelEventsOf(change.before, change.after));
  for (const event of events) await appendChannelEvent(deps.table, event);
  // Also when every append was a repeat: the first attempt may have failed before asking.
  await requestDeliveries(deps.sqs, deps.queueUrl, [...new Set(events.map((event) => event.orderId))]);
  return events.length;
}

export class ChannelDeliveryError extends Error {
  override readonly name = 'ChannelDeliveryError';
}

export type DeliveryOutcome = { readonly delivered: number; readonly skipped: number };

export async function deliverChannelEvents(
  deps: { readonly table: TableRef; readonly timeoutMs: number },
  orderId: string,
): Promise<DeliveryOutcome> {
  const pending = await pendingChannelEvents(deps.table, orderId);
  // A repeated or replayed request finds nothing pending: no need to read the channel's webhook.
  if (pending.length === 0) return { delivered: 0, skipped: 0 };
  const channelId = splitOrderId(orderId)?.channelId;
  const webhook = channelId ? await getChannelWebhook(deps.table, channelId) : undefined;
  const outcome = { delivered: 0, skipped: 0 };
  for (const event of pending) {
    if (!channelId || !webhook) {
      // A channel without a webhook polls instead: the event is kept in the log, not sent.
      await settleChannelEvent(deps.table, event, { skipped: 'the channel has no webhook' });
      outcome.skipped++;
      continue;
    }
    const body = JSON.stringify(await channelEventOf(deps.table, channelId, event));
    await post(webhook, event.id, body, deps.timeoutMs);
    await settleChannelEvent(deps.table, event, { deliveredAt: new Date().toISOString() });
    outcome.delivered++;
  }
  return outcome;
}

/** The event as the channel receives it: its own order id, and a pickup's code filled in (never stored). */
async function channelEventOf(table: TableRef, channelId: string, event: LoggedEvent): Promise<ChannelEvent> {
  const channelOrderId = splitOrderId(event.orderId)?.channelOrderId ?? event.orderId;
  const data =
    event.type === 'shipment.ready_for_pickup' && event.data.shipmentId
      ? { ...event.data, pickupCode: await pickupCodeFor(table, event.data.shipmentId, event.occurredAt) }
      : event.data;
  return {
    id: event.id,
    type: event.type,
    occurredAt: event.occurredAt,
    channelId,
    orderId: channelOrderId,
    data,
  };
}

async function post(webhook: { url: string; secret: string }, id: string, body: string, timeoutMs: number) {
  const timestamp = new Date(Math.floor(Date.now() / 1000) * 1000);
  const signature = new Webhook(webhook.secret).sign(id, timestamp, body);
  let response: Response;
  try {
    response = await fetch(webhook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(timestamp.getTime() / 1000),
        'webhook-signature': signature,
      },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer();
  } catch (error) {
    throw new ChannelDeliveryError(`${webhook.url}: ${(error as Error).message}`);
  }
  if (!response.ok) throw new ChannelDeliveryError(`${webhook.url} answered ${response.status}`);
}
