import { type CfnResource, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { kpiCounterMetrics, kpiDurationMetrics } from '../../functions/contracts/kpi-metrics';
import { lateShipmentsMetric } from '../../functions/contracts/system-dispatch';
import type { QueueKey, WorkflowKey } from '../definition';
import type { QueuePair } from './queues';

export interface KpiDashboardProps {
  readonly stateMachines: ReadonlyMap<WorkflowKey, sfn.StateMachine>;
  readonly queues: ReadonlyMap<QueueKey, QueuePair>;
}

const HOUR = Duration.hours(1);

/** A KPI metric countKpis publishes: the functions' namespace, their service dimension. */
const metric = (metricName: string, statistic = 'Sum') =>
  new cloudwatch.Metric({
    namespace: lateShipmentsMetric.namespace,
    metricName,
    dimensionsMap: { service: lateShipmentsMetric.service },
    period: HOUR,
    statistic,
  });

/** part / whole × scale, as metric math; `index` keeps the metric ids apart within one graph. */
const rate = (index: number, label: string, part: string, whole: string, scale = 100) =>
  new cloudwatch.MathExpression({
    label,
    expression: `IF(w${index} > 0, ${scale} * p${index} / w${index}, 0)`,
    usingMetrics: { [`p${index}`]: metric(part), [`w${index}`]: metric(whole) },
    period: HOUR,
  });

const graph = (title: string, left: cloudwatch.IMetric[]) =>
  new cloudwatch.GraphWidget({ title, left, width: 8, height: 6 });

/**
 * The KPIs on a CloudWatch dashboard, from the EMF metrics countKpis publishes (contracts/kpi-metrics.ts):
 * the console's KPI page in AWS's own console. Rates are metric math over the same counts the console sums.
 */
export class KpiDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: KpiDashboardProps) {
    super(scope, id);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(7),
      widgets: [
        [
          graph('Orders placed and backordered, units ordered (per hour)', [
            metric(kpiCounterMetrics.orders),
            metric(kpiCounterMetrics.backordered),
            metric(kpiCounterMetrics.unitsOrdered),
          ]),
          graph('Fill rate and backorder rate (%)', [
            rate(
              0,
              'Fill rate: units held at the first attempt / units it asked for',
              kpiCounterMetrics.unitsFilledFirst,
              kpiCounterMetrics.unitsAttempted,
            ),
            rate(
              1,
              'Backorder rate: orders backordered / placed',
              kpiCounterMetrics.backordered,
              kpiCounterMetrics.orders,
            ),
          ]),
          graph('On-time rate (%) and re-routes per 100 orders', [
            rate(
              2,
              'On time: delivered or collected by promisedBy',
              kpiCounterMetrics.onTime,
              kpiCounterMetrics.shipmentsReached,
            ),
            rate(3, 'Re-routes per 100 orders', kpiCounterMetrics.reroutes, kpiCounterMetrics.orders),
          ]),
        ],
        [
          graph(
            'Time to reserve, ship and deliver (seconds, p50 and p95)',
            Object.values(kpiDurationMetrics).flatMap((name) => [metric(name, 'p50'), metric(name, 'p95')]),
          ),
          graph(
            'Failed executions by workflow',
            [...props.stateMachines].map(([key, machine]) =>
              machine.metricFailed({ period: HOUR, statistic: 'Sum', label: key }),
            ),
          ),
          graph(
            'Dead letters by queue',
            [...props.queues].map(([key, { deadLetterQueue }]) =>
              deadLetterQueue.metricApproximateNumberOfMessagesVisible({
                period: HOUR,
                statistic: 'Maximum',
                label: key,
              }),
            ),
          ),
        ],
        [
          graph('Returns requested and refund failures', [
            metric(kpiCounterMetrics.returns),
            metric('RefundFailures'),
          ]),
          graph('Late shipments (gauge)', [metric(lateShipmentsMetric.name, 'Maximum')]),
        ],
      ],
    });
    // CloudFormation takes Tags on a dashboard (the app tags every resource), but the cfn-lint resource spec
    // installed here predates them: its E3002 is silenced on this resource only, with the reference
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudwatch-dashboard.html
    (this.dashboard.node.defaultChild as CfnResource).addMetadata('cfn-lint', {
      config: { ignore_checks: ['E3002'] },
    });
  }
}
