import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
/** A table with string keys and global secondary indexes (all attributes projected), billed on demand. */
export interface TableSpec {
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly globalIndexes: readonly {
    readonly name: string;
    readonly partitionKey: string;
    readonly sortKey: string;
    readonly projection?: 'ALL' | 'KEYS_ONLY';
  }[];
}

/**
 * Creates a table as described. An existing one (a persisted database already has it) is kept, and gains
 * the global secondary indexes added to the description since it was created, as UpdateTable would add
 * them in AWS (one index per call, which is also AWS's limit).
 */
export async function createTable(
  client: DynamoDBClient,
  tableName: string,
  table: TableSpec,
): Promise<void> {
  const attributeNames = new Set<string>([table.partitionKey, table.sortKey]);
  for (const index of table.globalIndexes) {
    attributeNames.add(index.partitionKey);
    attributeNames.add(index.sortKey);
  }
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...attributeNames].map((AttributeName) => ({
          AttributeName,
          AttributeType: 'S',
        })),
        KeySchema: [
          { AttributeName: table.partitionKey, KeyType: 'HASH' },
          { AttributeName: table.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: table.globalIndexes.map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: index.projection ?? 'ALL' },
        })),
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
  } catch (error) {
    // A persisted database already has it: starting again must not fail.
    if (!(error instanceof ResourceInUseException)) throw error;
    await addMissingIndexes(client, tableName, table);
  }
}

async function addMissingIndexes(client: DynamoDBClient, tableName: string, table: TableSpec): Promise<void> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const existing = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  for (const index of table.globalIndexes.filter((candidate) => !existing.has(candidate.name))) {
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [index.partitionKey, index.sortKey].map((AttributeName) => ({
          AttributeName,
          AttributeType: 'S',
        })),
        GlobalSecondaryIndexUpdates: [
          {
            Create: {
              IndexName: index.name,
              KeySchema: [
                { AttributeName: index.partitionKey, KeyType: 'HASH' },
                { AttributeName: index.sortKey, KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: index.projection ?? 'ALL' },
            },
          },
        ],
      }),
    );
  }
}
