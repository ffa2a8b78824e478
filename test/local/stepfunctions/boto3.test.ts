import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StepFunctionsService, startStepFunctionsService } from '../../../local/stepfunctions/service';
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
      ],
      invoker: testInvoker({ double: (payload) => ({ n: (payload as { n: number }).n * 2 }) }),
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
});
