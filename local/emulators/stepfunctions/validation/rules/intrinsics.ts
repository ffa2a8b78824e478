/**
 * Intrinsic-function string literals may escape only the reserved characters ' { } \ (AWS guide, intrinsic
 * functions). AWS refuses anything else at CreateStateMachine: `States.Format('He said, \"Hello\"')` is
 * "SCHEMA_VALIDATION_FAILED: The value for the field 'parsed.$' must be a valid JSONPath or a valid intrinsic
 * function call at /States/IntrinsicEscape/Parameters" (LocalStack's AWS-validated test_illegal_escapes).
 * AWS's own validator package accepts such a literal, so the rule is checked here.
 */
import { isObject, type Json, languageOf, type StateRef } from '../scopes';
import { type Diagnostic, error } from '../types';

const templateFields = ['Parameters', 'ResultSelector', 'ItemSelector'];
const escapable = new Set(["'", '{', '}', '\\']);

/** The first escape in a string literal of `expression` that is not one of \' \{ \} \\, if any. */
export function illegalEscape(expression: string): string | undefined {
  let quoted = false;
  for (let i = 0; i < expression.length; i += 1) {
    const char = expression[i] as string;
    if (!quoted) quoted = char === "'";
    else if (char === "'") quoted = false;
    else if (char === '\\') {
      const next = expression[i + 1] ?? '';
      if (!escapable.has(next)) return `\\${next}`;
      i += 1;
    }
  }
  return undefined;
}

const invalid = (ref: StateRef, field: string, badEscape: string, location: string): Diagnostic =>
  error(
    'SCHEMA_VALIDATION_FAILED',
    `State "${ref.name}": The value for the field '${field}' must be a valid JSONPath or a valid intrinsic function call (${badEscape} is not an escape intrinsic functions allow: only \\' \\{ \\} \\\\).`,
    location,
  );

function inTemplate(ref: StateRef, value: Json | undefined, location: string): Diagnostic[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => inTemplate(ref, item, `${location}/${i}`));
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    if (!key.endsWith('.$')) return inTemplate(ref, child, `${location}/${key}`);
    const badEscape =
      typeof child === 'string' && child.startsWith('States.') ? illegalEscape(child) : undefined;
    return badEscape ? [invalid(ref, key, badEscape, location)] : [];
  });
}

export function intrinsicRules(ref: StateRef): Diagnostic[] {
  if (languageOf(ref) === 'JSONata') return [];
  const diagnostics = templateFields.flatMap((field) =>
    inTemplate(ref, ref.state[field], `${ref.location}/${field}`),
  );
  for (const field of ['ErrorPath', 'CausePath']) {
    const value = ref.state[field];
    const badEscape =
      typeof value === 'string' && value.startsWith('States.') ? illegalEscape(value) : undefined;
    if (badEscape) diagnostics.push(invalid(ref, field, badEscape, `${ref.location}/${field}`));
  }
  return diagnostics;
}
