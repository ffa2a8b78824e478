import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { createDocumentClient } from '../../adapters/dynamodb/client';
import { countKpis } from '../../app/kpi-facts';
import { kpiCounterMetrics, kpiDurationMetrics } from '../../contracts/kpi-metrics';
import { loadFunctionEnvironment } from '../../shared/env';
import { logger, metrics } from '../../shared/observability';
import { streamChanges } from '../../shared/stream';

const environment = loadFunctionEnvironment('countKpis');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

/**
 * The table's stream, filtered to orders, shipments and returns (the definition's filter): orders placed and
 * reaching a status, deliveries, collections and return requests become the KPI counters, each once. A failure fails the batch, which the
 * mapping retries (a fact counted before is not counted again).
 */
export const handler = middy<DynamoDBStreamEvent, void>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const changes = streamChanges(event);
    const counted = await countKpis(table, changes, new Date());
    // Only facts counted now: a retried batch publishes nothing twice, as it counts nothing twice.
    for (const fact of counted) {
      for (const [counter, value] of Object.entries(fact.counters)) {
        const name = kpiCounterMetrics[counter as keyof typeof kpiCounterMetrics];
        // Zeros too (an order filled 0 units, a shipment late): a rate's hour must not read as a gap.
        if (name) metrics.addMetric(name, MetricUnit.Count, value);
      }
      for (const [milestone, minutes] of Object.entries(fact.measures ?? {})) {
        const name = kpiDurationMetrics[milestone as keyof typeof kpiDurationMetrics];
        if (name) metrics.addMetric(name, MetricUnit.Seconds, Math.round(minutes * 60));
      }
    }
    // Powertools warns when asked to publish nothing: a batch with no new fact stays quiet.
    if (counted.length > 0) metrics.publishStoredMetrics();
  });
