import * as z from 'zod';
import type { Role } from './schemas';

import type { routes } from './system';

/** `"METHOD /path"` of every route in the system definition. */
export type RouteKey = KeyOf<(typeof routes)[number]>;
type KeyOf<R> = R extends { readonly method: infer M extends string; readonly path: infer P extends string }
  ? `${M} ${P}`
  : never;

/** Who may call a route: the roles, and the path parameter a scoped principal's scope must equal. */
export interface RouteAccess {
  readonly roles: readonly Role[];
  /** Principals whose scope is not `*` may only act on the resource this path parameter names. */
  readonly scopeParam?: string;
}

/**
 * Everything a client can rely on for one route. Handlers validate with these schemas and enforce this
 * access; the OpenAPI document is generated from the same object, so neither can drift from the other.
 */
export interface RouteContract {
  readonly summary: string;
  /** Absent on public routes (no API key). */
  readonly access?: RouteAccess;
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  readonly headers?: readonly {
    readonly name: string;
    readonly required: boolean;
    readonly description: string;
    /** The value's format, as the handler checks it. */
    readonly schema: z.ZodType;
  }[];
  readonly body?: z.ZodType;
  /** 201 when the route creates a resource it names in its answer (issuing a key). */
  readonly successStatus: 200 | 201 | 202;
  readonly response: z.ZodType;
  /** Error statuses the route answers with besides 400/401/403/500, documented in the spec. */
  readonly problems?: readonly (404 | 409 | 415 | 422 | 429)[];
}

/**
 * 1-255 printable ASCII characters, without a comma: API Gateway joins a repeated header's values with commas
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html), so
 * a comma means two keys were sent, and neither may silently become a third.
 */
export const idempotencyKeySchema = z
  .string()
  .trim()
  .regex(/^[\x20-\x2B\x2D-\x7E]{1,255}$/, 'must be 1-255 printable ASCII characters, without a comma');

export const idempotencyKeyHeader = {
  name: 'Idempotency-Key',
  required: true,
  description: 'Same key and same body return the same answer; the same key with another body is a 409.',
  schema: idempotencyKeySchema,
} as const;
