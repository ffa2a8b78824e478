import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { vi } from 'vitest';
import {
  type FunctionDefinition,
  functions,
  routes,
  type WorkflowDefinition,
  workflows,
} from '../../functions/contracts/system';
import { FunctionError, functionNameOf, type LambdaInvoker } from '../../local/emulators/lambda/invoker';
import {
  functionArn,
  localAccountId,
  localCredentials,
  localRegion,
  stateMachineArn,
} from '../../local/emulators/protocol/identity';
import { createResolver } from '../../local/system-resolution';
import { pollUntil } from '../support/eventually';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** Every function's exported handler, by its name in the system definition. */
export class Handlers {
  constructor(private readonly byName: ReadonlyMap<string, Handler>) {}
  of(name: string): Handler {
    const handler = this.byName.get(name);
    if (!handler) throw new Error(`no function ${name} in the system definition`);
    return handler;
  }
}

export const fulfilmentArn = stateMachineArn('fulfilment');

/**
 * The environment Lambda would give the functions here: the union of every function's variables as the system
 * definition declares them, resolved by the local cloud's resolver (the test's table and queue URLs).
 */
export function setFunctionEnvironment(options: {
  tableName: string;
  dynamodbEndpoint: string;
  sfnEndpoint?: string;
  sqsEndpoint?: string;
  queueUrl?: string;
}) {
  const resolver = createResolver((queue) =>
    queue === 'supplierStockFeed' && options.queueUrl
      ? options.queueUrl
      : `http://127.0.0.1:9/${localAccountId}/${queue}`,
  );
  const definitions: Record<string, FunctionDefinition> = functions;
  Object.assign(
    process.env,
    ...Object.values(definitions).map((definition) => resolver.environmentOf(definition)),
    {
      AWS_REGION: localRegion,
      AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: options.dynamodbEndpoint,
      AWS_ENDPOINT_URL_SFN: options.sfnEndpoint ?? 'http://127.0.0.1:9',
      AWS_ENDPOINT_URL_SQS: options.sqsEndpoint ?? 'http://127.0.0.1:9',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      TABLE_NAME: options.tableName,
      LOG_LEVEL: 'SILENT',
      // Lambda would print metrics as EMF lines; tests keep stdout for their own output.
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
  );
}

/** Imports every handler fresh (a cold start), after the environment is set. */
export async function loadHandlers(): Promise<Handlers> {
  vi.resetModules();
  const definitions: Record<string, { entry: string }> = functions;
  const entries = await Promise.all(
    Object.entries(definitions).map(async ([name, definition]) => {
      const entryUrl = new URL(`../../${definition.entry}`, import.meta.url).href;
      const module = (await import(/* @vite-ignore */ entryUrl)) as { handler: Handler };
      return [name, module.handler] as const;
    }),
  );
  return new Handlers(new Map(entries));
}

export function lambdaContext(functionName = 'test'): Context {
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn(functionName),
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'test',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 30_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** In-process Lambda for the local Step Functions service: errors surface as Lambda reports them. */
export function inProcessInvoker(handlers: Handlers): LambdaInvoker {
  return {
    async invoke(functionNameOrArn, payload) {
      const name = functionNameOf(functionNameOrArn);
      try {
        return await handlers.of(name)(payload, lambdaContext(name));
      } catch (error) {
        const err = error as Error;
        throw new FunctionError(err.name, err.message);
      }
    },
  };
}

/** The fulfilment ASL with its placeholders resolved for this test's table. */
/** A workflow's ASL with its `${Name}` placeholders resolved the way the local cloud resolves them. */
export function workflowDefinition(workflow: keyof typeof workflows, tableName: string): string {
  const definition: WorkflowDefinition = workflows[workflow];
  const substitutions = Object.fromEntries(
    Object.entries(definition.substitutions).map(([name, ref]) => [
      name,
      'functionArn' in ref ? functionArn(ref.functionArn) : 'tableName' in ref ? tableName : name,
    ]),
  );
  return readFileSync(new URL(`../../${definition.definitionFile}`, import.meta.url), 'utf8').replace(
    /\$\{(\w+)\}/g,
    (placeholder, name: string) => substitutions[name] ?? placeholder,
  );
}

export const fulfilmentDefinition = (tableName: string): string =>
  workflowDefinition('fulfilment', tableName);

export interface ApiResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly json: Record<string, unknown> & { errors?: { pointer: string; field: string; message: string }[] };
}

/**
 * Calls a route the way the HTTP API does: the authorizer runs first with the request's headers, its
 * context goes into `requestContext.authorizer.lambda`, then the route's function gets a payload 2.0 event.
 */
export function apiClient(handlers: Handlers) {
  return async function call(
    method: string,
    path: string,
    options: {
      /** Skips the authorizer and uses this context, as if it had answered so. */
      authorizerContext?: Record<string, unknown>;
      apiKey?: string;
      body?: unknown;
      headers?: Record<string, string>;
      query?: Record<string, string>;
    } = {},
  ): Promise<ApiResponse> {
    const allRoutes: readonly { method: string; path: string; function: string; public?: boolean }[] = routes;
    const route = allRoutes.find(
      (candidate) => candidate.method === method && matchPath(candidate.path, path),
    );
    if (!route) throw new Error(`no route for ${method} ${path}`);
    const pathParameters = matchPath(route.path, path) ?? {};
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      ...(options.apiKey ? { 'x-api-key': options.apiKey } : {}),
      ...Object.fromEntries(
        Object.entries(options.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
      ),
    };
    const requestContext = {
      accountId: localAccountId,
      apiId: 'test',
      domainName: 'test.local',
      domainPrefix: 'test',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: randomUUID(),
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    };
    const rawQueryString = new URLSearchParams(options.query ?? {}).toString();
    let authorizer: { lambda: unknown } | undefined;
    if (options.authorizerContext) {
      authorizer = { lambda: options.authorizerContext };
    } else if (!route.public) {
      const decision = (await handlers.of('authorizer')(
        {
          version: '2.0',
          type: 'REQUEST',
          routeArn: 'arn:test',
          identitySource: [],
          routeKey: requestContext.routeKey,
          rawPath: path,
          rawQueryString,
          headers,
          requestContext,
          pathParameters,
        },
        lambdaContext('authorizer'),
      )) as { isAuthorized: boolean; context: unknown };
      if (!decision.isAuthorized) throw new Error('the authorizer must always authorize');
      authorizer = { lambda: decision.context };
    }
    const event: APIGatewayProxyEventV2 & { requestContext: { authorizer?: unknown } } = {
      version: '2.0',
      routeKey: requestContext.routeKey,
      rawPath: path,
      rawQueryString,
      headers,
      ...(options.query ? { queryStringParameters: options.query } : {}),
      ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
      requestContext: { ...requestContext, ...(authorizer ? { authorizer } : {}) },
      ...(options.body === undefined
        ? {}
        : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
      isBase64Encoded: false,
    };
    const result = (await handlers.of(route.function)(
      event,
      lambdaContext(route.function),
    )) as APIGatewayProxyStructuredResultV2;
    return {
      status: result.statusCode ?? 200,
      headers: (result.headers ?? {}) as Record<string, string>,
      json: JSON.parse(result.body ?? 'null') as ApiResponse['json'],
    };
  };
}

function matchPath(template: string, path: string): Record<string, string> | undefined {
  const names: string[] = [];
  const pattern = new RegExp(
    `^${template.replace(/\{(\w+)\}/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    })}$`,
  );
  const match = pattern.exec(path);
  if (!match) return undefined;
  return Object.fromEntries(names.map((name, index) => [name, decodeURIComponent(match[index + 1] ?? '')]));
}

export const eventually = <T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> =>
  pollUntil(probe, timeoutMs, 50);
