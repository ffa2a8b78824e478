import { runtimeError } from './errors';
import { PathNotFound, queryPath } from './json-path';
import { parseTimestamp } from './state-fields';
import type { ContextObject, Json, JsonObject } from './types';

/**
 * Choice rules: a boolean expression (And/Or/Not) of comparisons of `Variable` with a literal or a `…Path`.
 * A comparison of mismatched types is false; a missing Variable is a runtime error except for IsPresent.
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
 */
export function ruleMatches(rule: JsonObject, data: Json, context: ContextObject): boolean {
  if (Array.isArray(rule.And)) return (rule.And as JsonObject[]).every((r) => ruleMatches(r, data, context));
  if (Array.isArray(rule.Or)) return (rule.Or as JsonObject[]).some((r) => ruleMatches(r, data, context));
  if (rule.Not !== undefined) return !ruleMatches(rule.Not as JsonObject, data, context);
  const variablePath = String(rule.Variable);
  let value: Json | undefined;
  try {
    value = queryPath(variablePath, data, context);
  } catch (error) {
    if (!(error instanceof PathNotFound)) throw error;
  }
  if ('IsPresent' in rule) return (value !== undefined) === rule.IsPresent;
  if (value === undefined)
    throw runtimeError(
      `Invalid path '${variablePath}': The choice state's condition path references an invalid value.`,
    );
  for (const [operator, operand] of Object.entries(rule)) {
    if (operator === 'Variable' || operator === 'Next' || operator === 'Comment') continue;
    const expected =
      operator.endsWith('Path') && !operator.startsWith('Is')
        ? queryPath(String(operand), data, context)
        : operand;
    return compare(operator.replace(/Path$/, ''), value, expected);
  }
  throw runtimeError('A Choice rule has no comparison operator');
}

const isTimestamp = (value: Json): value is string => parseTimestamp(value) !== undefined;

/** `*` matches any run of characters; `\*` is a literal star. */
function wildcardMatches(value: string, pattern: string): boolean {
  const regex = pattern
    .split(/(?<!\\)\*/)
    .map((part) => part.replace(/\\\*/g, '*').replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${regex}$`, 's').test(value);
}

function order(operator: string, left: number | string, right: number | string): boolean {
  if (operator.endsWith('GreaterThanEquals')) return left >= right;
  if (operator.endsWith('LessThanEquals')) return left <= right;
  if (operator.endsWith('GreaterThan')) return left > right;
  if (operator.endsWith('LessThan')) return left < right;
  return left === right;
}

function compare(operator: string, value: Json, expected: Json | undefined): boolean {
  switch (operator) {
    case 'IsNull':
      return (value === null) === expected;
    case 'IsString':
      return (typeof value === 'string') === expected;
    case 'IsNumeric':
      return (typeof value === 'number') === expected;
    case 'IsBoolean':
      return (typeof value === 'boolean') === expected;
    case 'IsTimestamp':
      return isTimestamp(value) === expected;
    case 'BooleanEquals':
      return typeof value === 'boolean' && value === expected;
    case 'StringMatches':
      return typeof value === 'string' && typeof expected === 'string' && wildcardMatches(value, expected);
  }
  if (operator.startsWith('String'))
    return typeof value === 'string' && typeof expected === 'string' && order(operator, value, expected);
  if (operator.startsWith('Numeric'))
    return typeof value === 'number' && typeof expected === 'number' && order(operator, value, expected);
  if (operator.startsWith('Timestamp'))
    return (
      isTimestamp(value) &&
      isTimestamp(expected ?? null) &&
      order(operator, Date.parse(value), Date.parse(String(expected)))
    );
  throw runtimeError(`Unknown Choice operator ${operator}`);
}
