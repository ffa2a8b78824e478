import { join } from 'node:path';
import type { LambdaInvoker } from '../emulators/lambda/invoker';
import { localAccountId } from '../emulators/protocol/identity';
import { startStepFunctionsService } from '../emulators/stepfunctions/service';
import { assertValidDefinition } from '../emulators/stepfunctions/validation';
import { createResolver, systemDefinition } from '../system-resolution';
import type { BindContext } from './context';

/** Benchmarks compare workflow designs: rewrite a workflow's resolved ASL, and wrap the invoker its tasks use. */
export interface WorkflowVariant {
  readonly definition: (workflow: string, asl: string) => string;
  readonly invoker: (runtime: LambdaInvoker) => LambdaInvoker;
}

/**
 * Refuses, before anything starts (it takes milliseconds; DynamoDB Local's JVM takes seconds), every
 * workflow AWS's CreateStateMachine would refuse, naming its ASL file, the state and the rule. Queue URLs
 * are placeholders here (the queues do not exist yet); the Step Functions service checks the final text again.
 */
export async function validateWorkflows(): Promise<void> {
  const resolver = createResolver((queue) => `http://127.0.0.1/${localAccountId}/${queue}`);
  for (const [name, workflow] of Object.entries(systemDefinition.workflows)) {
    await assertValidDefinition(
      `${workflow.definitionFile} (state machine "${name}")`,
      resolver.definitionOf(workflow),
    );
  }
}

/** The local Step Functions service running every workflow of the definition, as infra/constructs/workflows.ts deploys them. */
export async function bindWorkflows(
  context: BindContext,
  resolver: ReturnType<typeof createResolver>,
  options: {
    readonly port: number;
    readonly invoker: LambdaInvoker;
    readonly endpoints: { dynamodb: string; sqs: string };
    readonly retryIntervalScale?: number;
    readonly taskTimeoutScale?: number;
    readonly variant?: WorkflowVariant;
  },
) {
  const stepFunctions = await startStepFunctionsService({
    port: options.port,
    stateMachines: Object.entries(systemDefinition.workflows).map(([name, workflow]) => {
      const definition = resolver.definitionOf(workflow);
      return { name, definition: options.variant?.definition(name, definition) ?? definition };
    }),
    invoker: options.variant?.invoker(options.invoker) ?? options.invoker,
    dynamodbEndpoint: options.endpoints.dynamodb,
    sqsEndpoint: options.endpoints.sqs,
    persistDir: context.persistDir ? join(context.persistDir, 'stepfunctions') : undefined,
    retryIntervalScale: options.retryIntervalScale,
    ...(options.taskTimeoutScale ? { taskTimeoutScale: options.taskTimeoutScale } : {}),
    onExecutionClosed: (execution) => {
      if (execution.status === 'SUCCEEDED') return;
      const why = [execution.error, execution.cause?.slice(0, 200)].filter(Boolean).join(': ');
      context.notice(
        `execution ${execution.name} ${execution.status} at ${execution.state ?? '?'}${why ? ` (${why})` : ''}; redrive: npm run ops -- redrive ${execution.name}`,
      );
    },
  });
  context.onStop(() => stepFunctions.close());
  context.log(`Step Functions      ${stepFunctions.url}`);
  return stepFunctions;
}
