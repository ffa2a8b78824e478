import type { SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepFunctionsService } from '../../../local/emulators/stepfunctions/service';
import { createTestTable, dynamodbEndpoint } from '../../support/dynamodb';
import { historyOf, settled, startExecution, startTestSfn, testInvoker } from './harness';

/**
 * DynamoDB errors as Step Functions names them, on DynamoDB Local. The expected names and causes are those
 * LocalStack recorded against AWS (tests/aws/services/stepfunctions/v2/error_handling/
 * test_task_service_dynamodb.snapshot.json and test_aws_sdk.snapshot.json).
 */
const task = (Resource: string, Parameters: Record<string, unknown>) => ({
  StartAt: 'Call',
  States: { Call: { Type: 'Task', Resource, Parameters, End: true } },
});
const optimizedPut = 'arn:aws:states:::dynamodb:putItem';
const sdkPut = 'arn:aws:states:::aws-sdk:dynamodb:putItem';
const sdkUpdate = 'arn:aws:states:::aws-sdk:dynamodb:updateItem';

describe('DynamoDB integration errors', () => {
  let service: StepFunctionsService;
  let sfn: SFNClient;

  beforeAll(async () => {
    const { tableName } = await createTestTable();
    const item = { pk: { S: 'P' }, sk: { S: 'S' } };
    const machines = {
      optimizedNullItem: task(optimizedPut, { TableName: tableName, 'Item.$': '$.item' }),
      optimizedNoTable: task(optimizedPut, { TableName: 'no-such-table', Item: item }),
      sdkNullItem: task(sdkPut, { TableName: tableName, 'Item.$': '$.item' }),
      sdkNoTable: task(sdkPut, { TableName: 'no-such-table', Item: item }),
      sdkConditionFails: task(sdkUpdate, {
        TableName: tableName,
        Key: item,
        UpdateExpression: 'SET v = :v',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':v': { S: 'x' } },
      }),
    };
    ({ service, sfn } = await startTestSfn({
      stateMachines: Object.entries(machines).map(([name, definition]) => ({
        name,
        definition: JSON.stringify(definition),
      })),
      invoker: testInvoker({}),
      dynamodbEndpoint: dynamodbEndpoint(),
      retryIntervalScale: 0,
    }));
  });
  afterAll(async () => {
    await service?.close();
  });

  const failure = async (machine: string) => {
    const described = await settled(sfn, await startExecution(sfn, machine, { item: null }));
    expect(described.status).toBe('FAILED');
    const event = (await historyOf(sfn, described.executionArn as string)).find(
      (e) => e.type === 'TaskFailed',
    );
    expect(event?.taskFailedEventDetails?.error).toBe(described.error);
    return { error: described.error, cause: described.cause as string };
  };

  it('optimized integration: an unmodeled error (ValidationException) is DynamoDB.AmazonDynamoDBException', async () => {
    const { error, cause } = await failure('optimizedNullItem');
    expect(error).toBe('DynamoDB.AmazonDynamoDBException');
    expect(cause).toMatch(
      /\(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ValidationException; Request ID: [^;]+; Proxy: null\)$/,
    );
  });

  it('optimized integration: a modeled error keeps its name', async () => {
    expect((await failure('optimizedNoTable')).error).toBe('DynamoDB.ResourceNotFoundException');
  });

  it('AWS SDK integration: DynamoDb.DynamoDbException for an unmodeled error, the shape name otherwise', async () => {
    const invalid = await failure('sdkNullItem');
    expect(invalid.error).toBe('DynamoDb.DynamoDbException');
    expect(invalid.cause).toMatch(/\(Service: DynamoDb, Status Code: 400, Request ID: .+\)$/);
    expect((await failure('sdkNoTable')).error).toBe('DynamoDb.ResourceNotFoundException');
    // The name the workflows catch (fulfilment AwaitBackorderAllocation, procurement AwaitSupplierDecision).
    expect((await failure('sdkConditionFails')).error).toBe('DynamoDb.ConditionalCheckFailedException');
  });
});
