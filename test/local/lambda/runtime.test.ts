import { afterAll, describe, expect, it } from 'vitest';
import { FunctionError } from '../../../local/emulators/lambda/invoker';
import { createLambdaRuntime, type InvocationRecord } from '../../../local/emulators/lambda/runtime';

const moduleUrl = new URL('./fixtures/sleepy.mjs', import.meta.url).href;
const slowInitUrl = new URL('./fixtures/slow-init.mjs', import.meta.url).href;
const runtime = createLambdaRuntime(
  [
    { name: 'first', moduleUrl, environment: { ONLY_MINE: 'first' }, memoryMb: 128, timeoutSeconds: 1 },
    { name: 'second', moduleUrl, environment: { OTHERS: 'second' }, memoryMb: 128, timeoutSeconds: 1 },
    { name: 'slowInit', moduleUrl: slowInitUrl, environment: {}, memoryMb: 128, timeoutSeconds: 1 },
    {
      name: 'slowInitSlowHandler',
      moduleUrl: slowInitUrl,
      environment: {},
      memoryMb: 128,
      timeoutSeconds: 1,
    },
  ],
  () => ({ AWS_REGION: 'us-east-1' }),
);
const records: InvocationRecord[] = [];
runtime.onInvocation((record) => records.push(record));

afterAll(() => runtime.close());

describe('the local Lambda runtime', () => {
  it('gives each function exactly its own environment', async () => {
    expect(await runtime.invoke('first', {})).toEqual({ only: 'first', other: null, region: 'us-east-1' });
    expect(await runtime.invoke('arn:aws:lambda:us-east-1:000000000000:function:second', {})).toEqual({
      only: null,
      other: 'second',
      region: 'us-east-1',
    });
  });

  it('reports handler errors by their name, as Lambda does', async () => {
    await expect(runtime.invoke('first', { fail: true })).rejects.toMatchObject({
      errorType: 'BusinessRuleError',
    });
    await expect(runtime.invoke('missing', {})).rejects.toBeInstanceOf(FunctionError);
  });

  it('times out one invocation without failing the others in flight', async () => {
    const slow = runtime.invoke('first', { sleepMs: 1_500 });
    const quick = runtime.invoke('first', { sleepMs: 200 });
    await expect(slow).rejects.toMatchObject({ errorType: 'Sandbox.Timedout' });
    await expect(quick).resolves.toMatchObject({ only: 'first' });
    // The timed-out sandbox is retired: the next invocation is a cold start in a fresh worker.
    await runtime.invoke('first', {});
    expect(records.at(-1)).toMatchObject({ functionName: 'first', coldStart: true });
  });

  it('counts the handler against the timeout, not the Init before it (Lambda gives Init 10 s of its own)', async () => {
    // Init takes 1.5 s, the timeout is 1 s: the first invocation still succeeds.
    await expect(runtime.invoke('slowInit', {})).resolves.toEqual({ initialized: true });
    // A handler that overruns after a slow Init still times out.
    await expect(runtime.invoke('slowInitSlowHandler', { sleepMs: 1_500 })).rejects.toMatchObject({
      errorType: 'Sandbox.Timedout',
    });
  });
});
