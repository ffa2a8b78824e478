import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalGateway, startLocalGateway } from '../../../local/emulators/apigateway/server';
import { testInvoker } from '../stepfunctions/harness';

/** The local API Gateway on its own, with in-test authorizer and route functions (no AWS mocks). */
describe('local API gateway', () => {
  let gateway: LocalGateway;
  const invoker = testInvoker({
    authorizer: () => ({ isAuthorized: true, context: { principalId: 'p' } }),
    echo: (event) => ({
      statusCode: 200,
      body: JSON.stringify((event as { pathParameters: unknown }).pathParameters),
    }),
    broken: () => {
      throw new Error('boom');
    },
  });

  beforeAll(async () => {
    gateway = await startLocalGateway({
      port: 0,
      routes: [
        { method: 'GET', path: '/orders/{orderId}', functionName: 'echo', public: false },
        { method: 'GET', path: '/broken', functionName: 'broken', public: false },
      ],
      authorizerFunctionName: 'authorizer',
      invoker,
    });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('answers 400 to a path whose percent-encoding does not decode, without invoking anything', async () => {
    const before = invoker.calls.length;
    for (const path of ['/orders/%E0%A4%A', '/orders/%ZZ', '/orders/abc%']) {
      const response = await fetch(`${gateway.url}${path}`);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ message: 'Bad Request' });
    }
    expect(invoker.calls.length).toBe(before);
  });

  it('decodes path parameters, answers 404 for no route and hides function errors behind a bare 500', async () => {
    const ok = await fetch(`${gateway.url}/orders/a%20b%2Fc`);
    expect(await ok.json()).toEqual({ orderId: 'a b/c' });
    expect((await fetch(`${gateway.url}/nowhere`)).status).toBe(404);
    const broken = await fetch(`${gateway.url}/broken`);
    expect(broken.status).toBe(500);
    expect(await broken.json()).toEqual({ message: 'Internal Server Error' });
  });
});
