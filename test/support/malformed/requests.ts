import fc from 'fast-check';
import type { RawRequest } from '../raw-http';
import type { RouteSample } from '../route-samples';
import {
  applyMutation,
  deeplyNested,
  deleted,
  type JsonSchema,
  malformedValuesAt,
  type Site,
  sitesOf,
  toJsonText,
} from './json-values';

/** What the OpenAPI document says about one operation, as far as the fuzz suite reads it. */
export interface OperationInputs {
  readonly parameters?: readonly {
    readonly name: string;
    readonly in: 'path' | 'query' | 'header';
    readonly schema: JsonSchema;
  }[];
  readonly requestBody?: {
    readonly required?: boolean;
    readonly content: { readonly 'application/json': { readonly schema: JsonSchema } };
  };
}

/** One route to fuzz: its sample (valid) request, who may send it, and the inputs its contract declares. */
export interface FuzzedRoute {
  /** `"METHOD /path/{param}"`. */
  readonly route: string;
  readonly sample: RouteSample;
  /** The key of a caller the route admits; absent on public routes. */
  readonly apiKey?: string;
  readonly operation: OperationInputs;
  /** Every method served on the same path (GET and POST /ops/principals): none of them is a wrong one. */
  readonly pathMethods: readonly string[];
}

/** A malformed request, what makes it so, and the statuses that refuse it for that reason. */
export interface Variant {
  readonly label: string;
  readonly request: RawRequest;
  readonly expected: readonly number[];
}

/**
 * The statuses that say a request was refused for what is malformed in it. A 404 or 409 about what the
 * request names would hide a malformed value the route let through, so they only count where the path itself
 * leads nowhere.
 */
const refusedFor = {
  body: [400, 422],
  mediaType: [415],
  syntax: [400],
  /** A scoped key (supplier, staff) is refused another resource's path before the path is validated. */
  pathParameter: [400, 403],
  noRoute: [400, 404],
  query: [400],
  apiKey: [401],
  header: [400],
} as const;

const jsonContentType = 'application/json';
const wrongContentTypes = [
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'text/json',
  'application/jsonp',
  'application/json-seq',
];
const notJson = [
  '{',
  '{"a":}',
  "{'a':1}",
  'NaN',
  '{"a":1,}',
  '[1,]',
  'undefined',
  '{"a":1} trailing',
  '\u0000',
];

/**
 * Path segments, as sent, that no identifier of this API can be once decoded: percent garbage, encoded
 * slashes and controls, dots, other scripts, length. Pure dot segments (`.`, `..`, `%2e%2e`) are not among
 * them: a URL resolves them (RFC 3986, section 5.2.4), so they lead to another path, not to a malformed
 * parameter; `path with an unknown tail` covers paths that lead nowhere.
 */
const badSegments = [
  '%ZZ',
  '%E0%A4%A',
  '%',
  'abc%',
  '%ED%A0%80',
  '.x',
  'a..b',
  'x.',
  'a%2Fb',
  '%2F',
  '%00',
  'a%0Ab',
  '%20',
  'a%20b',
  '%C3%A9',
  '%F0%9F%98%80',
  'x'.repeat(1_000),
  '%25',
];

/** Whether a segment, decoded, is a value the parameter's pattern admits (then it is no malformed one). */
function admitted(segment: string, schema: JsonSchema | undefined): boolean {
  if (!schema) return false;
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) return branches.some((branch) => admitted(segment, branch));
  if (!schema.pattern) return false;
  try {
    return new RegExp(schema.pattern, 'u').test(decodeURIComponent(segment));
  } catch {
    return false;
  }
}

interface Parts {
  readonly method: string;
  readonly template: string;
  readonly pathParams: Readonly<Record<string, string>>;
}

function partsOf(fuzzed: FuzzedRoute): Parts {
  const [method = 'GET', template = '/'] = fuzzed.route.split(' ');
  const names = [...template.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string);
  const pattern = new RegExp(`^${template.replace(/\{\w+\}/g, '([^/]+)')}$`);
  const values = pattern.exec(fuzzed.sample.path)?.slice(1) ?? [];
  return {
    method,
    template,
    pathParams: Object.fromEntries(names.map((name, i) => [name, values[i] ?? ''])),
  };
}

const pathOf = (parts: Parts, params: Readonly<Record<string, string>>) =>
  parts.template.replace(/\{(\w+)\}/g, (_whole, name: string) => params[name] ?? '');

/** The sample request as raw parts, before a mutation changes one of them. */
function baseRequest(fuzzed: FuzzedRoute, parts: Parts): RawRequest {
  const headers: Record<string, string> = { ...fuzzed.sample.headers };
  if (fuzzed.apiKey) headers['x-api-key'] = fuzzed.apiKey;
  if (fuzzed.sample.body !== undefined) headers['content-type'] = jsonContentType;
  return {
    method: parts.method,
    path: fuzzed.sample.path,
    headers,
    ...(fuzzed.sample.body === undefined ? {} : { body: JSON.stringify(fuzzed.sample.body) }),
  };
}

/** A value as a label shows it: its JSON, cut short. */
const shortly = (value: unknown): string => {
  if (value === deleted) return '(deleted)';
  const text = toJsonText(value) ?? 'undefined';
  return text.length > 24 ? `${text.slice(0, 20)}…(${text.length})` : text;
};

const variant = (
  label: string,
  base: RawRequest,
  change: Partial<RawRequest>,
  expected: readonly number[],
): Variant => ({ label, request: { ...base, ...change }, expected });

/** A family of malformed variants: every variant the contract spells out, and random ones fast-check draws. */
interface Family {
  readonly all: Variant[];
  readonly random: fc.Arbitrary<Variant>[];
}

function bodyVariants(fuzzed: FuzzedRoute, base: RawRequest): Family {
  const bodySchema = fuzzed.operation.requestBody?.content[jsonContentType]?.schema;
  const sample = fuzzed.sample.body;
  const withBody = (
    label: string,
    body: string | Buffer,
    expected: readonly number[] = refusedFor.body,
    contentType = jsonContentType,
  ) => variant(label, base, { body, headers: { ...base.headers, 'content-type': contentType } }, expected);
  if (!bodySchema || sample === undefined) {
    // A route that takes no body refuses one.
    const bodies = ['{}', '{"x":1}', '[]', 'null', 'not json'];
    return {
      all: bodies.map((body) => withBody('a body where the route takes none', body, refusedFor.syntax)),
      random: [],
    };
  }
  const sites: Site[] = sitesOf(sample, bodySchema);
  const objectSites = sites.filter(
    (site) => site.value !== null && typeof site.value === 'object' && !Array.isArray(site.value),
  );
  const knownNames = new Set(sites.flatMap((site) => Object.keys(site.schema.properties ?? {})));
  const text = toJsonText(sample);
  const all = [
    ...sites
      .flatMap(malformedValuesAt)
      .map((mutation) =>
        withBody(
          `${mutation.label} ${shortly(mutation.value)} at /${mutation.path.join('/')}`,
          toJsonText(applyMutation(sample, mutation)),
        ),
      ),
    ...notJson.map((body) => withBody('not JSON', body, refusedFor.syntax)),
    ...wrongContentTypes.map((contentType) =>
      withBody(`JSON sent as ${contentType}`, text, refusedFor.mediaType, contentType),
    ),
    ...[deeplyNested(100_000).text, `{"a":${deeplyNested(100_000).text}}`].map((body) =>
      withBody('JSON nested 100,000 deep', body),
    ),
    withBody(
      'body over 1 MiB',
      toJsonText(applyMutation(sample, { path: ['padding'], value: 'x'.repeat(1_200_000) })),
    ),
    ...(fuzzed.operation.requestBody?.required
      ? [variant('required body missing', base, { body: undefined }, refusedFor.body)]
      : []),
  ];
  const random = [
    fc
      .record({
        site: fc.constantFrom(...objectSites),
        name: fc.string({ minLength: 1, maxLength: 12 }).filter((name) => !knownNames.has(name)),
        value: fc.jsonValue({ maxDepth: 2 }),
      })
      .map(({ site, name, value }) =>
        withBody(
          `unknown field at /${site.path.join('/')}`,
          toJsonText(applyMutation(sample, { path: [...site.path, name], value })),
        ),
      ),
    fc
      .integer({ min: 1, max: text.length - 1 })
      .map((cut) => withBody('truncated JSON', text.slice(0, cut), refusedFor.syntax)),
  ];
  return { all, random };
}

function pathVariants(fuzzed: FuzzedRoute, base: RawRequest, parts: Parts): Family {
  const tails = ['/x-unknown', '/%ZZ', '//', '/..%2F..'];
  const unknownTails = tails.map((tail) =>
    variant('path with an unknown tail', base, { path: `${base.path}${tail}` }, refusedFor.noRoute),
  );
  const names = Object.keys(parts.pathParams);
  if (names.length === 0) return { all: unknownTails, random: [] };
  const schemaOf = (name: string) =>
    fuzzed.operation.parameters?.find((parameter) => parameter.in === 'path' && parameter.name === name)
      ?.schema;
  const replaced = (name: string, segment: string) =>
    variant(
      `path parameter ${name} malformed`,
      base,
      { path: pathOf(parts, { ...parts.pathParams, [name]: segment }) },
      refusedFor.pathParameter,
    );
  return {
    all: [
      ...unknownTails,
      ...names.flatMap((name) =>
        badSegments
          .filter((segment) => !admitted(segment, schemaOf(name)))
          .map((segment) => replaced(name, segment)),
      ),
    ],
    random: [
      // Random text, percent-encoded as a client would, that is no identifier (they are plain ASCII).
      fc
        .record({
          name: fc.constantFrom(...names),
          text: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
        })
        .map(({ name, text }) => ({ name, segment: encodeURIComponent(text) }))
        .filter(({ name, segment }) => !/^(\.|\.\.)$/.test(segment) && !admitted(segment, schemaOf(name)))
        .map(({ name, segment }) => replaced(name, segment)),
    ],
  };
}

function queryVariants(fuzzed: FuzzedRoute, base: RawRequest): Family {
  const declared = (fuzzed.operation.parameters ?? []).filter((parameter) => parameter.in === 'query');
  const withQuery = (label: string, query: string) =>
    variant(label, base, { path: `${base.path}?${query}` }, refusedFor.query);
  const forgedToken = fc
    .base64String({ minLength: 4, maxLength: 200 })
    .map((token) => `nextToken=${encodeURIComponent(token)}`);
  const declaredNames = new Set(declared.map((parameter) => parameter.name));
  const undeclared = [
    'limit=-1',
    'limit=abc',
    'status=NOPE',
    'nextToken=',
    'nextToken=Zm9yZ2Vk',
    'x=1',
    'debug',
  ]
    .filter((query) => !declaredNames.has(query.split('=')[0] as string))
    .map((query) => withQuery('a query parameter the route does not declare', query));
  const randomUndeclared = fc
    .record({ name: fc.string({ minLength: 1, maxLength: 10 }), value: fc.string({ maxLength: 10 }) })
    .filter(({ name }) => !declaredNames.has(name))
    .map(({ name, value }) =>
      withQuery(
        'a query parameter the route does not declare',
        `${encodeURIComponent(name)}=${encodeURIComponent(value)}`,
      ),
    );
  if (declared.length === 0)
    return {
      all: undeclared,
      random: [randomUndeclared, forgedToken.map((query) => withQuery('a forged nextToken', query))],
    };
  const badValue: Record<string, string[]> = {
    integer: ['-1', '0', 'abc', '1e21', '1.5', '', 'NaN', 'Infinity', '101', '9007199254740993'],
    string: ['', 'NOPE', 'failed', '%ZZ', 'x'.repeat(5_000)],
  };
  const bad = declared.flatMap((parameter) =>
    (badValue[String(parameter.schema.type)] ?? ['NOPE'])
      .filter((value) => !acceptedBy(parameter.schema, value))
      .map((value) =>
        withQuery('a query parameter out of its format', `${parameter.name}=${encodeURIComponent(value)}`),
      ),
  );
  const repeated = declared.map((parameter) =>
    withQuery('a query parameter repeated', `${parameter.name}=1&${parameter.name}=2`),
  );
  return {
    all: [...undeclared, ...bad, ...repeated],
    random: [
      randomUndeclared,
      ...(declaredNames.has('nextToken')
        ? [forgedToken.map((query) => withQuery('a forged nextToken', query))]
        : []),
    ],
  };
}

/** Whether a query value is one the declared schema admits (a string query value is only wrong by format). */
function acceptedBy(schema: JsonSchema, value: string): boolean {
  if (schema.enum) return schema.enum.includes(value);
  if (schema.type === 'string')
    return value.length >= (schema.minLength ?? 0) && value.length <= (schema.maxLength ?? Infinity);
  if (schema.type !== 'integer' || !/^\d+$/.test(value)) return false;
  const number = Number(value);
  return number >= (schema.minimum ?? -Infinity) && number <= (schema.maximum ?? Infinity);
}

function headerVariants(fuzzed: FuzzedRoute, base: RawRequest): Family {
  const withHeader = (label: string, name: string, value: string | readonly string[] | undefined) => {
    const headers: Record<string, string | readonly string[]> = { ...base.headers };
    if (value === undefined) delete headers[name];
    else headers[name] = value;
    return variant(label, base, { headers }, name === 'x-api-key' ? refusedFor.apiKey : refusedFor.header);
  };
  const all: Variant[] = [];
  const random: fc.Arbitrary<Variant>[] = [];
  if (fuzzed.apiKey) {
    const key = fuzzed.apiKey;
    const keyLabel = 'no, a bad or a repeated x-api-key';
    const badKeys = [undefined, '', 'x'.repeat(10_000), `${key}x`, key.slice(0, -1), `${key}é`, [key, key]];
    all.push(...badKeys.map((value) => withHeader(keyLabel, 'x-api-key', value)));
    random.push(
      fc
        .string({ minLength: 1, maxLength: 80 })
        .filter((value) => /^[\x21-\x7e]+$/.test(value))
        .map((value) => withHeader(keyLabel, 'x-api-key', value)),
    );
  }
  for (const parameter of (fuzzed.operation.parameters ?? []).filter((p) => p.in === 'header')) {
    const name = parameter.name.toLowerCase();
    const value = String(base.headers[name] ?? 'value');
    const bad = [undefined, '', '   ', 'x'.repeat(256), 'x'.repeat(8_000), [value, `${value}-2`]];
    all.push(
      ...bad.map((header) =>
        withHeader(`${parameter.name} header missing, empty, too long or repeated`, name, header),
      ),
    );
  }
  return { all, random };
}

/**
 * Malformed variants of a route's sample request: its body, path, query string and headers, each made
 * malformed in one way as the route's contract (its OpenAPI operation) reads. `all` holds every variant the
 * contract spells out (each malformed value at each field, each bad segment of each path parameter…);
 * `random` draws the open-ended ones (unknown field names and values, cuts of the JSON text, random text in
 * the path, forged tokens, random keys).
 */
export function malformedRequests(fuzzed: FuzzedRoute): { all: Variant[]; random: fc.Arbitrary<Variant> } {
  const parts = partsOf(fuzzed);
  const base = baseRequest(fuzzed, parts);
  const unserved = (
    parts.method === 'GET' ? ['POST', 'PUT', 'DELETE'] : ['GET', 'POST', 'PUT', 'DELETE']
  ).filter((method) => !fuzzed.pathMethods.includes(method));
  const otherMethods = ['PATCH', ...unserved.slice(0, 1)].map((method) =>
    variant(`method ${method}`, base, { method }, [404]),
  );
  const families = [
    bodyVariants(fuzzed, base),
    pathVariants(fuzzed, base, parts),
    queryVariants(fuzzed, base),
    headerVariants(fuzzed, base),
  ];
  return {
    all: [...families.flatMap((family) => family.all), ...otherMethods],
    random: fc.oneof(...families.flatMap((family) => family.random)),
  };
}
