import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { Alarms } from '../constructs/alarms';
import { KpiDashboard } from '../constructs/dashboard';
import { HttpApi } from '../constructs/http-api';
import type { QueuePair } from '../constructs/queues';
import { SystemFunctions } from '../constructs/system-functions';
import { Workflows } from '../constructs/workflows';
import type { QueueKey, SystemShape, TableKey } from '../definition';

export interface ServiceStackProps extends StackProps {
  readonly definition: SystemShape;
  readonly projectRoot: string;
  readonly tables: ReadonlyMap<TableKey, dynamodb.ITable>;
  readonly queues: ReadonlyMap<QueueKey, QueuePair>;
  readonly alarmEmail?: string;
}

/** Compute and orchestration (functions, state machines, HTTP API, alarms): safe to replace at will. */
export class ServiceStack extends Stack {
  readonly functions: SystemFunctions;
  readonly workflows: Workflows;
  readonly http: HttpApi;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const { definition, projectRoot, tables, queues } = props;
    this.functions = new SystemFunctions(this, 'Functions', { definition, projectRoot, tables, queues });
    this.workflows = new Workflows(this, 'Workflows', {
      definition,
      projectRoot,
      tables,
      queues,
      functions: this.functions.functions,
    });
    this.http = new HttpApi(this, 'Http', { definition, functions: this.functions.functions });
    const alarms = new Alarms(this, 'Alarms', {
      functions: this.functions.functions,
      stateMachines: this.workflows.stateMachines,
      queues,
      api: this.http.api,
      ...(props.alarmEmail === undefined ? {} : { email: props.alarmEmail }),
    });

    const dashboard = new KpiDashboard(this, 'Kpis', {
      stateMachines: this.workflows.stateMachines,
      queues,
    });
    new CfnOutput(this, 'KpiDashboard', {
      value: dashboard.dashboard.dashboardName,
      description: 'CloudWatch dashboard of the KPIs (EMF metrics)',
    });
    new CfnOutput(this, 'ApiUrl', { value: this.http.stage.url, description: 'HTTP API base URL' });

    new CfnOutput(this, 'AlarmTopicArn', {
      value: alarms.topic.topicArn,
      description: 'SNS topic of all alarms',
    });
    for (const [key, machine] of this.workflows.stateMachines) {
      new CfnOutput(this, `${key}StateMachineArn`, {
        value: machine.stateMachineArn,
        description: `Workflow '${key}'`,
      });
    }
  }
}
