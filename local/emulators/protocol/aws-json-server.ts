import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * The HTTP plumbing of the AWS JSON 1.0 protocol shared by the local SQS and Step Functions endpoints:
 * every call is `POST /` with `X-Amz-Target: <Service>.<Operation>` and a JSON object body, answered
 * with JSON. What differs per service (the target prefix, error shapes and their headers, messages) is
 * passed in, so each endpoint keeps reporting failures exactly the way its real AWS counterpart does.
 */
export type JsonObject = Record<string, unknown>;

/** One operation; `signal` aborts when the client goes away (a long poll must then not consume messages). */
export type AwsJsonOperation = (input: JsonObject, signal: AbortSignal) => Promise<unknown> | unknown;

export interface AwsJsonResponse {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

export interface AwsJsonProtocol {
  /** Bounds memory per request; each service picks a cap above its own payload limits. */
  readonly maxRequestBytes: number;
  /** The operation an `X-Amz-Target` value names (empty string when absent), or undefined to reject it. */
  readonly route: (target: string) => AwsJsonOperation | undefined;
  /** The service's own errors for malformed requests, so SDKs map them to the same exceptions as AWS. */
  readonly errors: {
    readonly notPost: () => Error;
    readonly unknownTarget: (target: string) => Error;
    readonly tooLarge: () => Error;
    readonly invalidJson: () => Error;
    readonly notObject: () => Error;
  };
  /** Renders anything thrown (a modeled error or an unexpected one) as the service's error response. */
  readonly errorResponse: (error: unknown) => AwsJsonResponse;
}

function readBody(request: IncomingMessage, maxBytes: number, tooLarge: () => Error): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(tooLarge());
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, { status, body, headers = {} }: AwsJsonResponse): void {
  // A client that hung up (e.g. mid long poll) has nobody left to answer.
  if (response.destroyed || response.writableEnded) return;
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  response.end(payload);
}

/** Ties an AbortSignal to the request's lifetime. */
function requestLifetime(request: IncomingMessage, response: ServerResponse): AbortSignal {
  const abort = new AbortController();
  // A client abort reaches us as a FIN, which Node's server only turns into 'close' once the response is
  // written, so the socket's 'end' is watched too.
  const socket = request.socket;
  const gone = () => abort.abort();
  socket.once('end', gone);
  socket.once('close', gone);
  response.once('close', () => {
    abort.abort();
    socket.off('end', gone);
    socket.off('close', gone);
  });
  return abort.signal;
}

async function handle(
  protocol: AwsJsonProtocol,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const signal = requestLifetime(request, response);
  try {
    if (request.method !== 'POST') throw protocol.errors.notPost();
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = protocol.route(target);
    if (!operation) throw protocol.errors.unknownTarget(target);
    const text = await readBody(request, protocol.maxRequestBytes, protocol.errors.tooLarge);
    let input: unknown;
    try {
      input = text.trim() === '' ? {} : JSON.parse(text);
    } catch {
      throw protocol.errors.invalidJson();
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw protocol.errors.notObject();
    }
    send(response, { status: 200, body: await operation(input as JsonObject, signal) });
  } catch (error) {
    send(response, protocol.errorResponse(error));
  }
}

/** An HTTP server (not yet listening) that answers AWS JSON 1.0 calls through `protocol`. */
export function createAwsJsonServer(protocol: AwsJsonProtocol): Server {
  const server = createServer((request, response) => {
    void handle(protocol, request, response);
  });
  // Longer than SDK and boto3 connection pools keep idle sockets: a client must never reuse a socket
  // the server is closing at that instant (that surfaces as "socket hang up" under load).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}
