/**
 * Malformed JSON values for the fuzz suite, derived from a valid sample and the JSON Schema the API publishes
 * for it (the OpenAPI document). Each site of the sample (a field, an array element, the root) gets values
 * that no reading of the contract accepts: another JSON type, numbers no field of this API can take,
 * strings outside the field's format, objects with a field too many or too few.
 */
export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly items?: JsonSchema;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly default?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly minItems?: number;
  readonly maxItems?: number;
}

export type JsonPath = readonly (string | number)[];

/** A place in the sample with the schema branch its value takes. */
export interface Site {
  readonly path: JsonPath;
  readonly schema: JsonSchema;
  /** JSON types the contract admits here, over every branch (`integer` counted as `number`). */
  readonly types: ReadonlySet<string>;
  readonly value: unknown;
}

/** JSON text inserted verbatim where JSON.stringify cannot write it (`1e999`, `9007199254740993`, deep nesting). */
export class RawJson {
  constructor(readonly text: string) {}
}

export interface Mutation {
  readonly label: string;
  readonly path: JsonPath;
  /** `deleted` removes the field at `path`. */
  readonly value: unknown | typeof deleted;
}
export const deleted = Symbol('deleted');

const jsonType = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;

function typesOf(schema: JsonSchema): Set<string> {
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) return new Set(branches.flatMap((branch) => [...typesOf(branch)]));
  if (schema.const !== undefined) return new Set([jsonType(schema.const)]);
  if (schema.enum) return new Set(schema.enum.map(jsonType));
  const declared = schema.type === undefined ? [] : [schema.type].flat();
  if (declared.length === 0) return new Set(['null', 'boolean', 'number', 'string', 'array', 'object']);
  return new Set(declared.map((type) => (type === 'integer' ? 'number' : type)));
}

/** The branch of a union the value takes: its type matches, and so does every `const` (discriminators). */
function branchOf(schema: JsonSchema, value: unknown): JsonSchema {
  const branches = schema.anyOf ?? schema.oneOf;
  if (!branches) return schema;
  const taken = branches.find(
    (branch) =>
      typesOf(branch).has(jsonType(value)) &&
      Object.entries(branch.properties ?? {}).every(
        ([name, property]) =>
          property.const === undefined || (value as Record<string, unknown>)[name] === property.const,
      ),
  );
  return taken ? branchOf(taken, value) : schema;
}

/** Every site of the sample: the root, each field, the first element of each array. */
export function sitesOf(value: unknown, schema: JsonSchema, path: JsonPath = []): Site[] {
  const branch = branchOf(schema, value);
  const site: Site = { path, schema: branch, types: typesOf(schema), value };
  if (Array.isArray(value) && value.length > 0 && branch.items)
    return [site, ...sitesOf(value[0], branch.items, [...path, 0])];
  if (jsonType(value) === 'object') {
    const fields = Object.entries(value as Record<string, unknown>).flatMap(([name, field]) => {
      const property = branch.properties?.[name];
      return property ? sitesOf(field, property, [...path, name]) : [];
    });
    return [site, ...fields];
  }
  return [site];
}

/** Nested arrays deeper than any parser should be asked to follow. */
export const deeplyNested = (depth: number) => new RawJson(`${'['.repeat(depth)}${']'.repeat(depth)}`);

const overlong = 'x'.repeat(40_000);

function wrongTypes(site: Site): Mutation[] {
  const byType: [string, unknown[]][] = [
    ['number', [42, new RawJson('-0.5')]],
    ['string', site.types.has('number') ? ['12', 'NaN', 'Infinity'] : ['x']],
    ['boolean', [true]],
    ['null', [null]],
    ['array', [[], [site.value]]],
    ['object', [{}, { value: site.value }]],
  ];
  return byType
    .filter(([type]) => !site.types.has(type))
    .flatMap(([type, values]) =>
      values.map((value) => ({
        label: `${type} instead of ${[...site.types].join('|')}`,
        path: site.path,
        value,
      })),
    );
}

function badNumbers(site: Site): Mutation[] {
  if (!site.types.has('number') || typeof site.value !== 'number') return [];
  const { schema } = site;
  const values: unknown[] = [
    new RawJson('1e21'),
    new RawJson('-1e21'),
    new RawJson('9007199254740993'),
    new RawJson('1e999'),
    new RawJson('-1e999'),
  ];
  if (schema.type === 'integer') values.push(1.5);
  else values.push(new RawJson('1e-200'));
  const lowest = schema.exclusiveMinimum ?? schema.minimum;
  if (lowest !== undefined && lowest >= 0) values.push(-1);
  if (schema.exclusiveMinimum === 0) values.push(0);
  if (schema.maximum !== undefined && schema.maximum < 2 ** 53 - 1) values.push(schema.maximum + 1);
  if (schema.minimum !== undefined && schema.minimum > -(2 ** 53 - 1)) values.push(schema.minimum - 1);
  return values.map((value) => ({ label: 'number out of range', path: site.path, value }));
}

function badStrings(site: Site): Mutation[] {
  if (!site.types.has('string') || typeof site.value !== 'string') return [];
  const { schema } = site;
  // Anywhere: far too long, and text that is not Unicode (a lone surrogate cannot be stored as UTF-8).
  const values: unknown[] = [overlong, `${site.value}\ud800`];
  if (schema.enum || schema.const !== undefined)
    values.push('NOPE', site.value.toLowerCase(), `${site.value} `, '');
  else if (schema.pattern) {
    const format = new RegExp(schema.pattern, 'u');
    const candidates = [
      '',
      ' ',
      'a b',
      '..',
      '../x',
      'a/b',
      'é',
      '😀',
      `${site.value}\u0000`,
      `${site.value}\n`,
    ];
    values.push(...candidates.filter((candidate) => !format.test(candidate)));
  } else {
    if ((schema.minLength ?? 0) >= 1) values.push('', '   ');
    if (schema.maxLength !== undefined) values.push('x'.repeat(schema.maxLength + 1));
  }
  return values
    .filter((value) => value !== site.value)
    .map((value) => ({ label: 'string outside its format', path: site.path, value }));
}

function badShapes(site: Site): Mutation[] {
  const { schema, value, path } = site;
  const mutations: Mutation[] = [];
  if (Array.isArray(value)) {
    if ((schema.minItems ?? 0) >= 1) mutations.push({ label: 'empty array', path, value: [] });
    if (schema.maxItems !== undefined && value.length > 0)
      mutations.push({ label: 'too many elements', path, value: Array(schema.maxItems + 1).fill(value[0]) });
  }
  if (jsonType(value) === 'object') {
    for (const name of schema.required ?? [])
      mutations.push({ label: 'required field missing', path: [...path, name], value: deleted });
  }
  mutations.push({ label: 'deeply nested arrays', path, value: deeplyNested(5_000) });
  return mutations;
}

/** Every malformed value the contract gives for a site. */
export const malformedValuesAt = (site: Site): Mutation[] => [
  ...wrongTypes(site),
  ...badNumbers(site),
  ...badStrings(site),
  ...badShapes(site),
];

/** The value with the mutation applied (a copy). */
export function applyMutation(root: unknown, mutation: Pick<Mutation, 'path' | 'value'>): unknown {
  const [head, ...rest] = mutation.path;
  if (head === undefined) return mutation.value;
  const copy = (Array.isArray(root) ? [...root] : { ...(root as object) }) as Record<
    string | number,
    unknown
  >;
  if (rest.length === 0 && mutation.value === deleted) delete copy[head];
  // Defined, not assigned: a field named `__proto__` must be a field, not the copy's prototype.
  else
    Object.defineProperty(copy, head, {
      value: applyMutation(copy[head], { path: rest, value: mutation.value }),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return copy;
}

/** JSON text of a value that may hold RawJson pieces. */
export function toJsonText(value: unknown): string {
  const raws: string[] = [];
  const marker = (index: number) => `\u0001raw${index}\u0001`;
  const text = JSON.stringify(value, (_key, field: unknown) => {
    if (!(field instanceof RawJson)) return field;
    raws.push(field.text);
    return marker(raws.length - 1);
  });
  return raws.reduce((json, raw, index) => json.replace(JSON.stringify(marker(index)), raw), text);
}
