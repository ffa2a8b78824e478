import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

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

export class SfnError extends Error {
  override readonly name = 'SfnError';
  constructor(
    readonly shape: SfnErrorShape,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** The namespace AWS itself puts in `__type` for Step Functions errors. */
const errorNamespace = 'com.amazonaws.swf.service.v2.model';

export type JsonObject = Record<string, unknown>;
export type OperationHandler = (input: JsonObject) => Promise<JsonObject> | JsonObject;

/** AWS caps inputs/outputs at 256 KiB; a few MiB leaves room for JSON overhead while bounding memory. */
const maxRequestBytes = 4 * 1024 * 1024;

const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxRequestBytes) {
        reject(new SfnError('ValidationException', 'Request body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });

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

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': crypto.randomUUID(),
    ...headers,
  });
  response.end(text);
}

function sendError(response: ServerResponse, error: SfnError): void {
  send(
    response,
    error.status,
    { __type: `${errorNamespace}#${error.shape}`, message: error.message },
    { 'x-amzn-errortype': error.shape },
  );
}

/** An HTTP server dispatching `AWSStepFunctions.<Op>` calls to `operations`; unknown operations are rejected like AWS does. */
export function createProtocolServer(operations: Record<string, OperationHandler>): Server {
  return createServer((request, response) => {
    void (async () => {
      try {
        if (request.method !== 'POST')
          throw new SfnError('UnknownOperationException', 'Only POST / is supported');
        const target = String(request.headers['x-amz-target'] ?? '');
        const [prefix, operation] = target.split('.');
        const handler = prefix === 'AWSStepFunctions' && operation ? operations[operation] : undefined;
        const text = await readBody(request);
        if (!handler) throw new SfnError('UnknownOperationException', `Unknown operation ${target}`);
        let input: unknown;
        try {
          input = text.trim() === '' ? {} : JSON.parse(text);
        } catch {
          throw new SfnError('SerializationException', 'Request body is not valid JSON');
        }
        if (typeof input !== 'object' || input === null || Array.isArray(input)) {
          throw new SfnError('SerializationException', 'Request body must be a JSON object');
        }
        send(response, 200, await handler(input as JsonObject));
      } catch (error) {
        if (error instanceof SfnError) sendError(response, error);
        else
          sendError(
            response,
            new SfnError('InternalFailure', error instanceof Error ? error.message : String(error), 500),
          );
      }
    })();
  });
}

/** Reads a required string member, failing the way AWS's validation does. */
export function requiredString(input: JsonObject, member: string): string {
  const value = input[member];
  if (typeof value !== 'string' || value === '') {
    throw new SfnError(
      'ValidationException',
      `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

export function optionalString(input: JsonObject, member: string): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw new SfnError('ValidationException', `Value at '${member}' must be a string`);
  return value;
}

export function optionalNumber(input: JsonObject, member: string): number | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new SfnError('ValidationException', `Value at '${member}' must be an integer`);
  }
  return value;
}
