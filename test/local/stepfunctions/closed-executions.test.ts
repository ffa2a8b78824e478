import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClosedExecution } from '../../../local/emulators/stepfunctions/engine';
import type { StepFunctionsService } from '../../../local/emulators/stepfunctions/service';
import { eventually, fail, settled, startExecution, startTestSfn, testInvoker } from './harness';

/** The host hears of every execution that closes (npm start prints the failed ones), once, with where it stopped. */
const closed: ClosedExecution[] = [];
let service: StepFunctionsService;
let sfn: Awaited<ReturnType<typeof startTestSfn>>['sfn'];

const machine = {
  StartAt: 'Work',
  States: {
    Work: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'work', 'Payload.$': '$' },
      End: true,
    },
  },
};

beforeAll(async () => {
  ({ service, sfn } = await startTestSfn({
    stateMachines: [{ name: 'closing', definition: JSON.stringify(machine) }],
    invoker: testInvoker({
      work: (payload) => ((payload as { broken?: boolean }).broken ? fail('Stock.Broken', 'no shelf') : {}),
    }),
    onExecutionClosed: (execution) => closed.push(execution),
  }));
});

afterAll(() => service?.close());

describe('closed executions reported to the host', () => {
  it('reports a success and a failure once each, the failure with its state, error and cause', async () => {
    const ok = await startExecution(sfn, 'closing', {}, 'fine');
    const broken = await startExecution(sfn, 'closing', { broken: true }, 'broken');
    await settled(sfn, ok);
    await settled(sfn, broken);
    await eventually(async () => (closed.length >= 2 ? true : undefined));
    expect(closed.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      {
        executionArn: broken,
        name: 'broken',
        status: 'FAILED',
        state: 'Work',
        error: 'Stock.Broken',
        cause: expect.stringContaining('no shelf'),
      },
      expect.objectContaining({ executionArn: ok, name: 'fine', status: 'SUCCEEDED' }),
    ]);
  });
});
