import { createHash, randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { StatesError } from './errors';
import { queryPath } from './json-path';
import type { ContextObject, Json, JsonObject } from './types';

/**
 * Intrinsic functions (`States.Format('{}', $.x)` …) in payload templates.
 * https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html
 * A call's arguments are string literals, numbers, booleans, null, paths or nested calls.
 */
type Argument =
  | { kind: 'literal'; value: Json }
  | { kind: 'path'; path: string }
  | { kind: 'call'; name: string; args: Argument[] };

const intrinsicFailure = (message: string): StatesError =>
  new StatesError('States.IntrinsicFailure', message);

/** A recursive-descent parser over the expression text; `position` moves forward only. */
class Parser {
  private position = 0;
  constructor(private readonly text: string) {}

  parseCall(): Argument {
    const name = /^States\.[A-Za-z0-9]+/.exec(this.text.slice(this.position))?.[0];
    if (!name) throw this.error('expected an intrinsic function name');
    this.position += name.length;
    this.expect('(');
    const args: Argument[] = [];
    this.skipSpaces();
    if (this.peek() !== ')') {
      for (;;) {
        args.push(this.parseArgument());
        this.skipSpaces();
        if (this.peek() === ')') break;
        this.expect(',');
      }
    }
    this.expect(')');
    return { kind: 'call', name, args };
  }

  parseExpression(): Argument {
    const call = this.parseCall();
    this.skipSpaces();
    if (this.position !== this.text.length) throw this.error('unexpected text after the call');
    return call;
  }

  private parseArgument(): Argument {
    this.skipSpaces();
    const rest = this.text.slice(this.position);
    if (rest.startsWith("'")) return { kind: 'literal', value: this.parseString() };
    if (rest.startsWith('$')) return { kind: 'path', path: this.parsePath() };
    if (rest.startsWith('States.')) return this.parseCall();
    const literal = /^(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(rest)?.[0];
    if (!literal) throw this.error('expected an argument');
    this.position += literal.length;
    return { kind: 'literal', value: JSON.parse(literal) as Json };
  }

  /**
   * 'text' with \' \{ \} \\ escapes, the only ones AWS allows (any other is an invalid definition); braces
   * stay escaped for States.Format, which unescapes them.
   */
  private parseString(): string {
    let out = '';
    for (this.position += 1; this.position < this.text.length; this.position += 1) {
      const char = this.text[this.position];
      if (char === '\\') {
        const next = this.text[this.position + 1] ?? '';
        if (!"'{}\\".includes(next) || next === '') throw this.error(`illegal escape \\${next}`);
        out += next === '{' || next === '}' ? `\\${next}` : next;
        this.position += 1;
      } else if (char === "'") {
        this.position += 1;
        return out;
      } else out += char;
    }
    throw this.error('unterminated string');
  }

  /** A path runs to the next top-level `,` or `)`; brackets and quoted names may contain either. */
  private parsePath(): string {
    const start = this.position;
    let depth = 0;
    let quote: string | undefined;
    for (; this.position < this.text.length; this.position += 1) {
      const char = this.text[this.position];
      if (quote) {
        if (char === '\\') this.position += 1;
        else if (char === quote) quote = undefined;
      } else if (char === "'" || char === '"') quote = char;
      else if (char === '[' || char === '(') depth += 1;
      else if (char === ']' || (char === ')' && depth > 0)) depth -= 1;
      else if (depth === 0 && (char === ',' || char === ')')) break;
    }
    return this.text.slice(start, this.position).trim();
  }

  private skipSpaces(): void {
    while (this.text[this.position] === ' ') this.position += 1;
  }
  private peek(): string | undefined {
    return this.text[this.position];
  }
  private expect(char: string): void {
    this.skipSpaces();
    if (this.text[this.position] !== char) throw this.error(`expected '${char}'`);
    this.position += 1;
  }
  private error(what: string): StatesError {
    return intrinsicFailure(`Invalid intrinsic function ${this.text}: ${what} at ${this.position}`);
  }
}

const parsed = new Map<string, Argument>();

/** Parses (once per expression text) and evaluates an intrinsic function call. */
export function evaluateIntrinsic(expression: string, data: Json, context: ContextObject): Json {
  let call = parsed.get(expression);
  if (!call) {
    call = new Parser(expression).parseExpression();
    parsed.set(expression, call);
  }
  return evaluate(call, data, context);
}

function evaluate(argument: Argument, data: Json, context: ContextObject): Json {
  if (argument.kind === 'literal') return argument.value;
  if (argument.kind === 'path') return queryPath(argument.path, data, context);
  const fn = functions[argument.name];
  if (!fn) throw intrinsicFailure(`Unknown intrinsic function ${argument.name}`);
  const values = argument.args.map((a) => evaluate(a, data, context));
  return fn(values, argument.name);
}

const array = (value: Json | undefined, name: string): Json[] => {
  if (!Array.isArray(value)) throw intrinsicFailure(`${name}: expected an array`);
  return value;
};
const integer = (value: Json | undefined, name: string): number => {
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw intrinsicFailure(`${name}: expected an integer`);
  return value;
};
/** A number argument AWS rounds to the nearest integer (as Java's Math.round, which JavaScript's matches). */
const rounded = (value: Json | undefined, name: string): number => {
  if (typeof value !== 'number') throw intrinsicFailure(`${name}: expected a number`);
  return Math.round(value);
};
const text = (value: Json | undefined, name: string): string => {
  if (typeof value !== 'string') throw intrinsicFailure(`${name}: expected a string`);
  return value;
};

const hashAlgorithms: Record<string, string> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

function format(args: Json[], name: string): Json {
  const template = text(args[0], name);
  const values = args.slice(1);
  const pieces = template.split(/(?<!\\)\{\}/);
  if (pieces.length - 1 !== values.length)
    throw intrinsicFailure(
      `${name}: the template has ${pieces.length - 1} placeholders for ${values.length} values`,
    );
  const unescapeBraces = (piece: string) => piece.replace(/\\([{}])/g, '$1');
  return pieces.reduce((out, piece, index) => {
    if (index === 0) return unescapeBraces(piece);
    return out + formatted(values[index - 1] ?? null) + unescapeBraces(piece);
  }, '');
}

/**
 * A value as States.Format writes it: strings as they are, JSON objects and arrays the way Java prints maps
 * and lists (`{Arg1=1, Arg2=[]}`, from an AWS-recorded history: localstack test_generic test_format_2).
 */
function formatted(value: Json): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(formatted).join(', ')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.entries(value)
      .map(([key, item]) => `${key}=${formatted(item)}`)
      .join(', ')}}`;
  return JSON.stringify(value);
}

type Intrinsic = (args: Json[], name: string) => Json;

/** Checks the argument count before calling `fn` (max = min unless given; Infinity for variadic). */
const fixed =
  (min: number, fn: Intrinsic, max = min): Intrinsic =>
  (args, name) => {
    if (args.length < min || args.length > max)
      throw intrinsicFailure(
        `${name}: expected ${min === max ? min : `${min}-${max}`} arguments, got ${args.length}`,
      );
    return fn(args, name);
  };

const functions: Record<string, Intrinsic> = {
  'States.Format': fixed(1, format, Number.POSITIVE_INFINITY),
  'States.StringToJson': fixed(1, (args, name) => {
    const json = text(args[0], name);
    // AWS answers null for an empty or blank string (localstack test_json_manipulation, AWS-validated).
    if (json.trim() === '') return null;
    try {
      return JSON.parse(json) as Json;
    } catch {
      throw intrinsicFailure(`${name}: the argument is not JSON`);
    }
  }),
  'States.JsonToString': fixed(1, (args) => JSON.stringify(args[0])),
  'States.Array': (args) => args,
  'States.ArrayPartition': fixed(2, (args, name) => {
    const items = array(args[0], name);
    const size = integer(args[1], name);
    if (size <= 0) throw intrinsicFailure(`${name}: the chunk size must be positive`);
    const chunks: Json[] = [];
    for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
    return chunks;
  }),
  'States.ArrayContains': fixed(2, (args, name) =>
    array(args[0], name).some((item) => isDeepStrictEqual(item, args[1])),
  ),
  'States.ArrayRange': fixed(3, (args, name) => {
    const [start, end, stepBy] = [integer(args[0], name), integer(args[1], name), integer(args[2], name)];
    if (stepBy === 0) throw intrinsicFailure(`${name}: the step must not be 0`);
    const out: number[] = [];
    for (let i = start; stepBy > 0 ? i <= end : i >= end; i += stepBy) {
      out.push(i);
      if (out.length > 1000) throw intrinsicFailure(`${name}: at most 1000 items`);
    }
    return out;
  }),
  'States.ArrayGetItem': fixed(2, (args, name) => {
    const items = array(args[0], name);
    const index = integer(args[1], name);
    if (index < 0 || index >= items.length)
      throw intrinsicFailure(`${name}: index ${index} is out of bounds`);
    return items[index] as Json;
  }),
  'States.ArrayLength': fixed(1, (args, name) => array(args[0], name).length),
  'States.ArrayUnique': fixed(1, (args, name) => {
    const out: Json[] = [];
    for (const item of array(args[0], name)) {
      if (!out.some((seen) => isDeepStrictEqual(seen, item))) out.push(item);
    }
    return out;
  }),
  'States.Base64Encode': fixed(1, (args, name) => Buffer.from(text(args[0], name)).toString('base64')),
  'States.Base64Decode': fixed(1, (args, name) =>
    Buffer.from(text(args[0], name), 'base64').toString('utf8'),
  ),
  'States.Hash': fixed(2, (args, name) => {
    const algorithm = hashAlgorithms[text(args[1], name)];
    if (!algorithm) throw intrinsicFailure(`${name}: unsupported algorithm ${String(args[1])}`);
    const input = typeof args[0] === 'string' ? args[0] : JSON.stringify(args[0]);
    return createHash(algorithm).update(input).digest('hex');
  }),
  'States.JsonMerge': fixed(3, (args, name) => {
    const [left, right, deep] = args;
    if (deep !== false) throw intrinsicFailure(`${name}: only a shallow merge (false) is supported`);
    const isObject = (value: Json | undefined): value is JsonObject =>
      typeof value === 'object' && value !== null && !Array.isArray(value);
    if (!isObject(left) || !isObject(right)) throw intrinsicFailure(`${name}: expected two objects`);
    return { ...left, ...right };
  }),
  'States.MathRandom': fixed(
    2,
    (args, name) => {
      const [low, high] = [rounded(args[0], name), rounded(args[1], name)];
      return low + Math.floor(Math.random() * (high - low));
    },
    3,
  ),
  'States.MathAdd': fixed(2, (args, name) => rounded(args[0], name) + rounded(args[1], name)),
  'States.StringSplit': fixed(2, (args, name) => {
    let parts = [text(args[0], name)];
    for (const delimiter of text(args[1], name)) parts = parts.flatMap((part) => part.split(delimiter));
    return parts.filter((part) => part.length > 0);
  }),
  'States.UUID': fixed(0, () => randomUUID()),
};
