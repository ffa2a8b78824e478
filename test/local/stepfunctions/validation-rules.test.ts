import { describe, expect, it } from 'vitest';
import { stateNameOf, validateDefinition } from '../../../local/emulators/stepfunctions/validation';
import { aslServiceDiagnostics } from '../../../local/emulators/stepfunctions/validation/asl-service';
import { errorHandlingRules } from '../../../local/emulators/stepfunctions/validation/rules/errors';
import { scopesOf } from '../../../local/emulators/stepfunctions/validation/scopes';

/**
 * Each rule: a planted violation fails with an AWS-shaped diagnostic (code, /States/... location, a message
 * naming the state), and the same definition with the violation fixed passes.
 */
type States = Record<string, unknown>;
const machine = (states: States, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ StartAt: Object.keys(states)[0], States: states, ...extra });

const lambda = 'arn:aws:lambda:us-east-1:123456789012:function:work';
const task = (fields: Record<string, unknown> = {}) => ({
  Type: 'Task',
  Resource: lambda,
  End: true,
  ...fields,
});

async function fails(definition: string, code: string, location: string | undefined, state?: string) {
  const { result, diagnostics } = await validateDefinition(definition);
  expect(result).toBe('FAIL');
  const found = diagnostics.find((d) => d.code === code && d.location === location);
  expect(found, JSON.stringify(diagnostics, null, 2)).toMatchObject({ severity: 'ERROR', code });
  if (state) expect(found?.message).toContain(`"${state}"`);
}

async function passes(definition: string) {
  expect(await validateDefinition(definition)).toEqual({ result: 'OK', diagnostics: [], truncated: false });
}

describe('input', () => {
  it('INVALID_JSON_DESCRIPTION for text that is not JSON, MISSING_DESCRIPTION for an empty one', async () => {
    await fails('{"StartAt": ', 'INVALID_JSON_DESCRIPTION', undefined);
    await fails('   ', 'MISSING_DESCRIPTION', undefined);
    await fails('null', 'MISSING_DESCRIPTION', undefined);
    await fails('[]', 'SCHEMA_VALIDATION_FAILED', undefined);
    await passes(machine({ A: { Type: 'Succeed' } }));
  });
});

describe("AWS's schema (amazon-states-language-service), mapped to AWS codes and locations", () => {
  it('an unknown field, a missing required field, a bad state type', async () => {
    await fails(machine({ A: task({ Bogus: 1 }) }), 'SCHEMA_VALIDATION_FAILED', '/States/A/Bogus', 'A');
    await fails(machine({ A: { Type: 'Task', End: true } }), 'SCHEMA_VALIDATION_FAILED', '/States/A', 'A');
    await fails(
      machine({ A: { Type: 'Sleep', End: true } }),
      'SCHEMA_VALIDATION_FAILED',
      '/States/A/Type',
      'A',
    );
    await passes(machine({ A: task() }));
  });

  it('a duplicate state key in one States object: DUPLICATE_STATE_NAME', async () => {
    const text = '{"StartAt":"A","States":{"A":{"Type":"Succeed"},"A":{"Type":"Pass","End":true}}}';
    await fails(text, 'DUPLICATE_STATE_NAME', '/States/A', 'A');
  });
});

describe('Task resources: the integrations × patterns table', () => {
  const withResource = (Resource: string, fields: Record<string, unknown> = {}) =>
    machine({ Call: task({ Resource, ...fields }) });
  const token = { Parameters: { 'TaskToken.$': '$$.Task.Token' } };

  it('refuses the optimized DynamoDB integration with .waitForTaskToken; the SDK integration is accepted', async () => {
    await fails(
      withResource('arn:aws:states:::dynamodb:updateItem.waitForTaskToken', token),
      'INVALID_RESOURCE',
      '/States/Call/Resource',
      'Call',
    );
    const dynamoToken = {
      Parameters: {
        TableName: 't',
        Key: { pk: { S: 'a' } },
        UpdateExpression: 'SET t = :t',
        ExpressionAttributeValues: { ':t': { 'S.$': '$$.Task.Token' } },
      },
    };
    await passes(withResource('arn:aws:states:::aws-sdk:dynamodb:updateItem.waitForTaskToken', dynamoToken));
    await passes(withResource('arn:aws:states:::dynamodb:updateItem'));
  });

  it('refuses .sync on an AWS SDK integration, an unknown action, an unknown shape', async () => {
    for (const resource of [
      'arn:aws:states:::aws-sdk:s3:listObjectsV2.sync',
      'arn:aws:states:::dynamodb:query',
      'arn:aws:states:::sqs:sendMessage.sync',
      'arn:aws:states:::lambda:invoke.sync',
      `${lambda}.waitForTaskToken`,
      'arn:aws:states:::nosuchservice:doIt',
      'lambda',
    ]) {
      await fails(withResource(resource, token), 'INVALID_RESOURCE', '/States/Call/Resource', 'Call');
    }
  });

  it('accepts Lambda function ARNs (qualified too) and activities', async () => {
    await passes(withResource(`${lambda}:live`));
    await passes(withResource('arn:aws:states:us-east-1:123456789012:activity:approve'));
  });

  it('EXPRESS allows Request Response only, and no activities', async () => {
    const payloadToken = { Parameters: { Payload: { 'TaskToken.$': '$$.Task.Token' } } };
    const express = async (resource: string) =>
      validateDefinition(withResource(resource, payloadToken), { type: 'EXPRESS' });
    for (const resource of [
      'arn:aws:states:::lambda:invoke.waitForTaskToken',
      'arn:aws:states:::states:startExecution.sync:2',
      'arn:aws:states:::aws-sdk:sfn:startExecution.waitForTaskToken',
      'arn:aws:states:us-east-1:123456789012:activity:approve',
    ]) {
      expect((await express(resource)).diagnostics).toMatchObject([
        { code: 'INVALID_RESOURCE', location: '/States/Call/Resource' },
      ]);
    }
    expect((await express('arn:aws:states:::lambda:invoke')).result).toBe('OK');
  });

  it('a .waitForTaskToken Task must pass $$.Task.Token (local rule, stricter than AWS)', async () => {
    const resource = 'arn:aws:states:::sqs:sendMessage.waitForTaskToken';
    await fails(
      withResource(resource, { Parameters: { MessageBody: 'hi' } }),
      'MISSING_TASK_TOKEN',
      '/States/Call/Parameters',
      'Call',
    );
    await fails(withResource(resource), 'MISSING_TASK_TOKEN', '/States/Call/Parameters', 'Call');
    await passes(withResource(resource, { Parameters: { MessageBody: { 'token.$': '$$.Task.Token' } } }));
    await passes(
      withResource(resource, { Parameters: { 'MessageBody.$': "States.Format('{}', $$.Task.Token)" } }),
    );
    const jsonata = (Arguments: unknown) =>
      machine({ Call: task({ Resource: resource, Arguments }) }, { QueryLanguage: 'JSONata' });
    await fails(jsonata({ MessageBody: 'hi' }), 'MISSING_TASK_TOKEN', '/States/Call/Arguments', 'Call');
    await passes(jsonata({ MessageBody: '{% $states.context.Task.Token %}' }));
  });
});

describe('Retry and Catch', () => {
  const retry = (...retriers: unknown[]) => machine({ Work: task({ Retry: retriers }) });
  const catchers = (...list: unknown[]) =>
    machine({ Work: task({ Catch: list }), Recover: { Type: 'Pass', End: true } });

  it('States.ALL must be alone in its ErrorEquals', async () => {
    await fails(
      retry({ ErrorEquals: ['States.ALL', 'X'] }),
      'SCHEMA_VALIDATION_FAILED',
      '/States/Work/Retry/0/ErrorEquals',
      'Work',
    );
    await fails(
      catchers({ ErrorEquals: ['X', 'States.ALL'], Next: 'Recover' }),
      'SCHEMA_VALIDATION_FAILED',
      '/States/Work/Catch/0/ErrorEquals',
      'Work',
    );
    await passes(retry({ ErrorEquals: ['X'] }, { ErrorEquals: ['States.ALL'] }));
  });

  it('States.ALL must be in the last retrier and the last catcher', async () => {
    await fails(
      retry({ ErrorEquals: ['States.ALL'] }, { ErrorEquals: ['X'] }),
      'SCHEMA_VALIDATION_FAILED',
      '/States/Work/Retry/0/ErrorEquals',
      'Work',
    );
    await fails(
      catchers({ ErrorEquals: ['States.ALL'], Next: 'Recover' }, { ErrorEquals: ['X'], Next: 'Recover' }),
      'SCHEMA_VALIDATION_FAILED',
      '/States/Work/Catch/0/ErrorEquals',
      'Work',
    );
    await passes(
      catchers({ ErrorEquals: ['X'], Next: 'Recover' }, { ErrorEquals: ['States.ALL'], Next: 'Recover' }),
    );
  });

  it.each([
    ['BackoffRate', 0.5, 1],
    ['MaxDelaySeconds', 0, 1],
    ['MaxDelaySeconds', 31_622_401, 31_622_400],
    ['JitterStrategy', 'SOMETIMES', 'FULL'],
    ['IntervalSeconds', 0, 1],
    ['MaxAttempts', -1, 0],
  ])('%s = %j fails, %j passes', async (field, bad, good) => {
    await fails(
      retry({ ErrorEquals: ['X'], [field]: bad }),
      'SCHEMA_VALIDATION_FAILED',
      `/States/Work/Retry/0/${field}`,
      'Work',
    );
    await passes(retry({ ErrorEquals: ['X'], [field]: good }));
  });

  it('retrier bounds hold in both layers: AWS schema and our own rule (whatever the schema package becomes)', async () => {
    const definition = retry({
      ErrorEquals: ['X'],
      BackoffRate: 0.5,
      MaxDelaySeconds: 0,
      JitterStrategy: 'NO',
    });
    const fromAws = (await aslServiceDiagnostics(definition)).map((d) => d.location);
    const [scope] = scopesOf(JSON.parse(definition));
    const ours = scope?.states.flatMap(errorHandlingRules).map((d) => d.location);
    for (const field of ['BackoffRate', 'MaxDelaySeconds', 'JitterStrategy']) {
      expect(fromAws).toContain(`/States/Work/Retry/0/${field}`);
      expect(ours).toContain(`/States/Work/Retry/0/${field}`);
    }
  });
});

describe('timeouts', () => {
  it('HeartbeatSeconds must be below TimeoutSeconds', async () => {
    await fails(
      machine({ Wait: task({ TimeoutSeconds: 60, HeartbeatSeconds: 60 }) }),
      'SCHEMA_VALIDATION_FAILED',
      '/States/Wait/HeartbeatSeconds',
      'Wait',
    );
    await passes(machine({ Wait: task({ TimeoutSeconds: 60, HeartbeatSeconds: 59 }) }));
  });

  it('TimeoutSeconds and TimeoutSecondsPath are exclusive', async () => {
    await fails(
      machine({ Wait: task({ TimeoutSeconds: 60, TimeoutSecondsPath: '$.t' }) }),
      'SCHEMA_VALIDATION_FAILED',
      '/States/Wait/TimeoutSecondsPath',
      'Wait',
    );
    await passes(machine({ Wait: task({ TimeoutSecondsPath: '$.t' }) }));
  });
});

describe('transitions, reachability, terminal states', () => {
  it('every Next, Default, Choice Next, Catch Next and StartAt names an existing state', async () => {
    await fails(
      machine({ A: { Type: 'Pass', Next: 'Nope' }, B: { Type: 'Succeed' } }),
      'MISSING_TRANSITION_TARGET',
      '/States/A/Next',
      'A',
    );
    const choice = (target: string) =>
      machine({
        C: { Type: 'Choice', Choices: [{ Variable: '$.x', IsPresent: true, Next: target }], Default: 'Done' },
        Done: { Type: 'Succeed' },
      });
    await fails(choice('Nope'), 'MISSING_TRANSITION_TARGET', '/States/C/Choices/0/Next', 'C');
    await passes(choice('Done'));
    await fails(
      machine({
        C: { Type: 'Choice', Choices: [{ Variable: '$.x', IsPresent: true, Next: 'Done' }], Default: 'Nope' },
        Done: { Type: 'Succeed' },
      }),
      'MISSING_TRANSITION_TARGET',
      '/States/C/Default',
      'C',
    );
    await fails(
      machine({ W: task({ Catch: [{ ErrorEquals: ['X'], Next: 'Nope' }] }) }),
      'MISSING_TRANSITION_TARGET',
      '/States/W/Catch/0/Next',
      'W',
    );
    await fails(
      JSON.stringify({ StartAt: 'Nope', States: { A: { Type: 'Succeed' } } }),
      'MISSING_TRANSITION_TARGET',
      '/StartAt',
    );
  });

  it('every state is reachable from StartAt', async () => {
    await fails(
      machine({ A: { Type: 'Succeed' }, Orphan: { Type: 'Succeed' } }),
      'SCHEMA_VALIDATION_FAILED',
      '/States/Orphan',
      'Orphan',
    );
    await passes(machine({ A: { Type: 'Pass', Next: 'Orphan' }, Orphan: { Type: 'Succeed' } }));
  });

  it('a machine needs a terminal state (MISSING_END_STATE)', async () => {
    const { diagnostics } = await validateDefinition(machine({ A: { Type: 'Pass', Next: 'A' } }));
    expect(diagnostics).toEqual([expect.objectContaining({ severity: 'ERROR', code: 'MISSING_END_STATE' })]);
    await passes(machine({ A: { Type: 'Fail', Error: 'E' } }));
  });

  it('state names are unique in the whole machine, branches included', async () => {
    const definition = machine({
      A: { Type: 'Parallel', Branches: [{ StartAt: 'A', States: { A: { Type: 'Succeed' } } }], End: true },
    });
    await fails(definition, 'DUPLICATE_STATE_NAME', '/States/A/Branches/0/States/A', 'A');
  });
});

describe('nested state machines: Parallel branches, Map ItemProcessor and Iterator', () => {
  const bad = { Inner: task({ Resource: 'arn:aws:states:::dynamodb:getItem.sync' }) };
  const good = { Inner: task({ Resource: 'arn:aws:states:::dynamodb:getItem' }) };
  const parallel = (states: States) =>
    machine({ Par: { Type: 'Parallel', Branches: [{ StartAt: 'Inner', States: states }], End: true } });
  const map = (field: string, states: States) =>
    machine({ Each: { Type: 'Map', [field]: { StartAt: 'Inner', States: states }, End: true } });

  it.each([
    ['Parallel', parallel(bad), parallel(good), '/States/Par/Branches/0/States/Inner/Resource'],
    [
      'Map ItemProcessor',
      map('ItemProcessor', bad),
      map('ItemProcessor', good),
      '/States/Each/ItemProcessor/States/Inner/Resource',
    ],
    [
      'Map Iterator',
      map('Iterator', bad),
      map('Iterator', good),
      '/States/Each/Iterator/States/Inner/Resource',
    ],
  ])('%s: a violation inside is found at its nested location', async (_kind, failing, fixed, location) => {
    await fails(failing, 'INVALID_RESOURCE', location, 'Inner');
    await passes(fixed);
  });

  it('a branch cannot transition out of itself, and an unreachable branch state is reported', async () => {
    const definition = machine({
      Par: {
        Type: 'Parallel',
        Branches: [
          { StartAt: 'In', States: { In: { Type: 'Pass', Next: 'After' }, Lost: { Type: 'Succeed' } } },
        ],
        Next: 'After',
      },
      After: { Type: 'Succeed' },
    });
    await fails(definition, 'MISSING_TRANSITION_TARGET', '/States/Par/Branches/0/States/In/Next', 'In');
    await fails(definition, 'SCHEMA_VALIDATION_FAILED', '/States/Par/Branches/0/States/Lost', 'Lost');
  });
});

describe('the response, as AWS shapes it', () => {
  const threeErrors = machine({
    A: { Type: 'Pass', Next: 'Nope' },
    B: { Type: 'Succeed' },
    C: task({ Resource: 'arn:aws:states:::sqs:sendMessage.sync' }),
  });

  it('maxResults truncates (result still FAIL); 0 means 100', async () => {
    const all = await validateDefinition(threeErrors);
    expect(all.diagnostics.length).toBeGreaterThanOrEqual(3);
    expect(all.truncated).toBe(false);
    const two = await validateDefinition(threeErrors, { maxResults: 2 });
    expect(two).toEqual({ result: 'FAIL', diagnostics: all.diagnostics.slice(0, 2), truncated: true });
    expect(await validateDefinition(threeErrors, { maxResults: 0 })).toEqual(all);
  });

  it('severity ERROR (default) hides warnings; WARNING shows them; warnings alone are OK', async () => {
    const warned = machine({ P: { Type: 'Pass', Parameters: { id: '$.orderId' }, End: true } });
    expect(await validateDefinition(warned)).toEqual({ result: 'OK', diagnostics: [], truncated: false });
    expect(await validateDefinition(warned, { severity: 'WARNING' })).toEqual({
      result: 'OK',
      diagnostics: [
        {
          severity: 'WARNING',
          code: 'NO_DOLLAR',
          message: expect.stringContaining('"P"'),
          location: '/States/P/Parameters/id',
        },
      ],
      truncated: false,
    });
    const staticResult = machine({ P: { Type: 'Pass', Result: { 'id.$': '$.x' }, End: true } });
    expect((await validateDefinition(staticResult, { severity: 'WARNING' })).diagnostics).toMatchObject([
      { severity: 'WARNING', code: 'PASS_RESULT_IS_STATIC', location: '/States/P/Result' },
    ]);
  });

  it('results are cached per text but callers get their own copies', async () => {
    const first = await validateDefinition(threeErrors);
    first.diagnostics[0] = { severity: 'ERROR', code: 'INVALID_RESOURCE', message: 'mutated' };
    expect((await validateDefinition(threeErrors)).diagnostics[0]?.message).not.toBe('mutated');
  });

  it('stateNameOf reads the innermost state of a location, through branches and processors', () => {
    expect(stateNameOf('/States/A/Branches/0/States/B/Next')).toBe('B');
    expect(stateNameOf('/States/M/ItemProcessor/States/States/Resource')).toBe('States');
    expect(stateNameOf('/States/A/Parameters/States/x')).toBe('A');
    expect(stateNameOf('/StartAt')).toBeUndefined();
  });
});

describe('intrinsic function escapes', () => {
  // LocalStack's AWS-validated test_illegal_escapes: CreateStateMachine refuses \" in an intrinsic literal.
  const pass = (field: string, expression: string) =>
    machine({ S: { Type: 'Pass', [field]: { 'parsed.$': expression }, End: true } });
  it("refuses an escape other than \\' \\{ \\} \\\\ in an intrinsic string literal, wherever the field is", async () => {
    await fails(
      pass('Parameters', String.raw`States.Format('He said, \"Hello, {}!\"', 'Test \"Name\" Here')`),
      'SCHEMA_VALIDATION_FAILED',
      '/States/S/Parameters',
      'S',
    );
    await fails(
      pass('Parameters', String.raw`States.StringToJson('{\"text\":\"An \\\"escaped\\\" quote\"}')`),
      'SCHEMA_VALIDATION_FAILED',
      '/States/S/Parameters',
      'S',
    );
    await fails(
      machine({ F: { Type: 'Fail', ErrorPath: String.raw`States.Format('\n{}', $.e)` } }),
      'SCHEMA_VALIDATION_FAILED',
      '/States/F/ErrorPath',
      'F',
    );
    await passes(pass('Parameters', String.raw`States.Format('It\'s \{literal\} \\ {}', $.x)`));
  });
});

describe('Task Parameters are the API request', () => {
  // "The field Filter is not supported by Step Functions" (AWS guide, connect-parameters). Without the rule
  // the SDK drops the misspelt field and the conditional write becomes unconditional.
  const dynamoTask = (resource: string, parameters: Record<string, unknown>) =>
    machine({ W: { Type: 'Task', Resource: resource, Parameters: parameters, End: true } });
  const update = {
    TableName: 't',
    Key: { pk: { S: 'a' } },
    UpdateExpression: 'SET v = :v',
    ExpressionAttributeValues: { ':v': { S: 'x' } },
  };
  it('refuses a field the API does not have (aws-sdk and optimized DynamoDB, SQS SendMessage, Lambda Invoke)', async () => {
    const sdk = 'arn:aws:states:::aws-sdk:dynamodb:updateItem';
    await fails(
      dynamoTask(sdk, { ...update, ConditionExpresion: 'attribute_exists(pk)' }),
      'SCHEMA_VALIDATION_FAILED',
      '/States/W/Parameters',
      'W',
    );
    await fails(
      dynamoTask('arn:aws:states:::dynamodb:updateItem', { ...update, 'tableName.$': '$.t' }),
      'SCHEMA_VALIDATION_FAILED',
      '/States/W/Parameters',
      'W',
    );
    await fails(
      dynamoTask('arn:aws:states:::sqs:sendMessage', { QueueUrl: 'q', Body: 'x' }),
      'SCHEMA_VALIDATION_FAILED',
      '/States/W/Parameters',
      'W',
    );
    await fails(
      dynamoTask('arn:aws:states:::lambda:invoke', { FunctionName: 'f', 'Paylod.$': '$' }),
      'SCHEMA_VALIDATION_FAILED',
      '/States/W/Parameters',
      'W',
    );
    await passes(dynamoTask(sdk, { ...update, 'ConditionExpression.$': '$.condition' }));
    await passes(dynamoTask('arn:aws:states:::lambda:invoke', { FunctionName: 'f', 'Payload.$': '$' }));
  });
});
