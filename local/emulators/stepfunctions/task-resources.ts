import * as dynamodbCommands from '@aws-sdk/client-dynamodb';
import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { FunctionError, type LambdaInvoker } from '../lambda/invoker';
import { runtimeError, StatesError } from './asl/errors';
import { optimizedIntegrationError, sdkIntegrationError } from './task-errors';

export type ResourceKind =
  | 'lambda:invoke'
  | 'lambda:function'
  | 'dynamodb'
  | 'aws-sdk:dynamodb'
  | 'sqs'
  | 'states:startExecution';

export interface ParsedResource {
  kind: ResourceKind;
  /** API action, e.g. `updateItem`. */
  action: string;
  /** What AWS puts in task events: `resourceType` (e.g. `dynamodb`) and `resource` (e.g. `updateItem.waitForTaskToken`). */
  resourceType: string;
  resourceName: string;
  waitForTaskToken: boolean;
  /** `.sync` / `.sync:2`: wait for the started job (only `states:startExecution` supports it here). */
  sync?: 'sync' | 'sync:2';
}

const integrationPattern =
  /^arn:aws[a-z-]*:states:::([a-z0-9-]+):([A-Za-z]+)(?:\.(waitForTaskToken|sync(?::2)?))?$/;

/** Classifies a Task `Resource`; unsupported resources return undefined (the task then fails with States.Runtime). */
export function parseResource(resource: string): ParsedResource | undefined {
  const sdk = /^arn:aws[a-z-]*:states:::aws-sdk:([a-z0-9-]+):([A-Za-z]+)(\.waitForTaskToken)?$/.exec(
    resource,
  );
  if (sdk) {
    const [, service = '', action = '', suffix] = sdk;
    if (service !== 'dynamodb') return undefined;
    return {
      kind: 'aws-sdk:dynamodb',
      action,
      resourceType: `aws-sdk:${service}`,
      resourceName: suffix ? `${action}${suffix}` : action,
      waitForTaskToken: suffix !== undefined,
    };
  }
  if (/^arn:aws[a-z-]*:lambda:[^:]+:[^:]+:function:/.test(resource)) {
    return {
      kind: 'lambda:function',
      action: 'invoke',
      resourceType: 'lambda',
      resourceName: resource,
      waitForTaskToken: false,
    };
  }
  const match = integrationPattern.exec(resource);
  if (!match) return undefined;
  const [, service = '', action = '', suffix] = match;
  const base = {
    action,
    resourceType: service,
    resourceName: suffix ? `${action}.${suffix}` : action,
    waitForTaskToken: suffix === 'waitForTaskToken',
    sync: suffix === 'sync' || suffix === 'sync:2' ? suffix : undefined,
  } as const;
  if (service === 'lambda' && action === 'invoke' && !base.sync) return { kind: 'lambda:invoke', ...base };
  if (
    service === 'dynamodb' &&
    ['getItem', 'putItem', 'updateItem', 'deleteItem'].includes(action) &&
    !base.sync
  ) {
    return { kind: 'dynamodb', ...base };
  }
  if (service === 'sqs' && action === 'sendMessage' && !base.sync) return { kind: 'sqs', ...base };
  if (service === 'states' && action === 'startExecution') return { kind: 'states:startExecution', ...base };
  return undefined;
}

export interface TaskResourceDeps {
  invoker: LambdaInvoker;
  dynamodb?: DynamoDBClient;
  sqs?: SQSClient;
  /** Starts a local execution (states:startExecution) and, for `.sync`, waits for it to finish. */
  startExecution(
    stateMachineArn: string,
    input: unknown,
    name: string | undefined,
  ): Promise<{ executionArn: string; startDate: number }>;
  awaitExecution(executionArn: string): Promise<{
    status: string;
    input: string;
    output?: string;
    error?: string;
    cause?: string;
    name: string;
    stateMachineArn: string;
    startDate: number;
    stopDate?: number;
  }>;
}

const asObject = (value: unknown, what: string): Record<string, unknown> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw runtimeError(`${what}: Parameters must be a JSON object`);
  }
  return value as Record<string, unknown>;
};

/** SDK outputs carry `$metadata` and may hold Uint8Arrays; a task result is plain JSON, like AWS's. */
function toTaskResult(output: object): unknown {
  const { $metadata: _metadata, ...rest } = output as Record<string, unknown>;
  return JSON.parse(
    JSON.stringify(rest, (_key, value: unknown) =>
      value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value,
    ),
  );
}

/** Lambda errors as Step Functions reports them: the handler's errorType, cause = Lambda's error JSON. */
function lambdaError(error: unknown): StatesError {
  const errorType =
    error instanceof FunctionError
      ? error.errorType === 'ResourceNotFoundException'
        ? 'Lambda.ResourceNotFoundException'
        : error.errorType
      : error instanceof Error && error.name
        ? error.name
        : 'Lambda.ServiceException';
  const errorMessage =
    error instanceof FunctionError
      ? error.errorMessage
      : error instanceof Error
        ? error.message
        : String(error);
  return new StatesError(errorType, JSON.stringify({ errorType, errorMessage, trace: [] }));
}

/**
 * Calls the resource with the evaluated Parameters and returns the API result (for `.waitForTaskToken` this is
 * the submission result; the task result then comes from the callback).
 */
export async function callResource(
  parsed: ParsedResource,
  params: unknown,
  deps: TaskResourceDeps,
): Promise<unknown> {
  return integrations[parsed.kind](parsed, params, deps);
}

type Integration = (parsed: ParsedResource, params: unknown, deps: TaskResourceDeps) => Promise<unknown>;

/** A client the integration needs, or the SdkClientException AWS would raise without a reachable endpoint. */
function clientOf<T>(client: T | undefined, service: string): T {
  if (!client)
    throw new StatesError(
      `${service}.SdkClientException`,
      `No ${service} endpoint configured for the local Step Functions service`,
    );
  return client;
}

const integrations: Record<ResourceKind, Integration> = {
  'lambda:function': async (parsed, params, deps) => {
    try {
      return (await deps.invoker.invoke(parsed.resourceName, params)) ?? null;
    } catch (error) {
      throw lambdaError(error);
    }
  },
  'lambda:invoke': async (_parsed, params, deps) => {
    const p = asObject(params, 'lambda:invoke');
    if (typeof p.FunctionName !== 'string') throw runtimeError('lambda:invoke needs Parameters.FunctionName');
    let payload: unknown = p.Payload ?? {};
    // Lambda receives bytes: a string Payload is passed as-is, i.e. parsed if it is JSON.
    if (typeof payload === 'string') {
      try {
        payload = JSON.parse(payload);
      } catch {
        // not JSON: the handler receives the string
      }
    }
    try {
      const result = await deps.invoker.invoke(p.FunctionName, payload);
      return { ExecutedVersion: '$LATEST', Payload: result ?? null, StatusCode: 200 };
    } catch (error) {
      throw lambdaError(error);
    }
  },
  dynamodb: async (parsed, params, deps) => {
    const client = clientOf(deps.dynamodb, 'DynamoDB');
    const p = asObject(params, `dynamodb:${parsed.action}`);
    // Parameters are the DynamoDB API request verbatim (PascalCase, attribute-value JSON), as in AWS.
    const commands: Record<string, new (input: never) => unknown> = {
      getItem: GetItemCommand,
      putItem: PutItemCommand,
      updateItem: UpdateItemCommand,
      deleteItem: DeleteItemCommand,
    };
    const Command = commands[parsed.action];
    if (!Command) throw runtimeError(`Unknown DynamoDB action ${parsed.action}`);
    try {
      return toTaskResult(await client.send(new Command(p as never) as never));
    } catch (error) {
      throw optimizedIntegrationError('dynamodb', error);
    }
  },
  'aws-sdk:dynamodb': async (parsed, params, deps) => {
    const client = clientOf(deps.dynamodb, 'DynamoDb');
    const p = asObject(params, `aws-sdk:dynamodb:${parsed.action}`);
    const commandName = `${parsed.action.charAt(0).toUpperCase()}${parsed.action.slice(1)}Command`;
    const Command = (dynamodbCommands as unknown as Record<string, new (input: unknown) => unknown>)[
      commandName
    ];
    if (!Command) throw runtimeError(`Unknown DynamoDB action ${parsed.action}`);
    try {
      return toTaskResult(await client.send(new Command(p) as never));
    } catch (error) {
      throw sdkIntegrationError(error);
    }
  },
  sqs: async (_parsed, params, deps) => {
    const client = clientOf(deps.sqs, 'SQS');
    const p = asObject(params, 'sqs:sendMessage');
    const body = p.MessageBody;
    try {
      return toTaskResult(
        await client.send(
          new SendMessageCommand({
            ...(p as never as object),
            QueueUrl: String(p.QueueUrl),
            // AWS serializes a JSON MessageBody for you.
            MessageBody: typeof body === 'string' ? body : JSON.stringify(body),
          }),
        ),
      );
    } catch (error) {
      throw optimizedIntegrationError('sqs', error);
    }
  },
  'states:startExecution': startChildExecution,
};

async function startChildExecution(
  parsed: ParsedResource,
  params: unknown,
  deps: TaskResourceDeps,
): Promise<unknown> {
  const p = asObject(params, 'states:startExecution');
  if (typeof p.StateMachineArn !== 'string')
    throw runtimeError('startExecution needs Parameters.StateMachineArn');
  const input = typeof p.Input === 'string' ? p.Input : JSON.stringify(p.Input ?? {});
  let started: { executionArn: string; startDate: number };
  try {
    started = await deps.startExecution(
      p.StateMachineArn,
      input,
      typeof p.Name === 'string' ? p.Name : undefined,
    );
  } catch (error) {
    const e = error as { shape?: string; message?: string };
    const shape = e.shape ?? 'SdkClient';
    throw new StatesError(
      `StepFunctions.${shape.endsWith('Exception') ? shape : `${shape}Exception`}`,
      e.message ?? String(error),
    );
  }
  if (!parsed.sync)
    return { ExecutionArn: started.executionArn, StartDate: new Date(started.startDate).toISOString() };
  return childOutcome(parsed.sync, started.executionArn, await deps.awaitExecution(started.executionArn));
}

/** `.sync` / `.sync:2`: the child's DescribeExecution (JSON-parsed for `:2`); a child that did not succeed fails the task. */
function childOutcome(
  sync: 'sync' | 'sync:2',
  executionArn: string,
  done: Awaited<ReturnType<TaskResourceDeps['awaitExecution']>>,
) {
  const parsedJson = (text: string | undefined) =>
    text === undefined || sync === 'sync' ? text : JSON.parse(text);
  const description = {
    ExecutionArn: executionArn,
    Input: parsedJson(done.input),
    InputDetails: { Included: true },
    Name: done.name,
    Output: parsedJson(done.output),
    OutputDetails: { Included: true },
    StartDate: done.startDate,
    StateMachineArn: done.stateMachineArn,
    Status: done.status,
    StopDate: done.stopDate,
    Error: done.error,
    Cause: done.cause,
  };
  if (done.status === 'SUCCEEDED') return description;
  const error =
    done.status === 'ABORTED'
      ? 'StepFunctions.ExecutionAbortedException'
      : done.status === 'TIMED_OUT'
        ? 'StepFunctions.ExecutionTimedOutException'
        : 'States.TaskFailed';
  throw new StatesError(error, JSON.stringify(description));
}
