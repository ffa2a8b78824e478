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
