import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalGateway, startLocalGateway } from '../../../local/emulators/apigateway/server';
import { sendRaw } from '../../support/raw-http';
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
    echoEvent: (event) => ({ statusCode: 200, body: JSON.stringify(event) }),
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
        { method: 'GET', path: '/proto', functionName: 'echoEvent', public: false },
      ],
      authorizer: { functionName: 'authorizer' },
      invoker,
      localRoutes: [
        {
          method: 'GET',
          path: '/local',
          handler: async ({ query }) => ({ statusCode: 200, body: JSON.stringify(query) }),
        },
      ],
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

  it("gives a local route the query string as a route function's queryStringParameters", async () => {
    expect(await (await fetch(`${gateway.url}/local?a=1&a=2&b=`)).json()).toEqual({ a: '1,2', b: '' });
    expect(await (await fetch(`${gateway.url}/local`)).json()).toEqual({});
  });

  it('passes a query parameter or header named __proto__ on to the function, as any other', async () => {
    // fetch cannot send a header named __proto__; node:http can (sendRaw).
    const headers = Object.fromEntries([['__proto__', 'y']]);
    const answer = await sendRaw(gateway.url, { method: 'GET', path: '/proto?__proto__=x&a=1', headers });
    const event = JSON.parse(answer.body) as { queryStringParameters: object; headers: object };
    expect(JSON.stringify(event.queryStringParameters)).toBe('{"__proto__":"x","a":"1"}');
    expect(Object.getOwnPropertyDescriptor(event.headers, '__proto__')?.value).toBe('y');
  });

  it('joins every repeated header with commas, Content-Type included, as API Gateway does', async () => {
    const answer = await sendRaw(gateway.url, {
      method: 'GET',
      path: '/proto',
      headers: { 'content-type': ['application/json', 'text/plain'], 'x-twice': ['a', 'b'] },
    });
    const event = JSON.parse(answer.body) as { headers: Record<string, string> };
    expect(event.headers['content-type']).toBe('application/json,text/plain');
    expect(event.headers['x-twice']).toBe('a,b');
  });
});
