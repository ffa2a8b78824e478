import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTable } from '../emulators/dynamodb/create-tables';
import { startDynamoDbLocal } from '../emulators/dynamodb/dynamodb-local';
import { tableName } from '../emulators/protocol/identity';
import { systemDefinition } from '../system-resolution';
import type { BindContext } from './context';

/**
 * DynamoDB Local on `port` (unless an endpoint is shared, as the tests do) and the definition's tables, as
 * infra/constructs/data-tables.ts builds them.
 */
export async function bindTables(
  context: BindContext,
  client: DynamoDBClient,
  dynamodb: { readonly endpoint: string; readonly port?: number },
): Promise<{ streamArn(table: string): string | undefined }> {
  if (dynamodb.port !== undefined) {
    const dbPath = context.persistDir ? join(context.persistDir, 'dynamodb') : undefined;
    if (dbPath) mkdirSync(dbPath, { recursive: true });
    const local = await startDynamoDbLocal({ port: dynamodb.port, dbPath, log: context.log });
    context.onStop(() => local.stop());
  }
  const streams = new Map<string, string | undefined>();
  for (const [key, table] of Object.entries(systemDefinition.tables)) {
    await createTable(client, tableName(key), table);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName(key) }));
    streams.set(key, Table?.LatestStreamArn);
  }
  context.log(`DynamoDB Local      ${dynamodb.endpoint}`);
  return { streamArn: (table) => streams.get(table) };
}
