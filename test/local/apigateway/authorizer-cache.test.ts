import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { LambdaAuthorizer } from '../../../local/emulators/apigateway/authorizer';
import { type LocalGateway, startLocalGateway } from '../../../local/emulators/apigateway/server';
import { testInvoker } from '../stepfunctions/harness';

/**
 * The local gateway's Lambda authorizer with identity sources and a results cache, as API Gateway runs it:
 * a missing identity is a 401 without an invocation, decisions are cached per identity value for the TTL.
 */
describe('local API gateway: authorizer identity sources and cache', () => {
  let gateway: LocalGateway;
  let failing = false;
  const invoker = testInvoker({
    authorizer: (event) => {
      if (failing) throw new Error('authorizer down');
      const [key] = (event as { identitySource: string[] }).identitySource;
      return key === 'deny' ? { isAuthorized: false } : { isAuthorized: true, context: { principalId: key } };
    },
    whoami: (event) => ({
      statusCode: 200,
      body: JSON.stringify((event as { requestContext: { authorizer: unknown } }).requestContext.authorizer),
    }),
  });
  const authorizerCalls = () => invoker.calls.filter((call) => call.name === 'authorizer').length;
  const get = (key?: string) =>
    fetch(`${gateway.url}/me`, { headers: key === undefined ? {} : { 'x-api-key': key } });

  beforeAll(async () => {
    gateway = await startLocalGateway({
      port: 0,
      routes: [{ method: 'GET', path: '/me', functionName: 'whoami', public: false }],
      authorizer: { functionName: 'authorizer', identityHeaders: ['x-api-key'], resultsCacheTtlSeconds: 60 },
      invoker,
    });
  });
  afterAll(async () => {
    await gateway?.close();
  });
  afterEach(() => {
    vi.restoreAllMocks();
    failing = false;
  });

  it('answers 401 without invoking the authorizer when the identity header is missing or empty', async () => {
    const before = authorizerCalls();
    for (const key of [undefined, '', '   ']) {
      const response = await get(key);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ message: 'Unauthorized' });
    }
    expect(authorizerCalls()).toBe(before);
  });

  it('invokes the authorizer once per key for the TTL, passes the identity, and caches a denial too', async () => {
    const before = authorizerCalls();
    for (let i = 0; i < 3; i++) {
      const response = await get('key-a');
      expect(await response.json()).toEqual({ lambda: { principalId: 'key-a' } });
    }
    expect(authorizerCalls()).toBe(before + 1);
    const authorizerEvents = invoker.calls.filter((call) => call.name === 'authorizer');
    expect(authorizerEvents.at(-1)?.payload).toMatchObject({ identitySource: ['key-a'] });
    expect(await (await get('key-b')).json()).toEqual({ lambda: { principalId: 'key-b' } });
    expect(authorizerCalls()).toBe(before + 2);
    expect((await get('deny')).status).toBe(403);
    expect((await get('deny')).status).toBe(403);
    expect(authorizerCalls()).toBe(before + 3);
  });

  it('asks again once the TTL has passed', async () => {
    await get('key-ttl');
    const before = authorizerCalls();
    const later = Date.now() + 61_000;
    vi.spyOn(Date, 'now').mockReturnValue(later);
    await get('key-ttl');
    expect(authorizerCalls()).toBe(before + 1);
  });

  it('does not cache a failed invocation: a 500, then the next request invokes again', async () => {
    failing = true;
    expect((await get('key-flaky')).status).toBe(500);
    failing = false;
    const before = authorizerCalls();
    expect((await get('key-flaky')).status).toBe(200);
    expect(authorizerCalls()).toBe(before + 1);
  });

  it('refuses what API Gateway refuses: a TTL above 3600 s, or a cache without identity sources', () => {
    expect(
      () =>
        new LambdaAuthorizer(
          { functionName: 'a', identityHeaders: ['x'], resultsCacheTtlSeconds: 3601 },
          invoker,
        ),
    ).toThrow(/0 to 3600/);
    expect(() => new LambdaAuthorizer({ functionName: 'a', resultsCacheTtlSeconds: 60 }, invoker)).toThrow(
      /identity source/,
    );
  });
});
