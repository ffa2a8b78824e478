import type { LambdaInvoker } from '../emulators/lambda/invoker';
import { localRegion, queueArn } from '../emulators/protocol/identity';
import { startEventSourceMapping } from '../emulators/sqs/event-source-mapping';
import type { BindContext } from './context';
import { functionEntries } from './system-functions';

/**
 * What invokes functions besides requests and workflows: SQS event source mappings (with partial batch
 * responses) and schedules (EventBridge in AWS, a timer here; the handler cannot tell the difference).
 */
export function bindTriggers(
  context: BindContext,
  invoker: LambdaInvoker,
  sqs: { readonly url: string; queueUrl(name: string): string },
): void {
  for (const [name, definition] of functionEntries()) {
    if (definition.sqsTrigger) {
      const queueName = definition.sqsTrigger.queue;
      const mapping = startEventSourceMapping({
        sqsEndpoint: sqs.url,
        queueUrl: sqs.queueUrl(queueName),
        queueArn: queueArn(queueName),
        batchSize: definition.sqsTrigger.batchSize,
        maximumBatchingWindowSeconds: definition.sqsTrigger.maxBatchingWindowSeconds,
        reportBatchItemFailures: true,
        invoke: (event) => invoker.invoke(name, event),
        onError: (error) => context.log(`event source mapping ${name}: ${(error as Error).message}`),
      });
      context.onStop(() => mapping.stop());
    }
    if (definition.schedule) {
      const timer = setInterval(() => {
        invoker
          .invoke(name, scheduledEvent())
          .catch((error: Error) => context.log(`schedule ${name}: ${error.message}`));
      }, definition.schedule.everyMinutes * 60_000);
      timer.unref();
      context.onStop(async () => clearInterval(timer));
    }
  }
}

const scheduledEvent = () => ({
  version: '0',
  id: crypto.randomUUID(),
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  time: new Date().toISOString(),
  region: localRegion,
  resources: [],
  detail: {},
});
