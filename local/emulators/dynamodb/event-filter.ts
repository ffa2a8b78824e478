/**
 * Lambda event filtering (the EventBridge pattern syntax it uses), for the local event source mappings:
 * every key of the pattern must match; a list matches when any of its entries does; an entry is a value to
 * equal, or `{exists: boolean}`, `{prefix: string}` or `{"anything-but": [values]}`. Any other operator is
 * refused, never ignored: a filter the local cloud cannot judge must not pass silently.
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html#filtering-syntax
 */
export class UnsupportedFilterError extends Error {
  override readonly name = 'UnsupportedFilterError';
}

export function matchesFilter(pattern: Record<string, unknown>, event: unknown): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    const actual = isObject(event) ? event[key] : undefined;
    if (Array.isArray(expected)) return expected.some((entry) => matchesEntry(entry, actual));
    if (isObject(expected)) return matchesFilter(expected, actual);
    throw new UnsupportedFilterError(`filter value of ${key} must be a list or an object`);
  });
}

function matchesEntry(entry: unknown, actual: unknown): boolean {
  if (!isObject(entry)) return actual === entry;
  const [operator, operand] = Object.entries(entry)[0] ?? [];
  if (operator === 'exists') return (actual !== undefined) === operand;
  if (operator === 'prefix' && typeof operand === 'string')
    return typeof actual === 'string' && actual.startsWith(operand);
  if (operator === 'anything-but' && Array.isArray(operand))
    return actual !== undefined && !operand.includes(actual);
  throw new UnsupportedFilterError(`unsupported filter operator ${JSON.stringify(entry)}`);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
