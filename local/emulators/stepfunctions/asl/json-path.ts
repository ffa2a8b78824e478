import { JSONPath } from 'jsonpath-plus';
import { runtimeError, StatesError } from './errors';
import type { ContextObject, Json, JsonObject } from './types';

type Segment = string | number;

/** `.name`, `['name']` or `[0]`: the steps of a reference path (one that selects a single node). */
const step = /^(?:\.([^.[\]'"*?@()]+)|\['((?:[^'\\]|\\.)*)'\]|\[(\d+)\])/;

/** The steps of a reference path after `$`, or undefined when the path selects several nodes (wildcards, filters, slices). */
export function referenceSteps(path: string): Segment[] | undefined {
  if (!path.startsWith('$')) return undefined;
  const steps: Segment[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    const match = step.exec(rest);
    if (!match) return undefined;
    if (match[3] !== undefined) steps.push(Number(match[3]));
    else steps.push(match[1] ?? (match[2] ?? '').replace(/\\(.)/g, '$1'));
    rest = rest.slice(match[0].length);
  }
  return steps;
}

export class PathNotFound extends Error {
  constructor(readonly path: string) {
    super(`No results for path: ${path}`);
  }
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function walk(root: Json, steps: Segment[], path: string): Json {
  let node: Json = root;
  for (const key of steps) {
    if (typeof key === 'number' && Array.isArray(node) && key < node.length) node = node[key] as Json;
    else if (typeof key === 'string' && isObject(node) && Object.hasOwn(node, key)) node = node[key] as Json;
    else throw new PathNotFound(path);
  }
  return node;
}

/**
 * Evaluates a JSONPath (`$…` on the data, `$$…` on the context object). A reference path yields its node or
 * throws PathNotFound; any other path yields the array of what it matched, as Step Functions does.
 */
export function queryPath(path: string, data: Json, context?: ContextObject): Json {
  const onContext = path.startsWith('$$');
  const root = (onContext ? (context ?? {}) : data) as Json;
  const expression = onContext ? path.slice(1) : path;
  const steps = referenceSteps(expression);
  if (steps) return walk(root, steps, path);
  if (!expression.startsWith('$')) throw runtimeError(`Invalid JSONPath '${path}'`);
  return JSONPath({ path: expression, json: root as object, wrap: true, eval: 'safe' }) as Json;
}

/** InputPath / OutputPath / ItemsPath: `null` means `{}`, absent means `$`; a path that matches nothing is a runtime error. */
export function selectPath(
  path: string | null | undefined,
  data: Json,
  field: string,
  context?: ContextObject,
): Json {
  if (path === undefined || path === '$') return data;
  if (path === null) return {};
  try {
    return queryPath(path, data, context);
  } catch (error) {
    if (error instanceof PathNotFound) {
      throw runtimeError(
        `Invalid path '${path}' : The ${field} '${path}' could not be found in the input '${JSON.stringify(data)}'`,
      );
    }
    throw error;
  }
}

/**
 * ResultPath: puts `value` into `input` at a reference path, creating objects on the way (copy on write, the
 * input is never mutated). `null` discards the result; a path through a non-object is States.ResultPathMatchFailure.
 */
export function applyResultPath(path: string | null | undefined, input: Json, value: Json): Json {
  if (path === undefined || path === '$') return value;
  if (path === null) return input;
  const steps = referenceSteps(path);
  if (!steps) throw runtimeError(`ResultPath '${path}' must be a reference path`);
  const put = (node: Json | undefined, index: number): Json => {
    if (index === steps.length) return value;
    const key = steps[index] as Segment;
    if (typeof key === 'number' && Array.isArray(node) && key < node.length) {
      const copy = [...node];
      copy[key] = put(node[key], index + 1);
      return copy;
    }
    if (typeof key === 'string' && (node === undefined || isObject(node))) {
      return { ...(node ?? {}), [key]: put(node?.[key], index + 1) };
    }
    throw new StatesError(
      'States.ResultPathMatchFailure',
      `Unable to apply step "${String(key)}" to input ${JSON.stringify(input)}`,
    );
  };
  return put(input, 0);
}
