import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type * as z from 'zod';
import { type ProblemCode, problemCodes } from '../contracts/errors';
import type { Problem } from '../contracts/ops-schemas';

export interface FieldError {
  readonly pointer: string;
  readonly field: string;
  readonly message: string;
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

/** An error a handler throws to answer with an RFC 9457 problem; 4xx details are shown to the client. */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    readonly detail: string,
    readonly errors?: readonly FieldError[],
    /** Response headers the problem implies, e.g. `Retry-After` on a 429. */
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(detail);
  }

  toProblem(instance?: string): Problem {
    return {
      // A URN, not a made-up URL: RFC 9457 only needs a stable identifier, and nothing is hosted to dereference.
      type: `urn:o2o:problem:${this.code.toLowerCase().replaceAll('_', '-')}`,
      title: titles[this.status] ?? 'Error',
      status: this.status,
      detail: this.detail,
      code: this.code,
      ...(instance ? { instance } : {}),
      ...(this.errors ? { errors: [...this.errors] } : {}),
    };
  }
}

export const problemContentType = 'application/problem+json';

export function problemResult(problem: HttpProblem, instance?: string): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: problem.status,
    headers: { ...problem.headers, 'content-type': problemContentType },
    body: JSON.stringify(problem.toProblem(instance)),
  };
}

/** 5xx never reveal internals: the client gets a request id to quote, the logs get the error. */
export const internalProblem = () =>
  new HttpProblem(
    500,
    problemCodes.internal,
    'The request could not be processed; quote the instance to support.',
  );

/** A field error at a path of keys and indexes: a JSON Pointer (RFC 6901) prefixed with where the value came from. */
export function fieldErrorAt(path: readonly PropertyKey[], message: string, root = ''): FieldError {
  const segments = path.map((segment) => String(segment));
  const escaped = segments.map((segment) => segment.replaceAll('~', '~0').replaceAll('/', '~1'));
  const pointer = `${root}/${escaped.join('/')}`.replace(/\/$/, '') || '/';
  const field = segments.reduce(
    (dotted, segment) =>
      /^\d+$/.test(segment) ? `${dotted}[${segment}]` : dotted ? `${dotted}.${segment}` : segment,
    '',
  );
  return { pointer, field: field || '(root)', message };
}

/** A field error for a field named as the domain rules name it (`lines[0].qty`, `storeId`). */
export const fieldErrorNamed = (field: string, message: string): FieldError =>
  fieldErrorAt(
    field
      .split(/[.[\]]+/)
      .filter(Boolean)
      .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment)),
    message,
  );

/** The field errors of a zod error, one per issue. */
export const toFieldErrors = (error: z.ZodError, root = ''): FieldError[] =>
  error.issues.map((issue) => fieldErrorAt(issue.path, issue.message, root));

export function validationProblem(
  status: 400 | 422,
  detail: string,
  error: z.ZodError,
  root = '',
): HttpProblem {
  return new HttpProblem(status, problemCodes.validation, detail, toFieldErrors(error, root));
}

/** A page token the API did not issue (forged, truncated, or another listing's): a 400 naming `nextToken`. */
export const pageTokenProblem = (message: string): HttpProblem =>
  new HttpProblem(400, problemCodes.validation, message, [
    { pointer: '/nextToken', field: 'nextToken', message },
  ]);
