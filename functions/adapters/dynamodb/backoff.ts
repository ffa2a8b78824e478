/** Full-jitter exponential backoff: racing tasks spread out instead of colliding again in lockstep. */
export const pause = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * 25 * 2 ** attempt));
