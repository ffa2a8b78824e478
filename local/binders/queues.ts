import { join } from 'node:path';
import { deadLetterQueueName, type QueueKey } from '../../functions/contracts/system';
import {
  type DeliveryOptions,
  deliveryEnvironmentVariable,
  describeDelivery,
  parseDeliveryEnvironment,
} from '../emulators/sqs/delivery';
import { startSqsService } from '../emulators/sqs/service';
import { systemDefinition } from '../system-resolution';
import type { BindContext } from './context';

/** Every queue of the definition with its dead-letter queue, as infra/constructs/queues.ts builds them. */
export function queueDefinitions() {
  return Object.entries(systemDefinition.queues).flatMap(([name, queue]) => [
    { name: deadLetterQueueName(name as QueueKey), messageRetentionSeconds: 14 * 86_400 },
    {
      name,
      visibilityTimeoutSeconds: queue.visibilityTimeoutSeconds,
      messageRetentionSeconds: queue.retentionDays * 86_400,
      redrivePolicy: {
        deadLetterQueueName: deadLetterQueueName(name as QueueKey),
        maxReceiveCount: queue.maxReceiveCount,
      },
    },
  ]);
}

/** The local SQS service with the definition's queues; at least once unless told otherwise. */
export async function bindQueues(context: BindContext, delivery: DeliveryOptions | undefined) {
  const sqs = await startSqsService({
    port: 0,
    queues: queueDefinitions(),
    persistFile: context.persistDir ? join(context.persistDir, 'sqs.json') : undefined,
    delivery: delivery ??
      parseDeliveryEnvironment(process.env[deliveryEnvironmentVariable]) ?? { mode: 'at-least-once' },
    onDeadLetter: (event) =>
      context.notice(
        `dead letter: message ${event.messageId} of ${event.queue} failed ${event.receiveCount} times and moved to ${event.deadLetterQueue} (npm run ops -- dead-letters)`,
      ),
  });
  context.onStop(() => sqs.close());
  return { sqs, describe: () => `SQS                 ${sqs.url} (${describeDelivery(sqs.delivery)})` };
}
