import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as z from 'zod';
import type { RouteContract } from '../contracts/api';
import { problemCodes } from '../contracts/errors';
import { isJsonMediaType } from '../contracts/media-types';
import { authorize, type Principal } from './auth';
import { loneSurrogateAt, unknownFields } from './json-input';
import { countMetric, logger } from './observability';
import { fieldErrorAt, HttpProblem, internalProblem, problemResult, validationProblem } from './problem';

type Infer<T> = T extends z.ZodType ? z.infer<T> : undefined;

export interface HttpRequest<C extends RouteContract> {
  readonly params: Infer<C['params']>;
  readonly query: Infer<C['query']>;
  readonly body: Infer<C['body']>;
  /** Undefined only on public routes. */
  readonly principal: C['access'] extends object ? Principal : undefined;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly requestId: string;
  /** `"METHOD /path"` of the matched route, for functions that serve more than one. */
  readonly routeKey: string;
}

export interface HttpResult {
  readonly status?: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

/** API Gateway v2 event with the authorizer context and a body the JSON middleware may have parsed. */
type HttpEvent = Omit<APIGatewayProxyEventV2, 'body'> & {
  body?: unknown;
  requestContext: APIGatewayProxyEventV2['requestContext'] & { authorizer?: { lambda?: unknown } };
};

/**
 * Parses JSON bodies: malformed JSON is a 400, a body that is declared as something else a 415, and a body
 * sent to a route that takes none a 400.
 */
function jsonBody(contract: RouteContract): MiddlewareObj<HttpEvent> {
  return {
    before: ({ event }) => {
      if (typeof event.body !== 'string' || event.body.length === 0) return;
      if (!contract.body) {
        throw new HttpProblem(400, problemCodes.validation, 'This route takes no body.', [
          fieldErrorAt([], 'no body allowed'),
        ]);
      }
      const contentType = event.headers?.['content-type'];
      if (contentType && !isJsonMediaType(contentType)) {
        throw new HttpProblem(
          415,
          problemCodes.unsupportedMediaType,
          `Send application/json, not ${contentType}.`,
        );
      }
      const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
      try {
        event.body = JSON.parse(text) as unknown;
      } catch (error) {
        throw new HttpProblem(
          400,
          problemCodes.malformedJson,
          `The body is not valid JSON: ${(error as Error).message}`,
        );
      }
      const notUnicode = loneSurrogateAt(event.body);
      if (notUnicode) {
        throw new HttpProblem(
          400,
          problemCodes.malformedJson,
          'The body holds a string that is not Unicode text.',
          [fieldErrorAt(notUnicode, 'a lone surrogate (\\ud800-\\udfff) is not a character')],
        );
      }
    },
  };
}

/** Any error becomes problem+json: 4xx as raised, anything else a 500 that hides the cause and logs it. */
function problemErrors(): MiddlewareObj<HttpEvent, APIGatewayProxyStructuredResultV2> {
  return {
    onError: (request) => {
      const { error } = request;
      const requestId = request.event.requestContext?.requestId;
      const exposed = toExposedProblem(error);
      if (exposed) {
        logger.info('request refused', {
          status: exposed.status,
          code: exposed.code,
          detail: exposed.detail,
        });
        request.response = problemResult(exposed, requestId);
        return;
      }
      logger.error('request failed', error instanceof Error ? error : String(error));
      countMetric('HttpServerError');
      request.response = problemResult(internalProblem(), requestId);
    },
  };
}

/** Our own problems, and middy's `createError` 4xx (which are meant to be exposed). */
function toExposedProblem(error: unknown): HttpProblem | undefined {
  if (error instanceof HttpProblem) return error.status < 500 ? error : undefined;
  const candidate = error as { statusCode?: unknown; expose?: unknown; message?: unknown } | null;
  if (
    candidate &&
    typeof candidate.statusCode === 'number' &&
    candidate.statusCode < 500 &&
    candidate.expose
  ) {
    return new HttpProblem(candidate.statusCode, problemCodes.validation, String(candidate.message));
  }
  return undefined;
}

/** Query parameters of a route that declares none: there are none to know. */
const noQuery = z.object({});

/** Validates a part of the request; fields the schema does not know are refused too (json-input.ts). */
function parseWith(schema: z.ZodType | undefined, value: unknown, status: 400 | 422, what: string): unknown {
  if (!schema) return undefined;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationProblem(status, `The ${what} is invalid; see errors.`, parsed.error);
  const unknown = unknownFields(value, parsed.data);
  if (unknown.length > 0) {
    throw new HttpProblem(
      status,
      problemCodes.validation,
      `The ${what} has fields this route does not know; see errors.`,
      unknown.map((path) => fieldErrorAt(path, 'unknown field')),
    );
  }
  return parsed.data;
}

/**
 * The HTTP preset every API handler uses: header normalisation, Powertools logging with the request id as
 * correlation id, authorization per the route contract, JSON parsing, zod validation of path, query and body
 * (400 for path/query, 422 for the body, each bad field named) and problem+json errors. The handler function
 * only maps a valid request to a result.
 */
export function httpHandler<C extends RouteContract>(
  contract: C,
  handle: (request: HttpRequest<C>) => Promise<HttpResult>,
  options: {
    /**
     * A public route's own authentication (a signed webhook): it sees the raw body and headers before any
     * parsing, so a tampered or unsigned request is a 401 whatever its body says. Throw an HttpProblem.
     */
    readonly verify?: RequestVerifier;
  } = {},
) {
  const core = async (event: HttpEvent, _context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const pathParameters = event.pathParameters ?? {};
    const principal = principals.get(event);
    const params = parseWith(contract.params, pathParameters, 400, 'path');
    const query = parseWith(
      contract.query ?? noQuery,
      event.queryStringParameters ?? {},
      400,
      'query string',
    );
    // An optional body (the schema accepts undefined) may be left out; a required one may not.
    if (contract.body && event.body === undefined && !contract.body.safeParse(undefined).success) {
      throw new HttpProblem(422, problemCodes.validation, 'A JSON body is required.', [
        { pointer: '/', field: '(root)', message: 'required' },
      ]);
    }
    const body = parseWith(contract.body, event.body, 422, 'body');
    const result = await handle({
      params,
      query,
      body,
      principal,
      headers: event.headers,
      requestId: event.requestContext.requestId,
      routeKey: event.routeKey,
    } as HttpRequest<C>);
    return {
      statusCode: result.status ?? contract.successStatus,
      headers: { 'content-type': 'application/json', ...result.headers },
      body: JSON.stringify(result.body),
    };
  };
  return middy<HttpEvent, APIGatewayProxyStructuredResultV2>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(correlationId())
    .use(httpHeaderNormalizer())
    .use(problemErrors())
    .use(authorization(contract))
    .use(signature(options.verify))
    .use(jsonBody(contract))
    .handler(core);
}

export type RequestVerifier = (request: {
  readonly rawBody: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly pathParameters: Readonly<Record<string, string | undefined>>;
}) => Promise<void>;

function signature(verify: RequestVerifier | undefined): MiddlewareObj<HttpEvent> {
  return {
    before: async ({ event }) => {
      if (!verify) return;
      const raw = typeof event.body === 'string' ? event.body : '';
      const rawBody = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
      await verify({ rawBody, headers: event.headers ?? {}, pathParameters: event.pathParameters ?? {} });
    },
  };
}

/** Principals by event: authorization runs before the body is even parsed, so strangers learn nothing about it. */
const principals = new WeakMap<HttpEvent, Principal>();

function authorization(contract: RouteContract): MiddlewareObj<HttpEvent> {
  return {
    before: ({ event }) => {
      if (!contract.access) return;
      principals.set(
        event,
        authorize(event.requestContext.authorizer?.lambda, contract.access, event.pathParameters ?? {}),
      );
    },
  };
}

function correlationId(): MiddlewareObj<HttpEvent> {
  return {
    before: ({ event }) => {
      logger.setCorrelationId(event.headers?.['x-correlation-id'] ?? event.requestContext?.requestId);
    },
  };
}

/**
 * One Lambda serving several routes (same grants), each with its own contract and httpHandler: the route
 * key API Gateway sends picks the handler. A route this function does not serve is a wiring bug: it throws.
 */
export function routeTable<H extends Record<string, (...args: never[]) => unknown>>(
  functionName: string,
  handlers: H,
) {
  type Route = keyof H & string;
  const serves = (routeKey: string): routeKey is Route => routeKey in handlers;
  return (...args: Parameters<H[Route]>): ReturnType<H[Route]> => {
    const routeKey = (args[0] as unknown as { routeKey: string }).routeKey;
    if (!serves(routeKey)) throw new Error(`${functionName} does not serve ${routeKey}`);
    return (handlers[routeKey] as (...forwarded: Parameters<H[Route]>) => ReturnType<H[Route]>)(...args);
  };
}
