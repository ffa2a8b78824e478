import type { LambdaInvoker } from '../lambda/invoker';

/** An HTTP API Lambda authorizer with simple responses, as configured on the API. */
export interface AuthorizerOptions {
  readonly functionName: string;
  /** Lower-case header names (`$request.header.<name>`); none: every request invokes the function. */
  readonly identityHeaders?: readonly string[];
  /** 0 (no cache) to 3600. */
  readonly resultsCacheTtlSeconds?: number;
}

export type AuthorizerDecision =
  | { readonly kind: 'allowed'; readonly context: Record<string, unknown> }
  | { readonly kind: 'unauthorized' }
  | { readonly kind: 'forbidden' }
  | { readonly kind: 'failed' };

const maxTtlSeconds = 3600;
/** Bounds the memory a stream of distinct keys can take; AWS's cache is bounded too. */
const maxCachedDecisions = 10_000;

/**
 * Runs the authorizer the way API Gateway (HTTP API) does
 * (https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-authorizers.html):
 * - with identity sources, a request where one is missing or empty is a 401 without invoking the function;
 * - with a TTL, a decision is cached per identity value for the TTL, allowed or not; a failed invocation
 *   is not cached;
 * - a TTL above 3600 s, or a cache without identity sources, is refused as API Gateway refuses it.
 */
export class LambdaAuthorizer {
  private readonly identityHeaders: readonly string[];
  private readonly ttlMs: number;
  private readonly cache = new Map<string, { decision: AuthorizerDecision; expiresAt: number }>();

  constructor(
    private readonly options: AuthorizerOptions,
    private readonly invoker: LambdaInvoker,
  ) {
    this.identityHeaders = options.identityHeaders ?? [];
    const ttl = options.resultsCacheTtlSeconds ?? 0;
    if (!Number.isInteger(ttl) || ttl < 0 || ttl > maxTtlSeconds)
      throw new RangeError(`authorizer results cache TTL must be 0 to ${maxTtlSeconds} seconds, not ${ttl}`);
    if (ttl > 0 && this.identityHeaders.length === 0)
      throw new RangeError('an authorizer with a results cache needs at least one identity source');
    this.ttlMs = ttl * 1000;
  }

  /** The identity values of a request, or undefined when one is missing or empty (a 401). */
  identityOf(headers: Readonly<Record<string, string>>): string[] | undefined {
    const values = this.identityHeaders.map((name) => headers[name]);
    return values.every((value): value is string => typeof value === 'string' && value.trim().length > 0)
      ? values
      : undefined;
  }

  async authorize(
    headers: Readonly<Record<string, string>>,
    eventOf: (identity: string[]) => object,
  ): Promise<AuthorizerDecision> {
    const identity = this.identityOf(headers);
    if (!identity) return { kind: 'unauthorized' };
    const cacheKey = JSON.stringify(identity);
    const now = Date.now();
    const cached = this.ttlMs > 0 ? this.cache.get(cacheKey) : undefined;
    if (cached && cached.expiresAt > now) return cached.decision;
    let decision: AuthorizerDecision;
    try {
      decision = toDecision(await this.invoker.invoke(this.options.functionName, eventOf(identity)));
    } catch {
      return { kind: 'failed' };
    }
    if (this.ttlMs > 0) this.remember(cacheKey, decision, now);
    return decision;
  }

  private remember(cacheKey: string, decision: AuthorizerDecision, now: number): void {
    if (this.cache.size >= maxCachedDecisions) {
      for (const [key, entry] of this.cache) if (entry.expiresAt <= now) this.cache.delete(key);
      // Still full of live entries: drop the oldest (Map keeps insertion order).
      const oldest = this.cache.keys().next();
      if (this.cache.size >= maxCachedDecisions && !oldest.done) this.cache.delete(oldest.value);
    }
    // Re-inserted, so a refreshed entry counts as the newest when the oldest is dropped.
    this.cache.delete(cacheKey);
    this.cache.set(cacheKey, { decision, expiresAt: now + this.ttlMs });
  }
}

/** A simple response: `isAuthorized` true with an optional context, anything else a 403. */
function toDecision(result: unknown): AuthorizerDecision {
  const simple = result as { isAuthorized?: boolean; context?: Record<string, unknown> } | null;
  return simple?.isAuthorized === true
    ? { kind: 'allowed', context: simple.context ?? {} }
    : { kind: 'forbidden' };
}
