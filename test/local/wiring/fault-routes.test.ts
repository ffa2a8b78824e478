import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepFunctionsService } from '../../../local/emulators/stepfunctions/service';
import { registerFaultRoutes } from '../../../local/faults';
import { startTestSfn, testInvoker } from '../stepfunctions/harness';

/** PUT /ops/faults refuses what would silently do nothing: a non-JSON body, an unknown workflow or state. */
describe('local fault routes', () => {
  let service: StepFunctionsService;
  let put: ReturnType<typeof registerFaultRoutes>[number]['handler'];
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
    put = registerFaultRoutes(service).find((route) => route.method === 'PUT')?.handler as typeof put;
  });
  afterAll(async () => {
    await service?.close();
  });

  const call = (body: string, headers: Record<string, string> = json) =>
    put({ body, headers, pathParameters: {}, principal: ops });

  it('arms a fault on a Task state of a loaded workflow', async () => {
    const answer = await call(JSON.stringify({ workflow: 'fulfilment', state: 'ReserveStock', times: 1 }));
    expect(answer.statusCode).toBe(200);
    service.clearFaults();
  });

  it('answers 415 to a body that is not JSON, whatever it contains', async () => {
    const body = JSON.stringify({ workflow: 'fulfilment', state: 'ReserveStock', times: 1 });
    for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', '']) {
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
});
