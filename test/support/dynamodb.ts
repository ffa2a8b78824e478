import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { tables } from '../../functions/contracts/system';
import { createTable } from '../../local/emulators/dynamodb/create-tables';
import { localCredentials, localRegion } from '../../local/emulators/protocol/identity';

export function dynamodbEndpoint(): string {
  return inject('dynamodbEndpoint');
}

export function testDynamoDbClient(): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: dynamodbEndpoint(),
    region: localRegion,
    credentials: localCredentials,
  });
}

/** A fresh main table (same schema as deployed) on the shared DynamoDB Local, unique to the caller. */
export async function createTestTable(): Promise<{
  client: DynamoDBClient;
  document: DynamoDBDocumentClient;
  tableName: string;
}> {
  const client = testDynamoDbClient();
  const tableName = `test-${randomUUID()}`;
  await createTable(client, tableName, tables.main);
  return { client, document: DynamoDBDocumentClient.from(client), tableName };
}

/**
 * A table reference to `tableName` on its own client that records the name of every command it sends
 * (`GetItemCommand`, `TransactWriteItemsCommand`…): what an operation costs in requests.
 */
export function commandRecordingTable(tableName: string): {
  table: { document: DynamoDBDocumentClient; tableName: string };
  commands: string[];
} {
  const client = testDynamoDbClient();
  const commands: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      commands.push(context.commandName ?? 'unknown');
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  return { table: { document: DynamoDBDocumentClient.from(client), tableName }, commands };
}
