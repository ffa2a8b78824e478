import { beforeAll, expect, it } from 'vitest';
import { dynamodbEndpoint } from '../support/dynamodb';
import { apiClient, loadHandlers, setFunctionEnvironment } from './harness';

let call: ReturnType<typeof apiClient>;

beforeAll(async () => {
  // A table that does not exist: every DynamoDB call fails the way a misconfiguration would.
  setFunctionEnvironment({ tableName: 'no-such-table', dynamodbEndpoint: dynamodbEndpoint() });
  call = apiClient(await loadHandlers());
});

it('hides unexpected failures behind a 500 problem with the request id, never the cause', async () => {
  const response = await call('GET', '/orders/web.ord-1', {
    authorizerContext: { principalId: 'ops:alice', role: 'ops', scope: '*' },
  });
  expect(response.status).toBe(500);
  expect(response.headers['content-type']).toBe('application/problem+json');
  expect(response.json).toMatchObject({
    status: 500,
    code: 'INTERNAL',
    title: 'Internal Server Error',
    instance: expect.any(String),
  });
  expect(JSON.stringify(response.json)).not.toMatch(/no-such-table|ResourceNotFound/i);
});
