import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** One structured logger per function; Powertools reads its service name and level from the standard variables. */
export const logger = new Logger();

/** Business metrics (EMF on stdout); namespace and service come from POWERTOOLS_METRICS_NAMESPACE / _SERVICE_NAME. */
export const metrics = new Metrics();

/** Published at once (single-metric EMF line), so handlers need no flush middleware. */
export function countMetric(
  name: string,
  dimensions: Readonly<Record<string, string>> = {},
  count = 1,
): void {
  const metric = metrics.singleMetric();
  for (const [dimension, value] of Object.entries(dimensions)) metric.addDimension(dimension, value);
  metric.addMetric(name, MetricUnit.Count, count);
}
