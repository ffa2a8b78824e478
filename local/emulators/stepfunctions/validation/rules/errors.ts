/**
 * Retry, Catch and timeout rules. AWS's schema (amazon-states-language-service) already bounds most retrier
 * fields; they are checked here again so the rule holds whatever the schema package becomes, and because
 * the `States.ALL` placement and the heartbeat/timeout order are not in the schema at all.
 *   - "States.ALL ... must appear alone in the ErrorEquals array and must appear in the last retrier
 *     [catcher]": https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 *   - Retrier bounds (IntervalSeconds 1..99999999, MaxAttempts 0..99999999, BackoffRate >= 1,
 *     MaxDelaySeconds 1..31622400, JitterStrategy FULL|NONE): the same page and AWS's ASL schema.
 *   - HeartbeatSeconds "must be a positive, non-zero integer less than the number of seconds specified in
 *     the TimeoutSeconds field": https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html
 */
import { isObject, type Json, type StateRef } from '../scopes';
import { type Diagnostic, error } from '../types';

const isInteger = (value: Json | undefined): value is number =>
  typeof value === 'number' && Number.isInteger(value);

interface Bound {
  field: string;
  check: (value: Json) => boolean;
  rule: string;
}

const retrierBounds: Bound[] = [
  {
    field: 'IntervalSeconds',
    check: (v) => isInteger(v) && v >= 1 && v <= 99_999_999,
    rule: 'an integer from 1 to 99999999',
  },
  {
    field: 'MaxAttempts',
    check: (v) => isInteger(v) && v >= 0 && v <= 99_999_999,
    rule: 'an integer from 0 to 99999999',
  },
  { field: 'BackoffRate', check: (v) => typeof v === 'number' && v >= 1, rule: 'a number >= 1.0' },
  {
    field: 'MaxDelaySeconds',
    check: (v) => isInteger(v) && v >= 1 && v <= 31_622_400,
    rule: 'an integer from 1 to 31622400',
  },
  { field: 'JitterStrategy', check: (v) => v === 'FULL' || v === 'NONE', rule: '"FULL" or "NONE"' },
];

/** `States.ALL` alone in its ErrorEquals, and only in the last entry of Retry or Catch. */
function wildcardRules(ref: StateRef, field: 'Retry' | 'Catch', entries: Json[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  entries.forEach((entry, index) => {
    if (!isObject(entry) || !Array.isArray(entry.ErrorEquals)) return;
    if (!entry.ErrorEquals.includes('States.ALL')) return;
    const at = `${ref.location}/${field}/${index}/ErrorEquals`;
    if (entry.ErrorEquals.length > 1)
      diagnostics.push(
        error(
          'SCHEMA_VALIDATION_FAILED',
          `State "${ref.name}": States.ALL must appear alone in ErrorEquals (${field} #${index}).`,
          at,
        ),
      );
    if (index !== entries.length - 1)
      diagnostics.push(
        error(
          'SCHEMA_VALIDATION_FAILED',
          `State "${ref.name}": the ${field === 'Retry' ? 'retrier' : 'catcher'} with States.ALL must be the last one (it is #${index} of ${entries.length}).`,
          at,
        ),
      );
  });
  return diagnostics;
}

function retrierRules(ref: StateRef, retriers: Json[]): Diagnostic[] {
  return retriers.flatMap((retrier, index) => {
    if (!isObject(retrier)) return [];
    return retrierBounds
      .filter(({ field, check }) => retrier[field] !== undefined && !check(retrier[field] as Json))
      .map(({ field, rule }) =>
        error(
          'SCHEMA_VALIDATION_FAILED',
          `State "${ref.name}": Retry #${index} ${field} must be ${rule} (got ${JSON.stringify(retrier[field])}).`,
          `${ref.location}/Retry/${index}/${field}`,
        ),
      );
  });
}

/** "A Task state cannot include both TimeoutSeconds and TimeoutSecondsPath" (same for Heartbeat). */
function exclusivePathRules(ref: StateRef): Diagnostic[] {
  return ['TimeoutSeconds', 'HeartbeatSeconds']
    .filter((field) => ref.state[field] !== undefined && ref.state[`${field}Path`] !== undefined)
    .map((field) =>
      error(
        'SCHEMA_VALIDATION_FAILED',
        `State "${ref.name}": ${field} and ${field}Path cannot both be set.`,
        `${ref.location}/${field}Path`,
      ),
    );
}

function heartbeatRule(ref: StateRef): Diagnostic[] {
  const { HeartbeatSeconds: heartbeat, TimeoutSeconds: timeout } = ref.state;
  if (typeof heartbeat !== 'number' || typeof timeout !== 'number' || heartbeat < timeout) return [];
  return [
    error(
      'SCHEMA_VALIDATION_FAILED',
      `State "${ref.name}": HeartbeatSeconds (${heartbeat}) must be less than TimeoutSeconds (${timeout}).`,
      `${ref.location}/HeartbeatSeconds`,
    ),
  ];
}

export function errorHandlingRules(ref: StateRef): Diagnostic[] {
  const retry = Array.isArray(ref.state.Retry) ? ref.state.Retry : [];
  const catchers = Array.isArray(ref.state.Catch) ? ref.state.Catch : [];
  return [
    ...wildcardRules(ref, 'Retry', retry),
    ...wildcardRules(ref, 'Catch', catchers),
    ...retrierRules(ref, retry),
    ...(ref.state.Type === 'Task' ? [...heartbeatRule(ref), ...exclusivePathRules(ref)] : []),
  ];
}
