/**
 * The sales-channel part of the system definition (system.ts spreads it in): order events out to channels
 * (docs/channel-events.md). The table's stream is the outbox; a queue carries delivery requests.
 */
import { commonEnvironment, type FunctionDefinition } from './system-model';

/** Only changes of orders, shipments and returns reach the publisher (Lambda event filtering: no invocation for the rest). */
export const channelEventsStreamFilter = {
  dynamodb: { NewImage: { entity: { S: ['order', 'shipment', 'return'] } } },
} as const;

export const channelFunctions = {
  publishChannelEvents: {
    entry: 'functions/handlers/channels/publish-channel-events.stream.ts',
    environment: { ...commonEnvironment, CHANNEL_EVENTS_QUEUE_URL: { queueUrl: 'channelEvents' } },
    grants: [
      { table: 'main', access: 'readWrite' },
      { queue: 'channelEvents', access: 'send' },
    ],
    streamTrigger: {
      table: 'main',
      batchSize: 100,
      maxRetryAttempts: 10,
      filters: [channelEventsStreamFilter],
    },
  },
  deliverChannelEvents: {
    entry: 'functions/handlers/channels/deliver-channel-events.sqs.ts',
    timeoutSeconds: 30,
    environment: {
      ...commonEnvironment,
      CHANNEL_EVENTS_QUEUE_URL: { queueUrl: 'channelEvents' },
      DELIVERY_TIMEOUT_MS: '5000',
      DELIVERY_RETRY_BASE_MS: '2000',
    },
    grants: [
      { table: 'main', access: 'readWrite' },
      { queue: 'channelEvents', access: 'consume' },
    ],
    sqsTrigger: { queue: 'channelEvents', batchSize: 10, maxBatchingWindowSeconds: 0 },
  },
  manageChannelWebhooks: {
    entry: 'functions/handlers/channels/channel-webhook.api.ts',
    environment: { ...commonEnvironment },
    grants: [{ table: 'main', access: 'readWrite' }],
  },
} as const satisfies Record<string, FunctionDefinition>;
