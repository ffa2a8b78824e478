import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { LOG_RETENTION } from '../defaults/lambda';
import { stateMachineName } from '../defaults/naming';
import {
  entriesOf,
  type FunctionKey,
  invokedFunctions,
  lookup,
  resolveRef,
  type WorkflowKey,
} from '../definition';
import type { SystemFunction } from './system-functions';
import { type SystemResourcesProps, tokenResolvers } from './system-resources';

export interface WorkflowsProps extends SystemResourcesProps {
  readonly functions: ReadonlyMap<FunctionKey, SystemFunction>;
}

/** DynamoDB item actions the ASL may call (`arn:aws:states:::aws-sdk:dynamodb:updateItem.waitForTaskToken` parks callback tokens), nothing more. */
const WORKFLOW_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
];

/**
 * One Standard state machine per definition entry, from its ASL file (`fromString`, not `fromFile`, so no
 * S3 asset) with `${Placeholders}` resolved from the definition's Refs; logs ALL with execution data,
 * X-Ray, and an explicit role (ASL strings get no automatic grants): invoke only the listed functions,
 * item actions only on the listed tables.
 */
export class Workflows extends Construct {
  readonly stateMachines: ReadonlyMap<WorkflowKey, sfn.StateMachine>;

  constructor(scope: Construct, id: string, props: WorkflowsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const machines = new Map<WorkflowKey, sfn.StateMachine>();
    for (const [key, workflow] of entriesOf(props.definition.workflows)) {
      const role = new iam.Role(this, `${key}Role`, {
        assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
        description: `Execution role of the ${key} state machine`,
      });
      const invoked = invokedFunctions(workflow).map(
        (k) => lookup(props.functions, k, 'function').fn.functionArn,
      );
      if (invoked.length > 0) {
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: invoked }),
        );
      }
      const tableArns = workflow.tables.map((k) => lookup(props.tables, k, 'table').tableArn);
      if (tableArns.length > 0) {
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({ actions: WORKFLOW_TABLE_ACTIONS, resources: tableArns }),
        );
      }

      const resolvers = tokenResolvers(stack, props, props.functions);
      const definitionSubstitutions: Record<string, string> = {};
      for (const [name, ref] of Object.entries(workflow.substitutions)) {
        definitionSubstitutions[name] = resolveRef<string>(ref, resolvers);
      }

      const logGroup = new logs.LogGroup(this, `${key}Logs`, {
        // Vended-log delivery for Step Functions recommends the /aws/vendedlogs/ prefix.
        logGroupName: `/aws/vendedlogs/states/${stateMachineName(stack, key)}`,
        retention: LOG_RETENTION,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const machine = new sfn.StateMachine(this, key, {
        stateMachineName: stateMachineName(stack, key),
        stateMachineType: sfn.StateMachineType.STANDARD,
        definitionBody: sfn.DefinitionBody.fromString(
          readFileSync(join(props.projectRoot, workflow.definitionFile), 'utf8'),
        ),
        definitionSubstitutions,
        role,
        logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
        tracingEnabled: true,
      });
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Step Functions logging (logs:CreateLogDelivery/…LogDelivery, DescribeResourcePolicies, DescribeLogGroups) and X-Ray (PutTraceSegments, GetSamplingRules…) do not support resource-level permissions; CDK adds exactly these with `*`.',
      });
      machines.set(key, machine);
    }
    this.stateMachines = machines;
  }
}
