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
  const poller = new StreamPoller(options);
  const loop = poller.run();
  return {
    stop: async () => {
      poller.stopped = true;
      await loop;
      poller.close();
    },
  };
}

/**
 * The mapping's state: an iterator per shard, and the last sequence number handled per shard (kept in
 * memory always, and in `checkpoints` when given), so a shard whose iterator fails (expired, trimmed) is
 * taken up again right after the last record handled, never from its start.
 */
class StreamPoller {
  stopped = false;
  private readonly client: DynamoDBStreamsClient;
  private readonly iterators = new Map<string, string | undefined>();
  private readonly positions = new Map<string, string>();
  private readonly interval: number;
  private firstDescribe = true;

  constructor(private readonly options: StreamMappingOptions) {
    this.client = new DynamoDBStreamsClient({
      endpoint: options.endpoint,
      region: localRegion,
      credentials: localCredentials,
    });
    this.interval = options.pollIntervalMs ?? 250;
  }

  async run(): Promise<void> {
    while (!this.stopped) {
      let busy = false;
      try {
        await this.discoverShards();
        for (const [shardId, iterator] of this.iterators)
          if (iterator && !this.stopped) busy = (await this.pollShard(shardId, iterator)) > 0 || busy;
      } catch (error) {
        this.options.onError?.(error);
      }
      if (!busy) await sleep(this.interval);
    }
  }

  close(): void {
    this.client.destroy();
  }

  private async discoverShards(): Promise<void> {
    const { StreamDescription } = await this.client.send(
      new DescribeStreamCommand({ StreamArn: this.options.streamArn }),
    );
    for (const shard of StreamDescription?.Shards ?? []) {
      if (!shard.ShardId || this.iterators.has(shard.ShardId)) continue;
      this.iterators.set(shard.ShardId, await this.iteratorFor(shard.ShardId));
    }
    this.firstDescribe = false;
  }

  /**
   * After the last record handled, if there is one; else a shard open when the mapping starts begins where
   * it says, and one that appears later from its start.
   */
  private async iteratorFor(shardId: string): Promise<string | undefined> {
    const after = this.positions.get(shardId) ?? this.options.checkpoints?.get(shardId);
    const type = after
      ? 'AFTER_SEQUENCE_NUMBER'
      : this.firstDescribe
        ? this.options.startingPosition
        : 'TRIM_HORIZON';
    const { ShardIterator } = await this.client.send(
      new GetShardIteratorCommand({
        StreamArn: this.options.streamArn,
        ShardId: shardId,
        ShardIteratorType: type,
        ...(after ? { SequenceNumber: after } : {}),
      }),
    );
    return ShardIterator;
  }

  private async pollShard(shardId: string, iterator: string): Promise<number> {
    let page: Awaited<ReturnType<typeof this.getRecords>>;
    try {
      page = await this.getRecords(iterator);
    } catch (error) {
      // An iterator that expired or points at trimmed records: take the shard up again from its position.
      this.iterators.delete(shardId);
      throw error;
    }
    const records = (page.Records ?? []).map((record) => toLambdaRecord(record, this.options.streamArn));
    const { filters } = this.options;
    const delivered = records.filter(
      (record) => !filters || filters.some((pattern) => matchesFilter(pattern, record)),
    );
    if (delivered.length > 0) await this.invokeWithRetries(delivered);
    const last = page.Records?.at(-1)?.dynamodb?.SequenceNumber;
    if (last) {
      this.positions.set(shardId, last);
      this.options.checkpoints?.set(shardId, last);
    }
    // A closed shard has no next iterator: it is done (its children carry on).
    this.iterators.set(shardId, page.NextShardIterator);
    return records.length;
  }

  private getRecords(iterator: string) {
    return this.client.send(
      new GetRecordsCommand({ ShardIterator: iterator, Limit: this.options.batchSize }),
    );
  }

  private async invokeWithRetries(records: DynamoDBRecord[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.options.invoke({ Records: records });
        return;
      } catch (error) {
        this.options.onError?.(error);
        if (attempt >= this.options.maxRetryAttempts || this.stopped) return;
        await sleep(Math.min(this.interval * 2 ** attempt, 5000));
      }
    }
  }
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
