/**
 * The graph rules, per scope (ASL spec, "States" and "Transitions"; AWS codes MISSING_TRANSITION_TARGET
 * and MISSING_END_STATE): StartAt and every Next/Default/Catch target name a state of the same scope,
 * every state is reachable from StartAt, and the scope has a terminal state.
 * https://states-language.net/spec.html#transition
 */
import { isObject, type Scope, type StateRef } from '../scopes';
import { type Diagnostic, error } from '../types';

interface Edge {
  target: string;
  location: string;
  field: string;
}

/** Every transition a state declares, with the location of the field that declares it. */
function edgesOf({ state, location }: StateRef): Edge[] {
  const edges: Edge[] = [];
  const add = (value: unknown, at: string, field: string) => {
    if (typeof value === 'string') edges.push({ target: value, location: at, field });
  };
  add(state.Next, `${location}/Next`, 'Next');
  if (state.Type === 'Choice') {
    add(state.Default, `${location}/Default`, 'Default');
    (Array.isArray(state.Choices) ? state.Choices : []).forEach((rule, index) => {
      if (isObject(rule)) add(rule.Next, `${location}/Choices/${index}/Next`, 'Next');
    });
  }
  (Array.isArray(state.Catch) ? state.Catch : []).forEach((catcher, index) => {
    if (isObject(catcher)) add(catcher.Next, `${location}/Catch/${index}/Next`, 'Catch Next');
  });
  return edges;
}

const isTerminal = ({ state }: StateRef): boolean =>
  state.End === true || state.Type === 'Succeed' || state.Type === 'Fail';

export function transitionRules(scope: Scope): Diagnostic[] {
  const names = new Set(scope.states.map((ref) => ref.name));
  const diagnostics: Diagnostic[] = [];
  if (typeof scope.startAt === 'string' && !names.has(scope.startAt)) {
    diagnostics.push(
      error(
        'MISSING_TRANSITION_TARGET',
        `StartAt "${scope.startAt}" does not name a state of this ${scope.location ? 'branch' : 'state machine'}.`,
        `${scope.location}/StartAt`,
      ),
    );
  }
  for (const ref of scope.states) {
    for (const edge of edgesOf(ref)) {
      if (names.has(edge.target)) continue;
      diagnostics.push(
        error(
          'MISSING_TRANSITION_TARGET',
          `State "${ref.name}": ${edge.field} "${edge.target}" does not name a state of the same scope.`,
          edge.location,
        ),
      );
    }
  }
  diagnostics.push(...reachabilityRules(scope));
  if (scope.states.length > 0 && !scope.states.some(isTerminal)) {
    diagnostics.push(
      error(
        'MISSING_END_STATE',
        'No terminal state: at least one state must have "End": true or be a Succeed or Fail state.',
        scope.location || undefined,
      ),
    );
  }
  return diagnostics;
}

/** States no path from StartAt reaches (AWS refuses them; they are dead code at best, a typo at worst). */
function reachabilityRules(scope: Scope): Diagnostic[] {
  const byName = new Map(scope.states.map((ref) => [ref.name, ref]));
  const reached = new Set<string>();
  const pending = typeof scope.startAt === 'string' ? [scope.startAt] : [];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    const ref = byName.get(name);
    if (!ref || reached.has(name)) continue;
    reached.add(name);
    pending.push(...edgesOf(ref).map((edge) => edge.target));
  }
  return scope.states
    .filter((ref) => !reached.has(ref.name))
    .map((ref) =>
      error(
        'SCHEMA_VALIDATION_FAILED',
        `State "${ref.name}" is not reachable: no StartAt, Next, Default or Catch leads to it.`,
        ref.location,
      ),
    );
}
