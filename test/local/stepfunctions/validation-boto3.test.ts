import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { ValidateStateMachineDefinitionCommand, ValidationException } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepFunctionsService } from '../../../local/emulators/stepfunctions/service';
import { sfnClient, startTestSfn, testInvoker } from './harness';

/** ValidateStateMachineDefinition over the wire, from boto3 (and the AWS CLI's botocore) and the JS SDK. */
const bad = JSON.stringify({
  StartAt: 'AwaitX',
  States: {
    AwaitX: {
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:updateItem.waitForTaskToken',
      Parameters: { TableName: 't', Key: { pk: { 'S.$': '$$.Task.Token' } } },
      Next: 'Missing',
    },
  },
});
const good = JSON.stringify({
  StartAt: 'Park',
  States: { Park: { Type: 'Pass', Parameters: { id: '$.orderId' }, End: true } },
});

const script = `
import boto3, json, sys
sfn = boto3.client('stepfunctions', endpoint_url=sys.argv[1], region_name='us-east-1',
                   aws_access_key_id='local', aws_secret_access_key='local')
bad, good = sys.argv[2], sys.argv[3]
out = {}
def pick(r):
    return {k: r.get(k) for k in ('result', 'diagnostics', 'truncated')}
out['bad'] = pick(sfn.validate_state_machine_definition(definition=bad))
out['badOne'] = pick(sfn.validate_state_machine_definition(definition=bad, maxResults=1))
out['good'] = pick(sfn.validate_state_machine_definition(definition=good, type='STANDARD'))
out['goodWarnings'] = pick(sfn.validate_state_machine_definition(definition=good, severity='WARNING'))
try:
    sfn.validate_state_machine_definition(definition=good, type='LONG')
    out['badType'] = 'no error'
except sfn.exceptions.ValidationException as e:
    out['badType'] = 'ValidationException'
print(json.dumps(out))
`;

describe('ValidateStateMachineDefinition on the local Step Functions service', () => {
  let service: StepFunctionsService;
  const hasBoto3 = spawnSync('python3', ['-c', 'import boto3']).status === 0;

  beforeAll(async () => {
    ({ service } = await startTestSfn({
      stateMachines: [{ name: 'noop', definition: good }],
      invoker: testInvoker({}),
    }));
  });
  afterAll(async () => {
    await service?.close();
  });

  it("boto3's validate_state_machine_definition gets AWS's diagnostics for a bad definition, OK for a good one", async (context) => {
    if (!hasBoto3) return context.skip();
    const { stdout } = await promisify(execFile)('python3', ['-c', script, service.url, bad, good]);
    const out = JSON.parse(stdout);
    expect(out.bad).toEqual({
      result: 'FAIL',
      diagnostics: expect.arrayContaining([
        {
          severity: 'ERROR',
          code: 'INVALID_RESOURCE',
          message: expect.stringContaining('"AwaitX"'),
          location: '/States/AwaitX/Resource',
        },
        {
          severity: 'ERROR',
          code: 'MISSING_TRANSITION_TARGET',
          message: expect.stringContaining('"Missing"'),
          location: '/States/AwaitX/Next',
        },
      ]),
      truncated: false,
    });
    expect(out.badOne).toMatchObject({ result: 'FAIL', truncated: true });
    expect(out.badOne.diagnostics).toHaveLength(1);
    expect(out.good).toEqual({ result: 'OK', diagnostics: [], truncated: false });
    expect(out.goodWarnings).toMatchObject({
      result: 'OK',
      diagnostics: [{ severity: 'WARNING', code: 'NO_DOLLAR' }],
    });
    expect(out.badType).toBe('ValidationException');
  });

  it('the JS SDK gets the same shapes, and ValidationException for input AWS rejects', async () => {
    const sfn = sfnClient(service.url);
    const result = await sfn.send(new ValidateStateMachineDefinitionCommand({ definition: bad }));
    expect(result.result).toBe('FAIL');
    expect(result.diagnostics?.map((d) => d.code)).toContain('INVALID_RESOURCE');
    await expect(
      sfn.send(new ValidateStateMachineDefinitionCommand({ definition: good, maxResults: 101 })),
    ).rejects.toBeInstanceOf(ValidationException);
    await expect(
      sfn.send(new ValidateStateMachineDefinitionCommand({ definition: '' })),
    ).rejects.toBeInstanceOf(ValidationException);
    sfn.destroy();
  });
});
