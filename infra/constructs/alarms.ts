import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { businessAlarms, lateShipmentsMetric } from '../../functions/contracts/system-dispatch';
import type { FunctionKey, QueueKey, WorkflowKey } from '../definition';
import type { QueuePair } from './queues';
import type { SystemFunction } from './system-functions';

export interface AlarmsProps {
  readonly functions: ReadonlyMap<FunctionKey, SystemFunction>;
  readonly stateMachines: ReadonlyMap<WorkflowKey, sfn.StateMachine>;
  readonly queues: ReadonlyMap<QueueKey, QueuePair>;
  readonly api: apigw.HttpApi;
  /** Optional e-mail subscribed to the alarm topic (context `alarmEmail`). */
  readonly email?: string;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * The alarms operations act on, all notifying one SNS topic: failed executions (fix, then Redrive),
 * messages in a DLQ, Lambda errors and throttles, API 5xx.
 */
export class Alarms extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'O2O orchestrator alarms',
      enforceSSL: true,
      masterKey: this.topicKey(),
    });
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    const notify = new actions.SnsAction(this.topic);
    const alarm = (name: string, metric: cloudwatch.IMetric, threshold: number, description: string) => {
      const created = new cloudwatch.Alarm(this, name, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(notify);
      created.addOkAction(notify);
    };

    for (const [key, machine] of props.stateMachines) {
      alarm(
        `${key}ExecutionsFailed`,
        machine.metricFailed({ period: FIVE_MINUTES, statistic: 'Sum' }),
        1,
        `Workflow ${key}: an execution failed. Fix the cause, then Redrive it from the failed step.`,
      );
    }
    for (const [key, { deadLetterQueue }] of props.queues) {
      alarm(
        `${key}DeadLetters`,
        deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: FIVE_MINUTES,
          statistic: 'Maximum',
        }),
        1,
        `Queue ${key}: messages reached its dead-letter queue. Inspect, fix, then start a message move task.`,
      );
    }
    for (const [key, { fn }] of props.functions) {
      alarm(
        `${key}Errors`,
        fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
        1,
        `Lambda ${key}: errors.`,
      );
      alarm(
        `${key}Throttles`,
        fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
        1,
        `Lambda ${key}: throttled invocations.`,
      );
    }
    for (const business of businessAlarms) {
      alarm(
        business.metricName,
        new cloudwatch.Metric({
          namespace: lateShipmentsMetric.namespace,
          metricName: business.metricName,
          dimensionsMap: { service: lateShipmentsMetric.service },
          period: Duration.minutes(business.periodMinutes),
          statistic: business.statistic,
        }),
        1,
        business.description,
      );
    }
    alarm(
      'Api5xx',
      props.api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }),
      1,
      'HTTP API: 5xx responses.',
    );
  }

  /**
   * A customer-managed key: CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed
   * `alias/aws/sns` key (its key policy does not admit CloudWatch), so this key allows exactly that.
   */
  private topicKey(): kms.Key {
    const key = new kms.Key(this, 'TopicKey', {
      description: 'Encrypts the O2O alarm topic',
      enableKeyRotation: true,
      pendingWindow: Duration.days(7),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    return key;
  }
}
