/**
 * A state's name "must be unique within the scope of the entire state machine" — branches and Map
 * processors included (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-states.html).
 * Duplicate keys inside one States object never reach here (JSON.parse keeps the last); AWS's validator
 * reports those (asl-service.ts).
 */
import type { Scope } from '../scopes';
import { type Diagnostic, error } from '../types';

export function uniqueNameRule(scopes: Scope[]): Diagnostic[] {
  const firstSeen = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  for (const ref of scopes.flatMap((scope) => scope.states)) {
    const first = firstSeen.get(ref.name);
    if (first === undefined) {
      firstSeen.set(ref.name, ref.location);
      continue;
    }
    diagnostics.push(
      error(
        'DUPLICATE_STATE_NAME',
        `State "${ref.name}" is also defined at ${first}: state names must be unique in the whole state machine.`,
        ref.location,
      ),
    );
  }
  return diagnostics;
}
