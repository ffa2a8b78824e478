import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type StreamCheckpoints, startStreamMapping } from '../emulators/dynamodb/stream-mapping';
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
  /** A table's stream ARN (DynamoDB Local's, read at start), for stream triggers. */
  streams: {
    readonly endpoint: string;
    readonly enabled: boolean;
    streamArn(table: string): string | undefined;
  },
): void {
  for (const [name, definition] of functionEntries()) {
    if (definition.streamTrigger && streams.enabled) {
      const trigger = definition.streamTrigger;
      const streamArn = streams.streamArn(trigger.table);
      if (!streamArn) throw new Error(`table ${trigger.table} has no stream for ${name}`);
      const mapping = startStreamMapping({
        endpoint: streams.endpoint,
        streamArn,
        batchSize: trigger.batchSize,
        maxRetryAttempts: trigger.maxRetryAttempts,
        filters: trigger.filters,
        // A new world starts with what happens from now on; a persisted one resumes after what it handled.
        startingPosition: 'LATEST',
        ...(context.persistDir ? { checkpoints: fileCheckpoints(context.persistDir, name) } : {}),
        invoke: (event) => invoker.invoke(name, event),
        onError: (error) => context.notice(`stream trigger ${name}: ${(error as Error).message}`),
      });
      context.onStop(() => mapping.stop());
    }
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

/** A stream mapping's positions in the persisted state directory, written as they move. */
function fileCheckpoints(persistDir: string, functionName: string): StreamCheckpoints {
  const file = join(persistDir, `stream-positions-${functionName}.json`);
  const positions = readPositions(file);
  return {
    get: (shardId) => positions[shardId],
    set: (shardId, sequenceNumber) => {
      positions[shardId] = sequenceNumber;
      // Written aside, then renamed over: a kill -9 mid-write leaves the previous positions, never half a file.
      writeFileSync(`${file}.tmp`, JSON.stringify(positions));
      renameSync(`${file}.tmp`, file);
    },
  };
}

/** The positions saved, or none when there are none (or they cannot be read: the stream is read again). */
function readPositions(file: string): Record<string, string> {
  try {
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
  } catch {
    return {};
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
