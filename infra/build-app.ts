import { fileURLToPath } from 'node:url';
import { App, type AppProps, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { findDanglingReferences } from '../functions/contracts/system';
import { definition } from './definition';
import { ConsoleStack } from './stacks/console-stack';
import { ServiceStack } from './stacks/service-stack';
import { StatefulStack } from './stacks/stateful-stack';

/** Repository root: entries and ASL files in the system definition are relative to it. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

export const STATEFUL_STACK_NAME = 'O2oStateful';
export const SERVICE_STACK_NAME = 'O2oService';
export const CONSOLE_STACK_NAME = 'O2oConsole';

/**
 * Builds the whole CDK app from the one system definition (functions/contracts/system.ts).
 * `app.ts` calls this and nothing else; tests call it to synthesize in-process.
 */
export function buildApp(props: AppProps = {}): {
  app: App;
  stateful: StatefulStack;
  service: ServiceStack;
  opsConsole: ConsoleStack;
} {
  const dangling = findDanglingReferences();
  if (dangling.length > 0)
    throw new Error(`system definition has dangling references: ${dangling.join('; ')}`);
  const app = new App({
    ...props,
    // Explicitly keep CloudFormation exports between the stacks (the service stack imports table and queue
    // names/ARNs): deleting or renaming them in the stateful stack is blocked while they are in use.
    context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong', ...props.context },
  });
  const alarmEmail: unknown = app.node.tryGetContext('alarmEmail');
  const stateful = new StatefulStack(app, STATEFUL_STACK_NAME, {
    definition,
    description: 'O2O orchestrator: data (DynamoDB) and messaging (SQS); retained on delete',
    terminationProtection: true,
  });
  const service = new ServiceStack(app, SERVICE_STACK_NAME, {
    definition,
    projectRoot: PROJECT_ROOT,
    tables: stateful.data.tables,
    queues: stateful.messaging.queues,
    description: 'O2O orchestrator: functions, workflows, HTTP API and alarms',
    ...(typeof alarmEmail === 'string' ? { alarmEmail } : {}),
  });
  const opsConsole = new ConsoleStack(app, CONSOLE_STACK_NAME, {
    api: service.http.api,
    projectRoot: PROJECT_ROOT,
    description: 'O2O orchestrator: the ops console (S3 and CloudFront, in front of the HTTP API)',
  });
  Tags.of(app).add('project', 'o2o-orchestrator');
  // cdk-nag 3 is a CDK policy-validation plugin (the v2 `Aspects` form crashes): synth fails on any
  // unacknowledged finding; acknowledgements live next to the resources they concern.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stateful, service, opsConsole };
}
