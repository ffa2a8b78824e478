/**
 * The dispatch part of the system definition (system.ts spreads it in): the dispatch workflow, one execution
 * per shipment, and the functions behind its steps and its staff routes (docs/dispatch.md).
 */
import {
  commonEnvironment,
  type EnvValue,
  type FunctionDefinition,
  type Grant,
  type WorkflowDefinition,
} from './system-model';

/** How many times one order's shortfalls may be re-routed before what is left is given up (a bad day cannot loop). */
export const defaultMaxReroutes = 3;

export const dispatchWorkflows = {
  dispatch: {
    definitionFile: 'workflows/dispatch/dispatch.asl.json',
    substitutions: {
      SettleShipmentStepFunctionArn: { functionArn: 'settleShipmentStep' },
      RerouteShipmentFunctionArn: { functionArn: 'rerouteShipment' },
      CarrierBookingFunctionArn: { functionArn: 'carrierBooking' },
      TableName: { tableName: 'main' },
    },
    tables: ['main'],
  },
} as const satisfies Record<string, WorkflowDefinition>;

/** A function that wakes dispatch executions waiting on a shipment (staff steps, cancellations). */
export const wakesDispatch = { workflow: 'dispatch', access: 'callback' } as const satisfies Grant;

/** A function that starts dispatch executions (one per new shipment): the ARN and the right. */
export const startsDispatch = {
  environment: { DISPATCH_STATE_MACHINE_ARN: { stateMachineArn: 'dispatch' } },
  grant: { workflow: 'dispatch', access: 'start' },
} as const satisfies { environment: Record<string, EnvValue>; grant: Grant };

/**
 * The gauge of shipments past their promise (counted every few minutes), and the alarm on it: the metric is
 * published in the functions' namespace with their service dimension (Powertools' default dimension).
 */
export const lateShipmentsMetric = {
  name: 'LateShipments',
  namespace: commonEnvironment.POWERTOOLS_METRICS_NAMESPACE,
  service: commonEnvironment.POWERTOOLS_SERVICE_NAME,
  everyMinutes: 5,
} as const;

/**
 * The business metrics operations are alarmed on (infra/constructs/alarms.ts), published by the functions
 * in their namespace with their service dimension: the late-shipments gauge, packed shipments no carrier
 * took (each needs a rebook), and return refunds a channel reported failed (each needs a retry).
 */
export const businessAlarms = [
  {
    metricName: lateShipmentsMetric.name,
    statistic: 'Maximum',
    periodMinutes: lateShipmentsMetric.everyMinutes * 3,
    description:
      'Shipments are past their promise (GET /ops/shipments?late=true lists them): chase the stores, or re-route.',
  },
  {
    metricName: 'BookingFailures',
    statistic: 'Sum',
    periodMinutes: 5,
    description:
      'A packed shipment found no carrier (GET /ops/shipments?attention=true lists them): fix the carriers, then POST /ops/shipments/{id}/rebook.',
  },
  {
    metricName: 'RefundFailures',
    statistic: 'Sum',
    periodMinutes: 5,
    description:
      'A channel reported a return refund failed (GET /ops/returns?attention=true lists them): fix it with the channel, then POST /ops/returns/{id}/retry-refund.',
  },
] as const;

/** How long BookCarrier waits for each carrier API call before moving on to the next carrier. */
export const defaultCarrierTimeoutMs = 3000;

export const dispatchFunctions = {
  carrierBooking: {
    entry: 'functions/handlers/dispatch/carrier-booking.task.ts',
    // Every eligible carrier may take the whole per-call timeout: the function outlasts a few of them.
    timeoutSeconds: 60,
    environment: { ...commonEnvironment, CARRIER_TIMEOUT_MS: String(defaultCarrierTimeoutMs) },
    grants: [{ table: 'main', access: 'readWrite' }],
  },
  receiveCarrierEvent: {
    entry: 'functions/handlers/carriers/receive-carrier-event.api.ts',
    environment: { ...commonEnvironment },
    // A return's courier pickup reports through the same webhook: it wakes that return's workflow.
    grants: [
      { table: 'main', access: 'readWrite' },
      wakesDispatch,
      { workflow: 'returns', access: 'callback' },
    ],
  },
  manageCarriers: {
    entry: 'functions/handlers/carriers/manage-carriers.api.ts',
    environment: { ...commonEnvironment },
    grants: [{ table: 'main', access: 'readWrite' }],
  },
  listShipments: {
    entry: 'functions/handlers/dispatch/list-shipments.api.ts',
    environment: { ...commonEnvironment },
    grants: [{ table: 'main', access: 'read' }],
  },
  reportLateShipments: {
    entry: 'functions/handlers/dispatch/report-late-shipments.schedule.ts',
    timeoutSeconds: 60,
    environment: { ...commonEnvironment },
    grants: [{ table: 'main', access: 'read' }],
    schedule: { everyMinutes: lateShipmentsMetric.everyMinutes },
  },
  listLocationTasks: {
    entry: 'functions/handlers/dispatch/list-location-tasks.api.ts',
    environment: { ...commonEnvironment },
    grants: [{ table: 'main', access: 'read' }],
  },
  recordShipmentStep: {
    entry: 'functions/handlers/dispatch/record-shipment-step.api.ts',
    environment: { ...commonEnvironment },
    grants: [{ table: 'main', access: 'readWrite' }, wakesDispatch],
  },
  settleShipmentStep: {
    entry: 'functions/handlers/dispatch/settle-shipment-step.task.ts',
    environment: { ...commonEnvironment },
    grants: [{ table: 'main', access: 'readWrite' }, wakesDispatch],
  },
  rerouteShipment: {
    entry: 'functions/handlers/dispatch/reroute-shipment.task.ts',
    environment: {
      ...commonEnvironment,
      MAX_REROUTES_PER_ORDER: String(defaultMaxReroutes),
      FULFILMENT_STATE_MACHINE_ARN: { stateMachineArn: 'fulfilment' },
    },
    grants: [
      { table: 'main', access: 'readWrite' },
      { workflow: 'fulfilment', access: 'start' },
    ],
  },
} as const satisfies Record<string, FunctionDefinition>;
