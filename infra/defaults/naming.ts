import { ArnFormat, type Stack } from 'aws-cdk-lib';

/**
 * State machines get a deterministic name so their ARN is known before they exist: functions that start
 * or operate a workflow get that ARN in their environment and grants without referencing the state
 * machine resource, which would otherwise form a cycle (the state machine references those functions).
 */
export const stateMachineName = (stack: Stack, workflow: string): string => `${stack.stackName}-${workflow}`;

export const stateMachineArn = (stack: Stack, workflow: string): string =>
  stack.formatArn({
    service: 'states',
    resource: 'stateMachine',
    resourceName: stateMachineName(stack, workflow),
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });

/** Every execution of the workflow (execution ARNs are `execution:<machine name>:<execution name>`). */
export const executionsArn = (stack: Stack, workflow: string): string =>
  stack.formatArn({
    service: 'states',
    resource: 'execution',
    resourceName: `${stateMachineName(stack, workflow)}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
