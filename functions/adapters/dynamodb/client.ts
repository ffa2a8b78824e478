import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Default configuration on purpose: region and endpoint come from the runtime (AWS_REGION; locally
 * AWS_ENDPOINT_URL_DYNAMODB, which the SDK reads natively). Undefined attributes are dropped so optional
 * fields never reach DynamoDB as NULL-less errors.
 */
export function createDocumentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/** The table an adapter works on, passed explicitly so tests can point at their own table. */
export interface TableRef {
  readonly document: DynamoDBDocumentClient;
  readonly tableName: string;
}
