import {
  type DynamoDBClient,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { FunctionError, functionNameOf, type LambdaInvoker } from '../../local/emulators/lambda/invoker';

/**
 * The alternative design for parking callback tokens, measured beside the chosen one: a Task
 * `lambda:invoke.waitForTaskToken` whose function performs the very UpdateItem the AWS SDK integration
 * (`aws-sdk:dynamodb:updateItem.waitForTaskToken`) performs itself. Same transitions and DynamoDB units,
 * plus one Lambda request (and its GB-s) per park.
 */
export const parkFunctionName = 'parkTaskToken';
const sdkPark = 'arn:aws:states:::aws-sdk:dynamodb:updateItem.waitForTaskToken';
const lambdaTransientErrors = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

interface State {
  Resource?: string;
  Parameters?: unknown;
  Retry?: { ErrorEquals: string[] }[];
  Catch?: { ErrorEquals: string[] }[];
}

/** The function reports DynamoDB's own exception names (Lambda errorType), not the integration's `DynamoDb.` ones. */
const lambdaErrorName = (name: string) => name.replace(/^DynamoDb\./, '');

export function lambdaParkDefinition(asl: string): string {
  const definition = JSON.parse(asl) as { States: Record<string, State> };
  for (const state of Object.values(definition.States)) {
    if (state.Resource !== sdkPark) continue;
    state.Resource = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
    state.Parameters = { FunctionName: parkFunctionName, Payload: state.Parameters };
    for (const retrier of state.Retry ?? [])
      retrier.ErrorEquals = [...lambdaTransientErrors, ...retrier.ErrorEquals.map(lambdaErrorName)];
    for (const catcher of state.Catch ?? []) catcher.ErrorEquals = catcher.ErrorEquals.map(lambdaErrorName);
  }
  return JSON.stringify(definition);
}

/** Adds the park function (run in-process, its invocations recorded like the runtime's) to the workflows' invoker. */
export function withParkFunction(
  runtime: LambdaInvoker,
  dynamodb: DynamoDBClient,
  record: (invocation: { functionName: string; durationMs: number }) => void,
): LambdaInvoker {
  return {
    async invoke(functionNameOrArn, payload) {
      if (functionNameOf(functionNameOrArn) !== parkFunctionName)
        return runtime.invoke(functionNameOrArn, payload);
      const started = performance.now();
      try {
        await dynamodb.send(new UpdateItemCommand(payload as UpdateItemCommandInput));
        return {};
      } catch (error) {
        const e = error as Error;
        throw new FunctionError(e.name, e.message);
      } finally {
        record({ functionName: parkFunctionName, durationMs: performance.now() - started });
      }
    },
  };
}
