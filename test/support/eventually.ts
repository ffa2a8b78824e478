/**
 * Polls `probe` until it returns a value (not undefined) or `timeoutMs` passes. Each suite wraps this with
 * its own timeout and interval: in-process services settle in milliseconds, a spawned cloud in seconds.
 */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
