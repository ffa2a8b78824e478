import { runtimeError } from './errors';
import { PathNotFound, queryPath } from './json-path';
import { limits } from './limits';
import { evaluateExpression } from './payload-template';
import type { ContextObject, Json, StateDefinition } from './types';

/**
 * The state fields whose value is read at run time from the state's input (`…Path`), each failing with the
 * States.Runtime AWS gives for a bad value.
 */

/** `YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm)`: what AWS takes for a timestamp (RFC 3339, offset required). */
const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/** Epoch milliseconds of a valid RFC 3339 timestamp; undefined for anything else (no T, no offset, Feb 30). */
export function parseTimestamp(value: Json | undefined): number | undefined {
  const match = typeof value === 'string' ? rfc3339.exec(value) : null;
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as number[];
  const [offsetHours, offsetMinutes] = [Number(match[8] ?? 0), Number(match[9] ?? 0)];
  const date = new Date(Date.UTC(year as number, (month as number) - 1, day, hour, minute, second));
  const valid =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === (month as number) - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second &&
    offsetHours <= 23 &&
    offsetMinutes <= 59;
  return valid ? Date.parse(value as string) : undefined;
}

/** AWS refuses a Wait longer than 2^31-1 seconds ("Wait state delay is too long", localstack test_wait). */
const maxWaitSeconds = 2 ** 31 - 1;

/**
 * When a Wait state (after InputPath) ends, in epoch ms. `Seconds` count "from when the state begins"
 * (https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html): `enteredAt`.
 */
export function waitUntil(
  state: StateDefinition,
  effective: Json,
  context: ContextObject,
  enteredAt: number,
): number {
  let until: number | undefined;
  if (state.Seconds !== undefined) until = enteredAt + state.Seconds * 1000;
  else if (state.Timestamp !== undefined) {
    until = parseTimestamp(state.Timestamp);
    if (until === undefined)
      throw runtimeError(`The Timestamp '${state.Timestamp}' is not an RFC 3339 timestamp`);
  } else if (state.SecondsPath !== undefined) {
    const seconds = readPath(state.SecondsPath, effective, context);
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0)
      throw runtimeError(
        `The SecondsPath parameter must reference a non-negative integer: ${state.SecondsPath} == ${JSON.stringify(seconds)}`,
      );
    until = enteredAt + seconds * 1000;
  } else {
    const timestamp = readPath(String(state.TimestampPath), effective, context);
    until = parseTimestamp(timestamp);
    if (until === undefined)
      throw runtimeError(
        `The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: ${state.TimestampPath} == ${typeof timestamp === 'string' ? timestamp : JSON.stringify(timestamp)}`,
      );
  }
  if ((until - Date.now()) / 1000 > maxWaitSeconds) throw runtimeError('Wait state delay is too long.');
  return until;
}

/** The Fail state's error or cause: a literal, or a path or intrinsic function on its input. */
export function failField(
  literal: string | undefined,
  path: string | undefined,
  field: 'ErrorPath' | 'CausePath',
  input: Json,
  context: ContextObject,
): string | undefined {
  if (path === undefined) return literal;
  const value = evaluateExpression(field, path, input, context);
  if (typeof value !== 'string')
    throw runtimeError(`The Fail state's ${field} '${path}' must select a string`);
  return value;
}

/** MaxConcurrency, or MaxConcurrencyPath read from the Map state's input (a non-negative integer). */
export function maxConcurrency(state: StateDefinition, selected: Json, context: ContextObject): number {
  if (state.MaxConcurrencyPath === undefined) return state.MaxConcurrency ?? 0;
  const value = readPath(state.MaxConcurrencyPath, selected, context);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw runtimeError(
      `The MaxConcurrencyPath field refers to value ${JSON.stringify(JSON.stringify(value))} which is not a valid integer: ${state.MaxConcurrencyPath}`,
    );
  return value;
}

/**
 * TimeoutSecondsPath/HeartbeatSecondsPath read the state's input after InputPath; a value that is not a
 * positive integer (up to the default task timeout) is States.Runtime.
 */
export function taskSeconds(
  fixed: number | undefined,
  path: string | undefined,
  data: Json,
  field: string,
  context: ContextObject,
): number | undefined {
  if (fixed !== undefined || path === undefined) return fixed;
  const value = readPath(path, data, context);
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < 1 ||
    value > limits.defaultTaskTimeoutSeconds
  )
    throw runtimeError(
      `The ${field} '${path}' selected ${JSON.stringify(value)}; it must be a positive integer`,
    );
  return value;
}

function readPath(path: string, data: Json, context: ContextObject): Json {
  try {
    return queryPath(path, data, context);
  } catch (error) {
    if (error instanceof PathNotFound)
      throw runtimeError(`Invalid path '${path}' : No results for path: ${path}`);
    throw error;
  }
}
