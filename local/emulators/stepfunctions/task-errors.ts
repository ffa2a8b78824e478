import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { SQSServiceException } from '@aws-sdk/client-sqs';
import { StatesError } from './asl/errors';

/** What the JS SDK v3 throws: a modeled exception class, or (unmodeled) the service's base exception. */
interface SdkFailure {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

// biome-ignore lint/complexity/noBannedTypes: an exception class, of any constructor signature.
type ExceptionClass = Function;

/** A shape of the service's model: a subclass of its base exception (unmodeled errors are the base class itself). */
const isModeled = (error: unknown, base: ExceptionClass): boolean =>
  error instanceof base && Object.getPrototypeOf(error) !== base.prototype;

const withSuffix = (name: string): string => (name.endsWith('Exception') ? name : `${name}Exception`);

const optimized = {
  dynamodb: { prefix: 'DynamoDB', label: 'AmazonDynamoDBv2', base: DynamoDBServiceException },
  sqs: { prefix: 'SQS', label: 'AmazonSQS', base: SQSServiceException },
} as const;

/**
 * Errors of the optimized integrations (`arn:aws:states:::dynamodb:putItem`, `sqs:sendMessage`), named as
 * Step Functions names them (the AWS SDK for Java v1): a modeled exception is `DynamoDB.<Class>`
 * (`DynamoDB.ResourceNotFoundException`), anything else the service's base class
 * (`DynamoDB.AmazonDynamoDBException` for a ValidationException, `SQS.AmazonSQSException`), and a request that
 * never got an answer `<Service>.SdkClientException`. Evidence: LocalStack's AWS-validated snapshots
 * test_task_service_dynamodb and test_task_service_sqs.
 */
export function optimizedIntegrationError(kind: keyof typeof optimized, error: unknown): StatesError {
  if (error instanceof StatesError) return error;
  const { prefix, label, base } = optimized[kind];
  const e = error as SdkFailure;
  const status = e.$metadata?.httpStatusCode;
  if (!status)
    return new StatesError(
      `${prefix}.SdkClientException`,
      `Unable to execute HTTP request: ${e.message ?? String(error)}`,
    );
  const name = isModeled(error, base) ? withSuffix(e.name as string) : `Amazon${prefix}Exception`;
  const details = [
    `Service: ${label}`,
    `Status Code: ${status}`,
    `Error Code: ${e.name ?? 'null'}`,
    `Request ID: ${e.$metadata?.requestId ?? 'null'}`,
    'Proxy: null',
  ].join('; ');
  return new StatesError(`${prefix}.${name}`, `${e.message ?? String(error)} (${details})`);
}

/**
 * AWS SDK integration errors (`aws-sdk:dynamodb:*`) are `DynamoDb.<Shape>Exception` (the AWS SDK for Java v2);
 * an error the service model does not name becomes the base exception, `DynamoDb.DynamoDbException`
 * (LocalStack's AWS-validated test_aws_sdk). https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
 */
export function sdkIntegrationError(error: unknown): StatesError {
  if (error instanceof StatesError) return error;
  const e = error as SdkFailure;
  const status = e.$metadata?.httpStatusCode;
  const shape = !status
    ? 'SdkClient'
    : isModeled(error, DynamoDBServiceException)
      ? (e.name as string)
      : 'DynamoDb';
  const cause = `${e.message ?? String(error)} (Service: DynamoDb, Status Code: ${status ?? 0}, Request ID: ${e.$metadata?.requestId ?? 'null'})`;
  return new StatesError(`DynamoDb.${withSuffix(shape)}`, cause);
}
