import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type StepFunctionsService,
  startStepFunctionsService,
} from '../../../local/emulators/stepfunctions/service';
import { testInvoker } from './harness';

const script = `
import boto3, json, sys, time
sfn = boto3.client('stepfunctions', endpoint_url=sys.argv[1], region_name='us-east-1',
                   aws_access_key_id='local', aws_secret_access_key='local')
arn = sfn.list_state_machines()['stateMachines'][0]['stateMachineArn']
started = sfn.start_execution(stateMachineArn=arn, name='from-boto3', input=json.dumps({'n': 4}))
for _ in range(200):
    d = sfn.describe_execution(executionArn=started['executionArn'])
    if d['status'] != 'RUNNING':
        break
    time.sleep(0.02)
events = sfn.get_execution_history(executionArn=started['executionArn'])['events']
try:
    sfn.describe_execution(executionArn=started['executionArn'] + 'x')
    missing = 'no error'
except sfn.exceptions.ExecutionDoesNotExist:
    missing = 'ExecutionDoesNotExist'
print(json.dumps({'status': d['status'], 'output': json.loads(d['output']), 'startYear': d['startDate'].year,
                  'types': [e['type'] for e in events], 'missing': missing}))
`;

/** What a user tries first against quotas and bad paths: the same answers AWS gives, and the service keeps serving. */
const strictness = `
import boto3, json, sys, time
sfn = boto3.client('stepfunctions', endpoint_url=sys.argv[1], region_name='us-east-1',
                   aws_access_key_id='local', aws_secret_access_key='local')
arns = {m['name']: m['stateMachineArn'] for m in sfn.list_state_machines()['stateMachines']}
def run(name, payload):
    arn = sfn.start_execution(stateMachineArn=arns[name], input=json.dumps(payload))['executionArn']
    for _ in range(500):
        d = sfn.describe_execution(executionArn=arn)
        if d['status'] != 'RUNNING':
            return {'status': d['status'], 'error': d.get('error')}
        time.sleep(0.02)
try:
    sfn.start_execution(stateMachineArn=arns['double'], input=json.dumps({'n': 1, 'pad': 'x' * 270000}))
    big_input = 'accepted'
except sfn.exceptions.ClientError as e:
    big_input = e.response['Error']['Code']
print(json.dumps({'bigInput': big_input, 'bigResult': run('big', {}),
                  'badTimeout': run('timeoutPath', {'timeout': 'soon'}),
                  'stillServing': run('timeoutPath', {'timeout': 5})}))
`;

/** boto3 (and so the AWS CLI) speaks the same JSON 1.0 protocol: dates, errors and shapes must parse there too. */
describe('local Step Functions service from boto3', () => {
  let service: StepFunctionsService;
  const hasBoto3 = spawnSync('python3', ['-c', 'import boto3']).status === 0;

  beforeAll(async () => {
    service = await startStepFunctionsService({
      stateMachines: [
        {
          name: 'double',
          definition: JSON.stringify({
            StartAt: 'Double',
            States: {
              Double: {
                Type: 'Task',
                Resource: 'arn:aws:lambda:us-east-1:000000000000:function:double',
                End: true,
              },
            },
          }),
        },
        {
          name: 'big',
          definition: JSON.stringify({
            StartAt: 'Big',
            States: {
              Big: {
                Type: 'Task',
                Resource: 'arn:aws:lambda:us-east-1:000000000000:function:big',
                End: true,
              },
            },
          }),
        },
        {
          name: 'timeoutPath',
          definition: JSON.stringify({
            StartAt: 'Call',
            States: {
              Call: {
                Type: 'Task',
                Resource: 'arn:aws:states:::lambda:invoke',
                Parameters: { FunctionName: 'double', Payload: { n: 1 } },
                TimeoutSecondsPath: '$.timeout',
                End: true,
              },
            },
          }),
        },
      ],
      invoker: testInvoker({
        double: (payload) => ({ n: (payload as { n: number }).n * 2 }),
        big: () => ({ blob: 'x'.repeat(300 * 1024) }),
      }),
    });
  });
  afterAll(async () => {
    await service?.close();
  });

  it('lists, starts, describes and reads history; errors map to boto3 exception classes', async (context) => {
    if (!hasBoto3) return context.skip();
    const { stdout } = await promisify(execFile)('python3', ['-c', script, service.url]);
    expect(JSON.parse(stdout)).toEqual({
      status: 'SUCCEEDED',
      output: { n: 8 },
      startYear: new Date().getUTCFullYear(),
      types: [
        'ExecutionStarted',
        'TaskStateEntered',
        'LambdaFunctionScheduled',
        'LambdaFunctionStarted',
        'LambdaFunctionSucceeded',
        'TaskStateExited',
        'ExecutionSucceeded',
      ],
      missing: 'ExecutionDoesNotExist',
    });
  });

  it('refuses a 270 KB input, fails a 300 KB task result with States.DataLimitExceeded, survives a bad TimeoutSecondsPath', async (context) => {
    if (!hasBoto3) return context.skip();
    const { stdout } = await promisify(execFile)('python3', ['-c', strictness, service.url]);
    expect(JSON.parse(stdout)).toEqual({
      bigInput: 'ValidationException',
      bigResult: { status: 'FAILED', error: 'States.DataLimitExceeded' },
      badTimeout: { status: 'FAILED', error: 'States.Runtime' },
      stillServing: { status: 'SUCCEEDED', error: null },
    });
  });
});
