import type { Server } from 'node:http';
import { type AwsJsonResponse, createAwsJsonServer, type JsonObject } from '../protocol/aws-json-server';
import { memberReaders, ServiceError } from '../protocol/members';

/**
 * The Step Functions wire protocol (AWS JSON 1.0): every call is `POST /` with `X-Amz-Target:
 * AWSStepFunctions.<Operation>` and a JSON body; errors are HTTP 4xx with `__type` naming the modeled
 * exception. SDKs (JS v3, botocore, the CLI) strip the `namespace#` prefix and map the rest to their
 * exception classes, so the shape names below must match the SFN model exactly.
 */
export type SfnErrorShape =
  | 'ExecutionAlreadyExists'
  | 'ExecutionDoesNotExist'
  | 'ExecutionNotRedrivable'
  | 'InvalidArn'
  | 'InvalidExecutionInput'
  | 'InvalidName'
  | 'InvalidOutput'
  | 'InvalidToken'
  | 'StateMachineDoesNotExist'
  | 'TaskDoesNotExist'
  | 'TaskTimedOut'
  | 'ValidationException'
  | 'UnknownOperationException'
  | 'SerializationException'
  | 'InternalFailure';

export class SfnError extends ServiceError {
  override readonly name = 'SfnError';
  declare readonly shape: SfnErrorShape;
  constructor(shape: SfnErrorShape, message: string, status = 400) {
    super(shape, message, status);
  }
}

/** The namespace AWS itself puts in `__type` for Step Functions errors. */
const errorNamespace = 'com.amazonaws.swf.service.v2.model';

export type { JsonObject };
export type OperationHandler = (input: JsonObject) => Promise<JsonObject> | JsonObject;

/** AWS caps inputs/outputs at 256 KiB; a few MiB leaves room for JSON overhead while bounding memory. */
const maxRequestBytes = 4 * 1024 * 1024;

/**
 * The AWS JSON protocols encode timestamps as epoch seconds (fractional numbers). Our records keep epoch
 * milliseconds, so responses mark timestamp fields with this wrapper and the serializer converts them.
 */
export class Timestamp {
  constructor(readonly epochMs: number) {}
  toJSON(): number {
    return this.epochMs / 1000;
  }
}

/** Unexpected failures become InternalFailure (500) so SDKs still see a modeled exception. */
function errorResponse(error: unknown): AwsJsonResponse {
  const known =
    error instanceof SfnError
      ? error
      : new SfnError('InternalFailure', error instanceof Error ? error.message : String(error), 500);
  return {
    status: known.status,
    body: { __type: `${errorNamespace}#${known.shape}`, message: known.message },
    headers: { 'x-amzn-errortype': known.shape },
  };
}

/** An HTTP server dispatching `AWSStepFunctions.<Op>` calls to `operations`; unknown operations are rejected like AWS does. */
export function createProtocolServer(operations: Record<string, OperationHandler>): Server {
  return createAwsJsonServer({
    maxRequestBytes,
    route: (target) => {
      const [prefix, operation] = target.split('.');
      return prefix === 'AWSStepFunctions' && operation ? operations[operation] : undefined;
    },
    errors: {
      notPost: () => new SfnError('UnknownOperationException', 'Only POST / is supported'),
      unknownTarget: (target) => new SfnError('UnknownOperationException', `Unknown operation ${target}`),
      tooLarge: () => new SfnError('ValidationException', 'Request body too large'),
      invalidJson: () => new SfnError('SerializationException', 'Request body is not valid JSON'),
      notObject: () => new SfnError('SerializationException', 'Request body must be a JSON object'),
    },
    errorResponse,
  });
}

/** AWS's wording for a request member over its length constraint. */
export const tooLong = (member: string, max: number): SfnError =>
  new SfnError(
    'ValidationException',
    `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
  );

/** Request members, read and refused the way Step Functions' model validation refuses them. */
const readers = memberReaders({
  missing: (member) =>
    new SfnError(
      'ValidationException',
      `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must not be null`,
    ),
  wrongType: (member, expected) =>
    new SfnError('ValidationException', `Value at '${member}' must be ${expected}`),
  outOfRange: (member, _raw, min, max) =>
    new SfnError('ValidationException', `Value at '${member}' must be between ${min} and ${max}`),
  tooLong: (member, max) => tooLong(member, max),
});

export const { requiredString, optionalString } = readers;
export const optionalNumber = readers.optionalInteger;
