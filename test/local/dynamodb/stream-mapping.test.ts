import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { matchesFilter, UnsupportedFilterError } from '../../../local/emulators/dynamodb/event-filter';
import { type StreamCheckpoints, startStreamMapping } from '../../../local/emulators/dynamodb/stream-mapping';
import { createTestTable, dynamodbEndpoint } from '../../support/dynamodb';
import { eventually } from '../../support/local-cloud-process';

/**
 * The local DynamoDB stream event source mapping (docs/local-cloud.md) on DynamoDB Local's real stream:
 * Lambda's event shape, event filtering, in-order retries of a failed batch, and a position that survives
 * a restart.
 */
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function streamTable() {
  const table = await createTestTable();
  const { Table } = await table.client.send(new DescribeTableCommand({ TableName: table.tableName }));
  return { ...table, streamArn: Table?.LatestStreamArn as string };
}

const put = (table: Awaited<ReturnType<typeof streamTable>>, id: string, entity: string, status = 'NEW') =>
  table.document.send(
    new PutCommand({ TableName: table.tableName, Item: { pk: id, sk: 'ITEM', entity, status } }),
  );

describe('DynamoDB stream event source mapping', () => {
  const onlyOrders = { dynamodb: { NewImage: { entity: { S: ['order'] } } } };

  it('delivers matching records in Lambda event shape, in order, and never the filtered ones', async () => {
    const table = await streamTable();
    const seen: DynamoDBRecord[] = [];
    const mapping = startStreamMapping({
      endpoint: dynamodbEndpoint(),
      streamArn: table.streamArn,
      batchSize: 100,
      maxRetryAttempts: 3,
      filters: [onlyOrders],
      startingPosition: 'TRIM_HORIZON',
      invoke: async (event) => void seen.push(...event.Records),
      onError: (error) => console.error('stream mapping:', error),
    });
    stops.push(() => mapping.stop());
    await put(table, 'o-1', 'order');
    await put(table, 'h-1', 'hold');
    await table.document.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: { pk: 'o-1', sk: 'ITEM' },
        UpdateExpression: 'SET #s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': 'RESERVED' },
      }),
    );
    await eventually(async () => (seen.length >= 2 ? true : undefined));
    expect(seen.map((record) => [record.eventName, record.dynamodb?.NewImage?.status?.S])).toEqual([
      ['INSERT', 'NEW'],
      ['MODIFY', 'RESERVED'],
    ]);
    expect(seen[1]).toMatchObject({
      eventSource: 'aws:dynamodb',
      eventSourceARN: table.streamArn,
      dynamodb: {
        Keys: { pk: { S: 'o-1' } },
        OldImage: { status: { S: 'NEW' } },
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
    expect(typeof seen[0]?.dynamodb?.ApproximateCreationDateTime).toBe('number');
  });

  it('retries a failed batch from the same records before anything later, and resumes after a restart', async () => {
    const table = await streamTable();
    const positions = new Map<string, string>();
    const checkpoints: StreamCheckpoints = {
      get: (shard) => positions.get(shard),
      set: (shard, sequence) => void positions.set(shard, sequence),
    };
    const seen: string[] = [];
    let failures = 2;
    const start = () =>
      startStreamMapping({
        endpoint: dynamodbEndpoint(),
        streamArn: table.streamArn,
        batchSize: 1,
        maxRetryAttempts: 5,
        startingPosition: 'TRIM_HORIZON',
        pollIntervalMs: 20,
        checkpoints,
        invoke: async (event) => {
          const id = event.Records[0]?.dynamodb?.Keys?.pk?.S as string;
          if (id === 'a' && failures-- > 0) throw new Error('transient');
          seen.push(id);
        },
      });
    const first = start();
    await put(table, 'a', 'order');
    await put(table, 'b', 'order');
    await eventually(async () => (seen.length >= 2 ? true : undefined));
    expect(seen).toEqual(['a', 'b']);
    await first.stop();
    await put(table, 'c', 'order');
    const second = start();
    stops.push(() => second.stop());
    await eventually(async () => (seen.length >= 3 ? true : undefined));
    // Resumed after b: nothing handled twice, nothing skipped.
    expect(seen).toEqual(['a', 'b', 'c']);
  });
});

describe('Lambda event filtering', () => {
  const record = { eventName: 'MODIFY', dynamodb: { NewImage: { entity: { S: 'order' }, n: { N: '3' } } } };

  it('matches lists of values, nested keys, exists, prefix and anything-but', () => {
    expect(matchesFilter({ eventName: ['INSERT', 'MODIFY'] }, record)).toBe(true);
    expect(matchesFilter({ dynamodb: { NewImage: { entity: { S: ['shipment'] } } } }, record)).toBe(false);
    expect(matchesFilter({ dynamodb: { OldImage: [{ exists: false }] } }, record)).toBe(true);
    expect(matchesFilter({ dynamodb: { NewImage: [{ exists: true }] } }, record)).toBe(true);
    expect(matchesFilter({ eventName: [{ prefix: 'MOD' }] }, record)).toBe(true);
    expect(matchesFilter({ eventName: [{ 'anything-but': ['REMOVE'] }] }, record)).toBe(true);
    expect(matchesFilter({ eventName: [{ 'anything-but': ['MODIFY'] }] }, record)).toBe(false);
  });

  it('refuses what it cannot judge rather than letting it pass', () => {
    expect(() => matchesFilter({ eventName: 'MODIFY' }, record)).toThrow(UnsupportedFilterError);
    expect(() => matchesFilter({ eventName: [{ numeric: ['>', 1] }] }, record)).toThrow(
      UnsupportedFilterError,
    );
  });
});
