import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { LambdaInvoker } from '../lambda/invoker';
import { localAccountId, localRegion } from '../protocol/identity';
import { type AuthorizerOptions, LambdaAuthorizer } from './authorizer';
import { RouteTable } from './routes';

export interface GatewayRoute {
  readonly method: string;
  readonly path: string;
  readonly functionName: string;
  readonly public: boolean;
}

export interface LocalRoute {
  readonly method: string;
  readonly path: string;
  readonly handler: LocalRouteHandler;
  readonly public?: boolean;
}

/** A route the local cloud answers itself (e.g. fault injection): same auth, no Lambda. */
export type LocalRouteHandler = (request: {
  body: string;
  /** Lower-cased names, as the route function would see them. */
  headers: Record<string, string>;
  pathParameters: Record<string, string>;
  /** As the route function's `queryStringParameters` (repeated names joined with commas); empty when none. */
  query: Record<string, string>;
  principal: Record<string, unknown>;
}) => Promise<APIGatewayProxyStructuredResultV2>;

export interface GatewayOptions {
  readonly port: number;
  readonly routes: readonly GatewayRoute[];
  readonly authorizer: AuthorizerOptions;
  readonly invoker: LambdaInvoker;
  /** `public` routes skip the authorizer (static pages the browser loads before it holds a key). */
  readonly localRoutes?: readonly LocalRoute[];
  readonly onRequest?: (entry: { method: string; path: string; status: number; durationMs: number }) => void;
}

export interface LocalGateway {
  readonly url: string;
  close(): Promise<void>;
}

const apiId = 'local';
const maxBodyBytes = 10 * 1024 * 1024;

type Target =
  | { kind: 'lambda'; route: GatewayRoute }
  | { kind: 'local'; handler: LocalRouteHandler; public: boolean };

/**
 * The local API Gateway (HTTP API, payload format 2.0): builds the same events API Gateway builds, runs the
 * same Lambda authorizer (simple responses) and maps results back exactly as API Gateway does.
 */
export async function startLocalGateway(options: GatewayOptions): Promise<LocalGateway> {
  const table = new RouteTable<Target>([
    ...options.routes.map((route) => ({
      method: route.method,
      path: route.path,
      value: { kind: 'lambda', route } as Target,
    })),
    ...(options.localRoutes ?? []).map((local) => ({
      method: local.method,
      path: local.path,
      value: { kind: 'local', handler: local.handler, public: local.public ?? false } as Target,
    })),
  ]);
  const authorizer = new LambdaAuthorizer(options.authorizer, options.invoker);
  const server: Server = createServer((request, response) => {
    const started = Date.now();
    handle(options, authorizer, table, request, response)
      .then((status) =>
        options.onRequest?.({
          method: request.method ?? '',
          path: request.url ?? '',
          status,
          durationMs: Date.now() - started,
        }),
      )
      .catch(() => {
        if (!response.headersSent) send(response, internalError);
      });
  });
  // Longer than any client pool keeps idle sockets, so a client never reuses one the server just closed.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  // A port taken after any earlier check rejects here (EADDRINUSE) instead of crashing the process.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const internalError = { statusCode: 500, body: JSON.stringify({ message: 'Internal Server Error' }) };

/** One request: route, authorize (unless public), then the local handler or the route's function. */
async function handle(
  options: GatewayOptions,
  authorizer: LambdaAuthorizer,
  table: RouteTable<Target>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<number> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const method = (request.method ?? 'GET').toUpperCase();
  const body = await readBody(request);
  if (body === undefined)
    return send(response, { statusCode: 413, body: JSON.stringify({ message: 'Request Entity Too Large' }) });
  // API Gateway refuses a path whose percent-encoding does not decode, before routing or authorizing.
  if (!decodable(url.pathname))
    return send(response, { statusCode: 400, body: JSON.stringify({ message: 'Bad Request' }) });
  const match = table.match(method, url.pathname);
  if (!match) return send(response, { statusCode: 404, body: JSON.stringify({ message: 'Not Found' }) });
  const call = {
    method,
    url,
    headers: normaliseHeaders(request),
    routeKey: match.routeKey,
    pathParameters: match.pathParameters,
  };
  const context = requestContextOf(call, request);
  const isPublic = match.route.kind === 'lambda' ? match.route.route.public : match.route.public;
  let principal: Record<string, unknown> = {};
  if (!isPublic) {
    const decision = await authorizer.authorize(call.headers, (identity) =>
      authorizerEventOf(call, context, identity),
    );
    if (decision.kind === 'failed') return send(response, internalError);
    if (decision.kind === 'unauthorized')
      return send(response, { statusCode: 401, body: JSON.stringify({ message: 'Unauthorized' }) });
    if (decision.kind === 'forbidden')
      return send(response, { statusCode: 403, body: JSON.stringify({ message: 'Forbidden' }) });
    principal = decision.context;
  }
  if (match.route.kind === 'local')
    return send(
      response,
      await match.route.handler({
        body,
        headers: call.headers,
        pathParameters: match.pathParameters,
        query: queryOf(call.url) ?? {},
        principal,
      }),
    );
  const event = proxyEventOf(
    call,
    isPublic ? context : { ...context, authorizer: { lambda: principal } },
    body,
  );
  try {
    return send(
      response,
      toStructuredResult(await options.invoker.invoke(match.route.route.functionName, event)),
    );
  } catch {
    // API Gateway hides function errors behind a bare 500.
    return send(response, internalError);
  }
}

interface Call {
  readonly method: string;
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly routeKey: string;
  readonly pathParameters: Record<string, string>;
}

function requestContextOf(call: Call, request: IncomingMessage) {
  const now = Date.now();
  return {
    accountId: localAccountId,
    apiId,
    domainName: call.headers.host ?? 'localhost',
    domainPrefix: 'localhost',
    http: {
      method: call.method,
      path: call.url.pathname,
      protocol: `HTTP/${request.httpVersion}`,
      sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
      userAgent: call.headers['user-agent'] ?? '',
    },
    requestId: randomUUID(),
    routeKey: call.routeKey,
    stage: '$default',
    time: new Date(now).toISOString(),
    timeEpoch: now,
  };
}

const queryOf = (url: URL) => (url.search.slice(1) ? collectQuery(url.searchParams) : undefined);

/** The Lambda authorizer's REQUEST event (payload format 2.0, simple responses). */
const authorizerEventOf = (call: Call, requestContext: object, identitySource: string[]) => ({
  version: '2.0',
  type: 'REQUEST',
  routeArn: `arn:aws:execute-api:${localRegion}:${localAccountId}:${apiId}/$default/${call.method}${call.url.pathname}`,
  identitySource,
  routeKey: call.routeKey,
  rawPath: call.url.pathname,
  rawQueryString: call.url.search.slice(1),
  headers: call.headers,
  queryStringParameters: queryOf(call.url),
  pathParameters: call.pathParameters,
  requestContext,
});

/** The route function's event (payload format 2.0). */
const proxyEventOf = (call: Call, requestContext: object, body: string) => ({
  version: '2.0',
  routeKey: call.routeKey,
  rawPath: call.url.pathname,
  rawQueryString: call.url.search.slice(1),
  cookies: call.headers.cookie ? call.headers.cookie.split(';').map((c) => c.trim()) : undefined,
  headers: call.headers,
  queryStringParameters: queryOf(call.url),
  pathParameters: Object.keys(call.pathParameters).length ? call.pathParameters : undefined,
  requestContext,
  body: body.length ? body : undefined,
  isBase64Encoded: false,
});

function decodable(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
    });
    request.on('end', () =>
      resolve(size > maxBodyBytes ? undefined : Buffer.concat(chunks).toString('utf8')),
    );
    request.on('error', reject);
  });
}

/**
 * API Gateway v2 lower-cases header names and joins every repeated header's values with commas
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html).
 * Read from the raw headers: Node's parsed ones keep only the first of a repeated Content-Type and drop a
 * header named `__proto__`, and the function must see what the client sent, as it does on AWS. Own
 * properties only (Object.fromEntries): an assignment to `__proto__` would set the prototype instead.
 */
function normaliseHeaders(request: IncomingMessage): Record<string, string> {
  const values = new Map<string, string[]>();
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = (request.rawHeaders[i] as string).toLowerCase();
    values.set(name, [...(values.get(name) ?? []), request.rawHeaders[i + 1] as string]);
  }
  return Object.fromEntries([...values].map(([name, all]) => [name, all.join(',')]));
}

/** Repeated names joined with commas, as API Gateway v2 does; own properties only (see normaliseHeaders). */
const collectQuery = (params: URLSearchParams): Record<string, string> =>
  Object.fromEntries([...new Set(params.keys())].map((key) => [key, params.getAll(key).join(',')]));

/** Payload format 2.0 response rules: a result without statusCode is a 200 JSON body. */
function toStructuredResult(result: unknown): APIGatewayProxyStructuredResultV2 {
  if (result && typeof result === 'object' && 'statusCode' in result)
    return result as APIGatewayProxyStructuredResultV2;
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: typeof result === 'string' ? result : JSON.stringify(result),
  };
}

function send(response: ServerResponse, result: APIGatewayProxyStructuredResultV2): number {
  const status = result.statusCode ?? 200;
  const headers: Record<string, string | string[]> = { 'content-type': 'application/json' };
  for (const [name, value] of Object.entries(result.headers ?? {}))
    headers[name.toLowerCase()] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  headers['apigw-requestid'] = randomUUID();
  const body =
    result.body === undefined
      ? ''
      : result.isBase64Encoded
        ? Buffer.from(result.body, 'base64')
        : result.body;
  response.writeHead(status, headers);
  response.end(body);
  return status;
}
