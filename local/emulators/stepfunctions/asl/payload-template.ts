import { runtimeError } from './errors';
import { evaluateIntrinsic } from './intrinsics';
import { PathNotFound, queryPath } from './json-path';
import type { ContextObject, Json, JsonObject } from './types';

/**
 * Evaluates a payload template (Parameters, ResultSelector, ItemSelector): a `key.$` field takes the value of
 * its path or intrinsic function; every other value is copied as written, nested objects recursively.
 * https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html
 */
export function evaluateTemplate(template: Json, data: Json, context: ContextObject): Json {
  if (Array.isArray(template)) return template.map((item) => evaluateTemplate(item, data, context));
  if (typeof template !== 'object' || template === null) return template;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(template)) {
    if (!key.endsWith('.$')) {
      out[key] = evaluateTemplate(value, data, context);
      continue;
    }
    if (typeof value !== 'string') throw runtimeError(`The value of the field '${key}' must be a string`);
    out[key.slice(0, -2)] = evaluateExpression(key, value, data, context);
  }
  return out;
}

/** The value of a path (`$…`, `$$…`) or intrinsic function (`States.…`) written in the field `field`. */
export function evaluateExpression(
  field: string,
  expression: string,
  data: Json,
  context: ContextObject,
): Json {
  if (expression.startsWith('States.')) return evaluateIntrinsic(expression, data, context);
  try {
    return queryPath(expression, data, context);
  } catch (error) {
    if (!(error instanceof PathNotFound)) throw error;
    const source = expression.startsWith('$$') ? context : data;
    // AWS's wording for this States.Runtime failure.
    throw runtimeError(
      `The JSONPath '${expression}' specified for the field '${field}' could not be found in the input '${JSON.stringify(source)}'`,
    );
  }
}
