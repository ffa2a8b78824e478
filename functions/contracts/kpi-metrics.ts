/**
 * The KPIs as CloudWatch metrics (EMF, published by countKpis in the functions' namespace with their service
 * dimension), and the dashboard the CDK app draws from them (infra/constructs/dashboard.ts): the same facts
 * the console's KPI page sums from the counters, so both say the same thing.
 */
export const kpiCounterMetrics = {
  orders: 'OrdersPlaced',
  unitsOrdered: 'UnitsOrdered',
  unitsFilledFirst: 'UnitsFilledFirstAttempt',
  unitsAttempted: 'UnitsFirstAttempted',
  backordered: 'OrdersBackordered',
  reroutes: 'Reroutes',
  shipmentsReached: 'ShipmentsReached',
  onTime: 'ShipmentsOnTime',
  returns: 'ReturnsRequested',
} as const satisfies Record<string, string>;

/** Durations in seconds, one value per order: the dashboard shows their p50 and p95. */
export const kpiDurationMetrics = {
  reserve: 'TimeToReserve',
  ship: 'TimeToShip',
  deliver: 'TimeToDeliver',
} as const satisfies Record<string, string>;
