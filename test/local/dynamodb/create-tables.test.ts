import { randomUUID } from 'node:crypto';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { tables } from '../../../functions/contracts/system';
import { createTable } from '../../../local/emulators/dynamodb/create-tables';
import { testDynamoDbClient } from '../../support/dynamodb';

/** A persisted database from before an index existed gains it on the next start, with its data kept. */
describe('createTable on a table that already exists', () => {
  it('adds the global secondary indexes added to the definition since, and nothing else changes', async () => {
    const client = testDynamoDbClient();
    const tableName = `test-${randomUUID()}`;
    const [first, ...later] = tables.main.globalIndexes;
    expect(later.length).toBeGreaterThan(0);
    await createTable(client, tableName, { ...tables.main, globalIndexes: first ? [first] : [] });
    await createTable(client, tableName, tables.main);
    await createTable(client, tableName, tables.main);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName).sort()).toEqual(
      tables.main.globalIndexes.map((index) => index.name).sort(),
    );
  });
});
