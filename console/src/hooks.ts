import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiProblem } from './api';

export interface Loaded<T> {
  readonly data?: T;
  readonly error?: string;
  readonly loading: boolean;
  readonly reload: () => void;
}

/**
 * Loads `load()` when `deps` change, and again every `pollMs` if given (live updates by polling: the API
 * is plain HTTP, and a few requests a minute per operator cost nothing).
 */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[], pollMs?: number): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((value) => value + 1), []);
  useEffect(() => {
    let current = true;
    setState((previous) => ({ ...previous, loading: true }));
    load()
      .then((data) => current && setState({ data, loading: false }))
      .catch((error: unknown) => current && setState({ error: messageOf(error), loading: false }));
    return () => {
      current = false;
    };
  }, [...deps, tick]);
  useEffect(() => {
    if (!pollMs) return undefined;
    const timer = setInterval(reload, pollMs);
    return () => clearInterval(timer);
  }, [pollMs, reload]);
  return { ...state, reload };
}

export const messageOf = (error: unknown): string =>
  error instanceof ApiProblem
    ? `${error.status} ${error.problem.code ?? ''} ${error.message}`.trim()
    : error instanceof Error
      ? error.message
      : String(error);
