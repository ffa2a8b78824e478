import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { localCredentials, localRegion } from '../protocol/identity';
import { matchesFilter } from './event-filter';

/**
 * A Lambda event source mapping for a DynamoDB stream, against DynamoDB Local's Streams API: it polls every
 * shard of the table's stream, drops the records no filter admits (Lambda event filtering: they are not
 * delivered, and count as processed), and invokes the function with batches in Lambda's event format, in
 * order per shard. A batch that fails is retried, from the same records, up to `maxRetryAttempts` times
 * (then it is discarded and reported, as a mapping without an on-failure destination does), so one shard's
 * records never overtake each other.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
 */
export interface StreamMappingOptions {
  readonly endpoint: string;
  readonly streamArn: string;
  /** Records per invocation (AWS: 1 to 10 000; default 100). */
  readonly batchSize: number;
  /** Filter patterns; a record is delivered when it matches any (none: every record). */
  readonly filters?: readonly Record<string, unknown>[];
  readonly maxRetryAttempts: number;
  /** Where a mapping created now starts: LATEST (what happens from now on) or TRIM_HORIZON (all retained). */
  readonly startingPosition: 'LATEST' | 'TRIM_HORIZON';
  readonly invoke: (event: DynamoDBStreamEvent) => Promise<unknown>;
  readonly onError?: (error: unknown) => void;
  /** How often an idle shard is polled (AWS polls each shard four times a second). */
  readonly pollIntervalMs?: number;
  /**
   * Where the mapping keeps its position per shard, so a restart resumes after the last record it handled
   * (as an AWS mapping's position survives): none, and a restart starts at `startingPosition` again.
   */
  readonly checkpoints?: StreamCheckpoints;
}

export interface StreamCheckpoints {
  get(shardId: string): string | undefined;
  set(shardId: string, sequenceNumber: string): void;
}

export function startStreamMapping(options: StreamMappingOptions): { stop(): Promise<void> } {
  const client = new DynamoDBStreamsClient({
    endpoint: options.endpoint,
    region: localRegion,
    credentials: localCredentials,
  });
  const iterators = new Map<string, string | undefined>();
  const interval = options.pollIntervalMs ?? 250;
  let stopped = false;
  let firstDescribe = true;

  const discoverShards = async () => {
    const { StreamDescription } = await client.send(
      new DescribeStreamCommand({ StreamArn: options.streamArn }),
    );
    for (const shard of StreamDescription?.Shards ?? []) {
      if (!shard.ShardId || iterators.has(shard.ShardId)) continue;
      // After the last record handled, if there is one; else shards open when the mapping starts begin where
      // it says, and shards that appear later from their start.
      const after = options.checkpoints?.get(shard.ShardId);
      const type = after
        ? 'AFTER_SEQUENCE_NUMBER'
        : firstDescribe
          ? options.startingPosition
          : 'TRIM_HORIZON';
      const { ShardIterator } = await client.send(
        new GetShardIteratorCommand({
          StreamArn: options.streamArn,
          ShardId: shard.ShardId,
          ShardIteratorType: type,
          ...(after ? { SequenceNumber: after } : {}),
        }),
      );
      iterators.set(shard.ShardId, ShardIterator);
    }
    firstDescribe = false;
  };

  const pollShard = async (shardId: string, iterator: string) => {
    const page = await client.send(
      new GetRecordsCommand({ ShardIterator: iterator, Limit: options.batchSize }),
    );
    const records = (page.Records ?? []).map((record) => toLambdaRecord(record, options.streamArn));
    const delivered = records.filter(
      (record) => !options.filters || options.filters.some((pattern) => matchesFilter(pattern, record)),
    );
    if (delivered.length > 0) await invokeWithRetries(delivered);
    const last = page.Records?.at(-1)?.dynamodb?.SequenceNumber;
    if (last) options.checkpoints?.set(shardId, last);
    // A closed shard has no next iterator: it is done (its children carry on).
    iterators.set(shardId, page.NextShardIterator);
    return records.length;
  };

  const invokeWithRetries = async (records: DynamoDBRecord[]) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await options.invoke({ Records: records });
        return;
      } catch (error) {
        options.onError?.(error);
        if (attempt >= options.maxRetryAttempts || stopped) return;
        await sleep(Math.min(interval * 2 ** attempt, 5000));
      }
    }
  };

  const loop = (async () => {
    while (!stopped) {
      let busy = false;
      try {
        await discoverShards();
        for (const [shardId, iterator] of iterators)
          if (iterator && !stopped) busy = (await pollShard(shardId, iterator)) > 0 || busy;
      } catch (error) {
        options.onError?.(error);
      }
      if (!busy) await sleep(interval);
    }
  })();

  return {
    stop: async () => {
      stopped = true;
      await loop;
      client.destroy();
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A record as Lambda delivers it (the SDK's shape, with the creation time in epoch seconds). */
function toLambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const created = record.dynamodb?.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName as DynamoDBRecord['eventName'],
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: localRegion,
    eventSourceARN: streamArn,
    dynamodb: {
      ...(record.dynamodb as NonNullable<DynamoDBRecord['dynamodb']>),
      ...(created ? { ApproximateCreationDateTime: Math.floor(created.getTime() / 1000) } : {}),
    },
  };
}
