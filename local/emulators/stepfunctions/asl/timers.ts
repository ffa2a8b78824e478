/** Node timers overflow above 2^31-1 ms (~24.8 days); longer waits are chained. */
const maxTimerMs = 2 ** 31 - 1;

export class Aborted extends Error {
  constructor() {
    super('aborted');
    this.name = 'Aborted';
  }
}

/** Resolves after `ms`, or rejects with Aborted as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new Aborted());
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout;
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Aborted());
    };
    const arm = (remaining: number) => {
      timer = setTimeout(
        () => {
          if (remaining > maxTimerMs) return arm(remaining - maxTimerMs);
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.min(Math.max(0, remaining), maxTimerMs),
      );
    };
    signal.addEventListener('abort', onAbort, { once: true });
    arm(ms);
  });
}

/**
 * An AbortController that also aborts when `parent` does (branches, iterations, task attempts). Abort it when
 * its scope ends, even on success: that also unlinks it from the parent.
 */
export function childController(parent: AbortSignal): AbortController {
  const controller = new AbortController();
  if (parent.aborted) controller.abort();
  else parent.addEventListener('abort', () => controller.abort(), { once: true, signal: controller.signal });
  return controller;
}
