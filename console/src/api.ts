/**
 * The console's only way to the system: the public HTTP API, with the operator's key in `x-api-key`. The key
 * lives in session storage (gone when the tab closes), never in a URL, a cookie or local storage.
 */
const keySlot = 'o2o-ops-key';

export const session = {
  key: (): string | null => sessionStorage.getItem(keySlot),
  signIn: (key: string) => sessionStorage.setItem(keySlot, key),
  signOut: () => sessionStorage.removeItem(keySlot),
};

/** An answer that was not 2xx: its RFC 9457 problem, so pages can show the API's own words. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly problem: { title?: string; detail?: string; code?: string },
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
}

/** Where the API is: the console's own origin (locally, and behind CloudFront in AWS). */
const apiBase = '';

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${apiBase}${path}`, {
    method,
    headers: {
      'x-api-key': session.key() ?? '',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    // Not JSON (a proxy's HTML error page): the status says what happened.
    parsed = { detail: `HTTP ${response.status}: ${text.slice(0, 200)}` };
  }
  if (!response.ok) throw new ApiProblem(response.status, (parsed ?? {}) as { detail?: string });
  return parsed as T;
}

export const get = <T>(path: string) => call<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => call<T>('POST', path, body);
