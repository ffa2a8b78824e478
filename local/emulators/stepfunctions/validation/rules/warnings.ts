/**
 * Two of AWS's documented WARNING codes (they never make the result FAIL):
 *   NO_DOLLAR: "No .$ on a field that appears to be a JSONPath or Intrinsic Function."
 *   PASS_RESULT_IS_STATIC: "Attempt to use a path in the result of a pass state."
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinitionDiagnostic.html
 */
import { isObject, type Json, languageOf, type StateRef } from '../scopes';
import type { Diagnostic } from '../types';

const looksLikePath = (value: Json): boolean =>
  typeof value === 'string' && /^(\$\$?\.|\$$|States\.[A-Za-z]+\()/.test(value);

const warning = (code: Diagnostic['code'], message: string, location: string): Diagnostic => ({
  severity: 'WARNING',
  code,
  message,
  location,
});

/** Payload-template fields whose keys must end in `.$` to be evaluated as paths (JSONPath machines). */
const templateFields = ['Parameters', 'ResultSelector', 'ItemSelector'];

function noDollar(ref: StateRef, value: Json | undefined, location: string): Diagnostic[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => noDollar(ref, item, `${location}/${i}`));
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const at = `${location}/${key}`;
    if (!key.endsWith('.$') && looksLikePath(child))
      return [
        warning(
          'NO_DOLLAR',
          `State "${ref.name}": "${key}" holds ${JSON.stringify(child)}, which looks like a path, but its name does not end in ".$" (it is passed as a literal string).`,
          at,
        ),
      ];
    return noDollar(ref, child, at);
  });
}

export function warningRules(ref: StateRef): Diagnostic[] {
  if (languageOf(ref) === 'JSONata') return [];
  const diagnostics = templateFields.flatMap((field) =>
    noDollar(ref, ref.state[field], `${ref.location}/${field}`),
  );
  const result = ref.state.Result;
  if (ref.state.Type === 'Pass' && isObject(result) && Object.keys(result).some((key) => key.endsWith('.$')))
    diagnostics.push(
      warning(
        'PASS_RESULT_IS_STATIC',
        `State "${ref.name}": Result is static; keys ending in ".$" are not evaluated there (use Parameters).`,
        `${ref.location}/Result`,
      ),
    );
  return diagnostics;
}
