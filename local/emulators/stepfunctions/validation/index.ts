/**
 * Validates any Amazon States Language definition the way AWS's ValidateStateMachineDefinition answers
 * (result, diagnostics with AWS codes and /States/... locations, truncated), so the local cloud refuses
 * what AWS refuses. Generic on purpose: it knows nothing of this project's workflows.
 *
 * It combines AWS's own ASL validator (asl-service.ts) with the rules that validator misses: the table of
 * integrations × patterns (integrations.ts), States.ALL placement, heartbeat < timeout, retrier bounds,
 * transitions/reachability per scope, and the task-token rule (rules/).
 */
import { aslServiceDiagnostics } from './asl-service';
import { errorHandlingRules } from './rules/errors';
import { intrinsicRules } from './rules/intrinsics';
import { uniqueNameRule } from './rules/names';
import { parameterRules } from './rules/parameters';
import { taskRules } from './rules/task';
import { transitionRules } from './rules/transitions';
import { warningRules } from './rules/warnings';
import { isObject, type Json, type JsonObject, scopesOf } from './scopes';
import {
  type Diagnostic,
  error,
  type StateMachineType,
  type ValidationOptions,
  type ValidationResult,
} from './types';

export type { IntegrationPattern, OptimizedIntegration } from './integrations';
export {
  integrationTableUrl,
  optimizedIntegrations,
  patternSuffix,
  sdkIntegrationPatterns,
} from './integrations';
export { parseValidateRequest, ValidationRequestError } from './request';
export { parseResource, resourceProblem } from './resources';
export { stateNameOf } from './scopes';
export type * from './types';

export async function validateDefinition(
  definition: string,
  options: ValidationOptions = {},
): Promise<ValidationResult> {
  const maxResults = options.maxResults || 100;
  if (!Number.isInteger(maxResults) || maxResults < 0 || maxResults > 100)
    throw new RangeError('maxResults must be an integer from 0 to 100');
  const all = await cachedDiagnostics(definition, options.type ?? 'STANDARD');
  const wanted = options.severity === 'WARNING' ? all : all.filter((d) => d.severity === 'ERROR');
  return {
    result: all.some((d) => d.severity === 'ERROR') ? 'FAIL' : 'OK',
    diagnostics: wanted.slice(0, maxResults).map((d) => ({ ...d })),
    truncated: wanted.length > maxResults,
  };
}

/** Thrown where a definition must be valid (service start, `npm start`): one line naming machine, state and rule. */
export class InvalidDefinitionError extends Error {
  override readonly name = 'InvalidDefinitionError';
  constructor(
    readonly label: string,
    readonly diagnostics: Diagnostic[],
  ) {
    const [first] = diagnostics;
    const more = diagnostics.length > 1 ? ` (+${diagnostics.length - 1} more)` : '';
    super(`${label}: ${first ? describeDiagnostic(first) : 'invalid definition'}${more}`);
  }
}

export const describeDiagnostic = (d: Diagnostic): string =>
  `${d.message} [${d.code}${d.location ? ` at ${d.location}` : ''}]`;

/** Resolves when `definition` is valid; else rejects with an InvalidDefinitionError labelled `label`. */
export async function assertValidDefinition(
  label: string,
  definition: string,
  type: StateMachineType = 'STANDARD',
): Promise<void> {
  const { result, diagnostics } = await validateDefinition(definition, { type });
  if (result === 'FAIL') throw new InvalidDefinitionError(label, diagnostics);
}

// Services and tests restart many times over the same few definitions: validate each text once.
const cache = new Map<string, Promise<Diagnostic[]>>();
const cacheLimit = 256;

function cachedDiagnostics(definition: string, type: StateMachineType): Promise<Diagnostic[]> {
  const key = `${type}\n${definition}`;
  let diagnostics = cache.get(key);
  if (!diagnostics) {
    diagnostics = allDiagnostics(definition, type);
    // A failure to validate (not a finding) is not remembered: the next call tries again.
    diagnostics.catch(() => cache.delete(key));
    if (cache.size >= cacheLimit) cache.delete(cache.keys().next().value as string);
    cache.set(key, diagnostics);
  }
  return diagnostics;
}

async function allDiagnostics(definition: string, type: StateMachineType): Promise<Diagnostic[]> {
  if (definition.trim() === '') return [error('MISSING_DESCRIPTION', 'The definition is empty.')];
  let parsed: Json;
  try {
    parsed = JSON.parse(definition) as Json;
  } catch (cause) {
    return [
      error('INVALID_JSON_DESCRIPTION', `The definition is not valid JSON: ${(cause as Error).message}`),
    ];
  }
  if (parsed === null) return [error('MISSING_DESCRIPTION', 'The definition is null.')];
  if (!isObject(parsed))
    return [
      error('SCHEMA_VALIDATION_FAILED', 'The definition must be a JSON object with StartAt and States.'),
    ];
  const own = ownRules(parsed, type);
  const fromAws = (await aslServiceDiagnostics(definition)).filter((d) => !sameFinding(d, own));
  const merged = distinct([...own, ...fromAws]);
  return [...merged.filter((d) => d.severity === 'ERROR'), ...merged.filter((d) => d.severity !== 'ERROR')];
}

function ownRules(definition: JsonObject, type: StateMachineType): Diagnostic[] {
  const scopes = scopesOf(definition);
  return [
    ...uniqueNameRule(scopes),
    ...scopes.flatMap((scope) => [
      ...transitionRules(scope),
      ...scope.states.flatMap((ref) => [
        ...taskRules(ref, type),
        ...errorHandlingRules(ref),
        ...intrinsicRules(ref),
        ...parameterRules(ref),
        ...warningRules(ref),
      ]),
    ]),
  ];
}

const distinct = (diagnostics: Diagnostic[]): Diagnostic[] => [
  ...new Map(diagnostics.map((d) => [`${d.code}|${d.location}|${d.message}`, d])).values(),
];

// Findings of AWS's validator that our rules re-check (transitions, reachability, terminal state, retrier
// bounds): when both report one at the same place, keep ours, whose message names the state and the rule.
const reimplemented = [
  /must be the name of an existing state/,
  /cannot be reached/,
  /No terminal state/,
  /Retry\/\d+\/(IntervalSeconds|MaxAttempts|BackoffRate|MaxDelaySeconds|JitterStrategy)$/,
];

const sameFinding = (d: Diagnostic, own: Diagnostic[]): boolean =>
  reimplemented.some((pattern) => pattern.test(d.message) || pattern.test(d.location ?? '')) &&
  own.some((o) => o.code === d.code && (o.location === d.location || o.code === 'MISSING_END_STATE'));
