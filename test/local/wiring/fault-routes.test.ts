import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepFunctionsService } from '../../../local/emulators/stepfunctions/service';
import { registerFaultRoutes } from '../../../local/faults';
import { startTestSfn, testInvoker } from '../stepfunctions/harness';

/**
 * PUT /ops/faults refuses what would silently do nothing: a non-JSON body, an unknown workflow or state, an
 * unknown field. Both fault routes refuse what they do not declare, as every route does.
 */
describe('local fault routes', () => {
  let service: StepFunctionsService;
  let put: ReturnType<typeof registerFaultRoutes>[number]['handler'];
  let del: ReturnType<typeof registerFaultRoutes>[number]['handler'];
  const ops = { role: 'ops', principalId: 'ops:test' };
  const json = { 'content-type': 'application/json' };

  beforeAll(async () => {
    ({ service } = await startTestSfn({
      stateMachines: [
        {
          name: 'fulfilment',
          definition: JSON.stringify({
            StartAt: 'ReserveStock',
            States: {
              ReserveStock: {
                Type: 'Task',
                Resource: 'arn:aws:lambda:us-east-1:000000000000:function:f',
                End: true,
              },
            },
          }),
        },
      ],
      invoker: testInvoker({}),
    }));
    const routes = registerFaultRoutes(service);
    put = routes.find((route) => route.method === 'PUT')?.handler as typeof put;
    del = routes.find((route) => route.method === 'DELETE')?.handler as typeof del;
  });
  afterAll(async () => {
    await service?.close();
  });

  const call = (body: string, headers: Record<string, string> = json, query: Record<string, string> = {}) =>
    put({ body, headers, pathParameters: {}, query, principal: ops });
  const fault = { workflow: 'fulfilment', state: 'ReserveStock', times: 1 };

  it('arms a fault on a Task state of a loaded workflow', async () => {
    const answer = await call(JSON.stringify({ workflow: 'fulfilment', state: 'ReserveStock', times: 1 }));
    expect(answer.statusCode).toBe(200);
    service.clearFaults();
  });

  it('answers 415 to a body that is not JSON, whatever it contains', async () => {
    const body = JSON.stringify({ workflow: 'fulfilment', state: 'ReserveStock', times: 1 });
    for (const type of [
      'text/plain',
      'application/xml',
      'application/x-www-form-urlencoded',
      'application/json-seq',
      'application/jsonp',
      '',
    ]) {
      const answer = await call(body, type ? { 'content-type': type } : {});
      expect(answer.statusCode).toBe(415);
      expect(JSON.parse(String(answer.body)).code).toBe('REQUEST.UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('answers 422 to a workflow or state that does not exist', async () => {
    for (const fault of [
      { workflow: 'fulfilmnet', state: 'ReserveStock', times: 1 },
      { workflow: 'fulfilment', state: 'ReserveStok', times: 1 },
    ]) {
      const answer = await call(JSON.stringify(fault));
      expect(answer.statusCode).toBe(422);
      expect(JSON.parse(String(answer.body)).code).toBe('REQUEST.VALIDATION_FAILED');
    }
  });

  it('answers 422 to an unknown field, a blank error, an error or cause longer than AWS records (256, 32768), 400 to text that is not Unicode', async () => {
    for (const body of [
      { ...fault, tims: 2 },
      { ...fault, error: 'E'.repeat(257) },
      { ...fault, cause: 'c'.repeat(32_769) },
      { ...fault, error: '   ' },
    ]) {
      const answer = await call(JSON.stringify(body));
      expect(answer.statusCode).toBe(422);
      expect(JSON.parse(String(answer.body)).code).toBe('REQUEST.VALIDATION_FAILED');
    }
    const notUnicode = await call(JSON.stringify({ ...fault, error: 'E\ud800' }));
    expect(notUnicode.statusCode).toBe(400);
    expect(JSON.parse(String(notUnicode.body)).code).toBe('REQUEST.MALFORMED_JSON');
    const longest = await call(
      JSON.stringify({ ...fault, error: 'E'.repeat(256), cause: 'c'.repeat(32_768) }),
    );
    expect(longest.statusCode).toBe(200);
    service.clearFaults();
  });

  it('answers 400 to a query parameter, and to a body on DELETE, without arming or clearing anything', async () => {
    const armed = await call(JSON.stringify(fault), json, { times: '2' });
    expect(armed.statusCode).toBe(400);
    const requests: { body: string; query: Record<string, string> }[] = [
      { body: '', query: { all: 'true' } },
      { body: '{}', query: {} },
    ];
    for (const request of requests) {
      const answer = await del({ ...request, headers: json, pathParameters: {}, principal: ops });
      expect(answer.statusCode).toBe(400);
    }
  });
});
