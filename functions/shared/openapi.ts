import * as z from 'zod';
import { apiContracts, type RouteContract, type RouteKey } from '../contracts/api';
import { problemSchema } from '../contracts/ops-schemas';
import { routes } from '../contracts/system';

type JsonSchema = Record<string, unknown>;

const problemComponent = { $ref: '#/components/schemas/Problem' };
const problemDescriptions: Record<number, string> = {
  400: 'Malformed JSON, a missing header, an invalid path or query parameter, a query parameter the route does not declare, or a body where it takes none',
  401: 'No or unknown x-api-key',
  403: 'The key may not perform this operation or act on this resource',
  404: 'Not found',
  409: 'Conflicts with the current state',
  415: 'The body is not application/json',
  422: 'The body fails validation; errors[] names each bad field',
  429: 'Too many requests from this caller; retry after the Retry-After header (seconds)',
  500: 'Unexpected error; details are logged, not returned',
};

function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
    // Requests with fields the contract does not know are refused (shared/json-input.ts): say so.
    ...(io === 'input'
      ? {
          override: ({ zodSchema, jsonSchema }) => {
            if (zodSchema._zod.def.type === 'object') jsonSchema.additionalProperties = false;
          },
        }
      : {}),
  });
  return rest;
}

function parametersOf(contract: RouteContract): JsonSchema[] {
  const fromSchema = (schema: z.ZodType | undefined, location: 'path' | 'query') => {
    if (!schema) return [];
    const json = toJsonSchema(schema, 'input') as {
      properties?: Record<string, JsonSchema>;
      required?: string[];
    };
    return Object.entries(json.properties ?? {}).map(([name, property]) => ({
      name,
      in: location,
      required: location === 'path' || (json.required ?? []).includes(name),
      schema: property,
    }));
  };
  const headers = (contract.headers ?? []).map((header) => ({
    name: header.name,
    in: 'header',
    required: header.required,
    description: header.description,
    schema: toJsonSchema(header.schema, 'input'),
  }));
  return [...fromSchema(contract.params, 'path'), ...fromSchema(contract.query, 'query'), ...headers];
}

function operationOf(key: RouteKey, contract: RouteContract, isPublic: boolean): JsonSchema {
  // Every route answers 400 to a query parameter it does not declare, or a body when it takes none.
  const errorStatuses = [400, ...(isPublic ? [] : [401, 403]), ...(contract.problems ?? []), 500];
  const responses: Record<string, unknown> = {
    [contract.successStatus]: {
      description: contract.summary,
      content: { 'application/json': { schema: toJsonSchema(contract.response, 'output') } },
    },
  };
  for (const status of [...new Set(errorStatuses)].sort()) {
    responses[status] = {
      description: problemDescriptions[status] ?? 'Error',
      content: { 'application/problem+json': { schema: problemComponent } },
    };
  }
  return {
    operationId: key.replace(/[^A-Za-z0-9]+/g, '_').replace(/_$/, ''),
    summary: contract.summary,
    ...(contract.access
      ? {
          description: `Roles: ${contract.access.roles.join(', ')}${contract.access.scopeParam ? ` (scoped keys: own ${contract.access.scopeParam} only)` : ''}.`,
        }
      : {}),
    parameters: parametersOf(contract),
    ...(contract.body
      ? {
          requestBody: {
            required: !contract.body.safeParse(undefined).success,
            content: { 'application/json': { schema: toJsonSchema(contract.body, 'input') } },
          },
        }
      : {}),
    responses,
    security: isPublic ? [] : [{ apiKey: [] }],
  };
}

/** The OpenAPI 3.1 document of every route in the system definition, generated from the route contracts. */
export function buildOpenApiDocument(): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const key = `${route.method} ${route.path}` as RouteKey;
    const isPublic = 'public' in route && route.public === true;
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = operationOf(
      key,
      apiContracts[key],
      isPublic,
    );
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'O2O fulfilment orchestrator API',
      version: '1.0.0',
      description: 'Errors are RFC 9457 application/problem+json with a machine-readable code.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      schemas: { Problem: toJsonSchema(problemSchema, 'output') },
      securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } },
    },
  };
}
