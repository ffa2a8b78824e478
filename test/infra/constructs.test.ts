/**
 * Construct-level tests for definition features the current system definition does not use yet
 * (schedules, queue `admin`/`consume` grants, workflow `callback` grants): a small definition built from
 * the real one's keys, bundling one trivial fixture handler, in a bare stack.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import type { FunctionDefinition } from '../../functions/contracts/system';
import { PROJECT_ROOT } from '../../infra/build-app';
import { DataTables } from '../../infra/constructs/data-tables';
import { Queues } from '../../infra/constructs/queues';
import { SystemFunctions } from '../../infra/constructs/system-functions';
import { definition, type SystemShape } from '../../infra/definition';

const entry = 'test/infra/fixtures/noop.handler.ts';
const fixtureFunctions: Record<string, FunctionDefinition> = {
  sweeper: {
    entry,
    description: 'scheduled sweeper',
    environment: {},
    grants: [{ table: 'main', access: 'readWrite' }],
    schedule: { everyMinutes: 5 },
  },
  redriver: {
    entry,
    description: 'moves DLQ messages back',
    environment: { QUEUE_URL: { queueUrl: 'supplierStockFeed' } },
    grants: [{ queue: 'supplierStockFeed', access: 'admin' }],
  },
  poller: {
    entry,
    description: 'polls a queue by hand',
    environment: {},
    grants: [{ queue: 'supplierStockFeed', access: 'consume' }],
  },
  callbacker: {
    entry,
    description: 'answers task tokens',
    environment: { MACHINE: { stateMachineArn: 'fulfilment' } },
    grants: [{ workflow: 'fulfilment', access: 'callback' }],
  },
};

// The fixture's function keys are not FunctionKeys of the real system: the record is re-typed on purpose.
const fixture: SystemShape = {
  ...definition,
  functions: fixtureFunctions as unknown as SystemShape['functions'],
  routes: [],
};

const synthFixture = () => {
  const app = new App();
  const stack = new Stack(app, 'Fixture');
  const data = new DataTables(stack, 'Tables', { definition: fixture });
  const messaging = new Queues(stack, 'Queues', { definition: fixture });
  const fns = new SystemFunctions(stack, 'Functions', {
    definition: fixture,
    projectRoot: PROJECT_ROOT,
    tables: data.tables,
    queues: messaging.queues,
  });
  return { stack, fns, template: Template.fromStack(stack) };
};

const statementsOf = (template: Template, roleLogicalId: string) =>
  Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) => {
    const props = (policy as { Properties: { Roles: unknown[]; PolicyDocument: { Statement: unknown[] } } })
      .Properties;
    return JSON.stringify(props.Roles).includes(`"${roleLogicalId}"`)
      ? (props.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
      : [];
  });

describe('SystemFunctions (definition features not used by the current system)', () => {
  const { stack, fns, template } = synthFixture();
  const roleId = (key: string) => {
    const role = fns.functions.get(key as never)?.role;
    if (!role) throw new Error(`no role for ${key}`);
    return stack.getLogicalId(role.node.defaultChild as never);
  };

  it('schedules a function from `schedule.everyMinutes`', () => {
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: Match.arrayWith([Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 2 } })]),
    });
  });

  it('queue admin = StartMessageMoveTask & co on the DLQ, SendMessage on the source queue', () => {
    const statements = statementsOf(template, roleId('redriver'));
    const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(actions).toEqual(expect.arrayContaining(['sqs:StartMessageMoveTask', 'sqs:SendMessage']));
    expect(actions).not.toContain('sqs:PurgeQueue');
  });

  it('queue consume without an SQS trigger grants receive/delete', () => {
    const actions = statementsOf(template, roleId('poller')).flatMap((s) =>
      Array.isArray(s.Action) ? s.Action : [s.Action],
    );
    expect(actions).toEqual(expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage']));
  });

  it('workflow callback = SendTask* on the (named) state machine ARN, nothing else', () => {
    const statements = statementsOf(template, roleId('callbacker'));
    const states = statements.filter((s) => JSON.stringify(s.Action).includes('states:'));
    expect(states).toHaveLength(1);
    expect(states[0]?.Action).toEqual([
      'states:SendTaskSuccess',
      'states:SendTaskFailure',
      'states:SendTaskHeartbeat',
    ]);
    expect(JSON.stringify(states[0]?.Resource)).toContain(':stateMachine:Fixture-fulfilment');
  });
});
