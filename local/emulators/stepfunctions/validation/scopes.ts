/**
 * The definition as plain JSON, cut into scopes: the top-level machine, each Parallel branch and each Map
 * ItemProcessor (or legacy Iterator). State names, StartAt and transitions are resolved per scope, as in
 * AWS (a branch cannot transition out of itself).
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export interface StateRef {
  name: string;
  state: JsonObject;
  /** Location of the state, e.g. `/States/Par/Branches/0/States/Inner`. */
  location: string;
  /** The machine's QueryLanguage where the state sets none. */
  queryLanguage: string;
}

export interface Scope {
  /** Location of the scope object (`` for the root, `/States/Par/Branches/0` for a branch). */
  location: string;
  startAt: Json | undefined;
  states: StateRef[];
}

/** Every scope of the definition, the root first; malformed parts (the schema reports them) are skipped. */
export function scopesOf(definition: JsonObject): Scope[] {
  const queryLanguage = typeof definition.QueryLanguage === 'string' ? definition.QueryLanguage : 'JSONPath';
  const scopes: Scope[] = [];
  const visit = (node: JsonObject, location: string, language: string) => {
    const states = isObject(node.States) ? node.States : {};
    const refs = Object.entries(states).flatMap(([name, state]) =>
      isObject(state)
        ? [{ name, state, location: `${location}/States/${name}`, queryLanguage: language }]
        : [],
    );
    scopes.push({ location, startAt: node.StartAt, states: refs });
    for (const ref of refs) {
      for (const child of childScopes(ref)) visit(child.node, child.location, languageOf(ref));
    }
  };
  visit(definition, '', queryLanguage);
  return scopes;
}

export const languageOf = (ref: StateRef): string =>
  typeof ref.state.QueryLanguage === 'string' ? ref.state.QueryLanguage : ref.queryLanguage;

function childScopes(ref: StateRef): { node: JsonObject; location: string }[] {
  const { state, location } = ref;
  if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
    return state.Branches.flatMap((branch, index) =>
      isObject(branch) ? [{ node: branch, location: `${location}/Branches/${index}` }] : [],
    );
  }
  if (state.Type === 'Map') {
    for (const field of ['ItemProcessor', 'Iterator']) {
      const processor = state[field];
      if (isObject(processor)) return [{ node: processor, location: `${location}/${field}` }];
    }
  }
  return [];
}

/** The innermost state a location points into (`/States/A/Branches/0/States/B/Next` → `B`). */
export function stateNameOf(location: string | undefined): string | undefined {
  const parts = (location ?? '').split('/').slice(1);
  let name: string | undefined;
  let i = 0;
  // Follow only the structural path (States/<name>, then Branches/<i> or ItemProcessor|Iterator), so a
  // Parameters key that happens to be called "States" is not taken for a scope.
  while (parts[i] === 'States' && parts[i + 1] !== undefined) {
    name = parts[i + 1];
    const field = parts[i + 2];
    if (field === 'Branches') i += 4;
    else if (field === 'ItemProcessor' || field === 'Iterator') i += 3;
    else break;
  }
  return name;
}
