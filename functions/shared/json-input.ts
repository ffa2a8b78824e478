/**
 * Checks on a parsed JSON request beyond its schema. Both walk the value with an explicit stack, not by
 * recursion, and link each step to its parent rather than copying paths: a client may nest arrays a hundred
 * thousand deep, which JSON.parse accepts and a recursive walk would answer with a stack overflow (a 500).
 */
type Path = (string | number)[];

/** Where a value sits: its key or index, and its parent's place (none at the root). */
interface Place {
  readonly key: string | number;
  readonly parent: Place | undefined;
}

function pathOf(place: Place | undefined): Path {
  const path: Path = [];
  for (let step = place; step; step = step.parent) path.unshift(step.key);
  return path;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The fields of a request the contract does not know. zod objects drop unknown keys when they parse, so they
 * are the keys of the input missing from the parsed value, found by walking both together (arrays element by
 * element). A client's typo (`reorderpoint`) or a field of another version is refused rather than silently
 * ignored. Paths are as zod names issues: keys and indexes from the root.
 */
export function unknownFields(input: unknown, parsed: unknown): Path[] {
  const unknown: Path[] = [];
  const pending: [unknown, unknown, Place | undefined][] = [[input, parsed, undefined]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [given, kept, parent] = next;
    if (Array.isArray(given) && Array.isArray(kept) && given.length === kept.length) {
      for (const [index, element] of given.entries())
        pending.push([element, kept[index], { key: index, parent }]);
    } else if (isPlainObject(given) && isPlainObject(kept)) {
      for (const [key, value] of Object.entries(given)) {
        if (Object.hasOwn(kept, key)) pending.push([value, kept[key], { key, parent }]);
        else unknown.push(pathOf({ key, parent }));
      }
    }
  }
  return unknown.sort((a, b) => a.join('/').localeCompare(b.join('/')));
}

/** With the `u` flag a paired surrogate reads as one character, so only a lone one is a `Cs` (surrogate) code point. */
const loneSurrogate = /\p{Cs}/u;

/**
 * The path of a string (key or value) that holds a lone surrogate: JSON's `\ud800` escapes can spell text
 * that is no Unicode (RFC 8259, section 8.2), which no UTF-8 store keeps.
 */
export function loneSurrogateAt(value: unknown): Path | undefined {
  const pending: [unknown, Place | undefined][] = [[value, undefined]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [current, parent] = next;
    if (typeof current === 'string') {
      if (loneSurrogate.test(current)) return pathOf(parent);
    } else if (Array.isArray(current)) {
      for (const [index, element] of current.entries()) pending.push([element, { key: index, parent }]);
    } else if (isPlainObject(current)) {
      for (const [key, field] of Object.entries(current)) {
        if (loneSurrogate.test(key)) return pathOf({ key, parent });
        pending.push([field, { key, parent }]);
      }
    }
  }
  return undefined;
}
