/**
 * THE definition of the system, less its HTTP routes (system.ts adds them): tables, queues, functions (entry,
 * environment, grants, triggers) and workflows. Handlers reach this module through shared/env.ts, and not the
 * routes: a module every handler imports lands in every Lambda's cold start, so the route table stays out.
 *
 * It is pure data: no CDK, no SDK, no environment. Values that only exist once deployed (a table's
 * name, a queue's URL, a state machine's ARN) are written as references and resolved by each side.
 */

import { channelFunctions } from './system-channels';
import { dispatchFunctions, dispatchWorkflows, startsDispatch, wakesDispatch } from './system-dispatch';
import {
  commonEnvironment,
  deadLetterQueueUrlVariable,
  type EnvValue,
  type FunctionDefinition,
  type QueueKey,
  queues,
  startsProcurement,
  stateMachineArnVariable,
  type WorkflowDefinition,
} from './system-model';
import { returnsFunctions, returnsWorkflows } from './system-returns';

export * from './system-model';
export type WorkflowKey = keyof typeof workflows;
export type FunctionKey = keyof typeof functions;

export const workflows = {
  fulfilment: {
    definitionFile: 'workflows/fulfilment/fulfilment.asl.json',
    substitutions: {
      ReserveStockFunctionArn: { functionArn: 'reserveStock' },
      CreateShipmentsFunctionArn: { functionArn: 'createShipments' },
      RecordOrderStatusFunctionArn: { functionArn: 'recordOrderStatus' },
      RequestProcurementFunctionArn: { functionArn: 'requestProcurement' },
      TableName: { tableName: 'main' },
    },
    tables: ['main'],
  },
  procurement: {
    definitionFile: 'workflows/procurement/procurement.asl.json',
    substitutions: {
      CreatePurchaseOrderFunctionArn: { functionArn: 'createPurchaseOrder' },
      SettlePurchaseOrderFunctionArn: { functionArn: 'settlePurchaseOrder' },
      AllocateReceiptFunctionArn: { functionArn: 'allocateReceipt' },
      AbandonBackorderFunctionArn: { functionArn: 'abandonBackorder' },
      TableName: { tableName: 'main' },
    },
    tables: ['main'],
  },
  ...dispatchWorkflows,
  ...returnsWorkflows,
} as const satisfies Record<string, WorkflowDefinition>;

/** The ops API over executions: every workflow in this definition, to list and redrive. */
const operatesWorkflows = {
  environment: {
    ...commonEnvironment,
    ...Object.fromEntries(
      Object.keys(workflows).map((workflow) => [
        stateMachineArnVariable(workflow),
        { stateMachineArn: workflow },
      ]),
    ),
  } as Record<string, EnvValue>,
  grants: Object.keys(workflows).map((workflow) => ({ workflow, access: 'operate' as const })),
} satisfies Pick<FunctionDefinition, 'environment' | 'grants'>;

/** The ops API over dead letters: every queue's dead-letter queue, inspected or moved back. */
const operatesDeadLetters = (access: 'inspectDeadLetters' | 'admin') =>
  ({
    environment: {
      ...commonEnvironment,
      ...Object.fromEntries(
        Object.keys(queues).map((queue) => [
          deadLetterQueueUrlVariable(queue),
          { deadLetterQueueUrl: queue as QueueKey },
        ]),
      ),
    } as Record<string, EnvValue>,
    grants: Object.keys(queues).map((queue) => ({ queue: queue as QueueKey, access })),
  }) satisfies Pick<FunctionDefinition, 'environment' | 'grants'>;

export const functions = {
  authorizer: {
    entry: 'functions/handlers/auth/authorize.authorizer.ts',
    environment: { ...commonEnvironment },
    grants: [{ table: 'main', access: 'read' }],
  },
  health: {
    entry: 'functions/handlers/platform/health.api.ts',
    environment: { ...commonEnvironment },
    grants: [],
  },
  putLocation: {
    entry: 'functions/handlers/inventory/put-location.api.ts',
    environment: { ...commonEnvironment },
    grants: [{ table: 'main', access: 'readWrite' }],
  },
  putSkuPolicy: {
    entry: 'functions/handlers/inventory/put-sku-policy.api.ts',
    environment: { ...commonEnvironment },
    grants: [{ table: 'main', access: 'readWrite' }],
  },
  putStock: {
    entry: 'functions/handlers/inventory/put-stock.api.ts',
    environment: { ...commonEnvironment, ...startsProcurement.environment },
    grants: [{ table: 'main', access: 'readWrite' }, startsProcurement.grant],
  },
  putStockShards: {
    entry: 'functions/handlers/inventory/put-stock-shards.api.ts',
    environment: { ...commonEnvironment },
    grants: [{ table: 'main', access: 'readWrite' }],
  },
  rebalanceStockShards: {
    entry: 'functions/handlers/inventory/rebalance-stock-shards.schedule.ts',
    timeoutSeconds: 60,
    environment: { ...commonEnvironment },
    grants: [{ table: 'main', access: 'readWrite' }],
    schedule: { everyMinutes: 1 },
  },
  reconcileReplenishment: {
    entry: 'functions/handlers/inventory/reconcile-replenishment.schedule.ts',
    timeoutSeconds: 300,
    environment: { ...commonEnvironment, ...startsProcurement.environment },
    grants: [{ table: 'main', access: 'readWrite' }, startsProcurement.grant],
    schedule: { everyMinutes: 15 },
  },
  getInventory: {
    entry: 'functions/handlers/inventory/get-inventory.api.ts',
    environment: { ...commonEnvironment },
    grants: [{ table: 'main', access: 'read' }],
  },
  createOrder: {
    entry: 'functions/handlers/orders/create-order.api.ts',
    environment: { ...commonEnvironment, FULFILMENT_STATE_MACHINE_ARN: { stateMachineArn: 'fulfilment' } },
    grants: [
      { table: 'main', access: 'readWrite' },
      { workflow: 'fulfilment', access: 'start' },
    ],
  },
  getOrder: {
    entry: 'functions/handlers/orders/get-order.api.ts',
    environment: { ...commonEnvironment },
    grants: [{ table: 'main', access: 'read' }],
  },
  cancelOrder: {
    entry: 'functions/handlers/orders/cancel-order.api.ts',
    environment: { ...commonEnvironment },
    grants: [
      { table: 'main', access: 'readWrite' },
      { workflow: 'fulfilment', access: 'callback' },
      { workflow: 'procurement', access: 'callback' },
      wakesDispatch,
    ],
  },
  postSupplierStock: {
    entry: 'functions/handlers/suppliers/post-supplier-stock.api.ts',
    environment: {
      ...commonEnvironment,
      SUPPLIER_STOCK_QUEUE_URL: { queueUrl: 'supplierStockFeed' },
      SUPPLIER_FEED_RATE_PER_MINUTE: '60',
    },
    grants: [
      // readWrite: the per-supplier rate-limit counters live in the table.
      { table: 'main', access: 'readWrite' },
      { queue: 'supplierStockFeed', access: 'send' },
    ],
  },
  ingestSupplierStock: {
    entry: 'functions/handlers/suppliers/ingest-supplier-stock.sqs.ts',
    environment: { ...commonEnvironment },
    grants: [{ table: 'main', access: 'readWrite' }],
    sqsTrigger: { queue: 'supplierStockFeed', batchSize: 10, maxBatchingWindowSeconds: 1 },
  },
  createShipments: {
    entry: 'functions/handlers/fulfilment/create-shipments.task.ts',
    environment: { ...commonEnvironment, ...startsDispatch.environment },
    grants: [{ table: 'main', access: 'readWrite' }, startsDispatch.grant],
  },
  reserveStock: {
    entry: 'functions/handlers/fulfilment/reserve-stock.task.ts',
    environment: {
      ...commonEnvironment,
      RESERVATION_HOLD_MINUTES: '30',
      ...startsProcurement.environment,
    },
    grants: [{ table: 'main', access: 'readWrite' }, startsProcurement.grant],
  },
  releaseExpiredHolds: {
    entry: 'functions/handlers/fulfilment/release-expired-holds.schedule.ts',
    timeoutSeconds: 60,
    environment: { ...commonEnvironment, HOLD_SWEEP_LOOKBACK_HOURS: '24' },
    grants: [{ table: 'main', access: 'readWrite' }],
    schedule: { everyMinutes: 1 },
  },
  recordOrderStatus: {
    entry: 'functions/handlers/fulfilment/record-order-status.task.ts',
    environment: { ...commonEnvironment },
    grants: [{ table: 'main', access: 'readWrite' }, wakesDispatch],
  },
  requestProcurement: {
    entry: 'functions/handlers/fulfilment/request-procurement.task.ts',
    environment: { ...commonEnvironment, ...startsProcurement.environment },
    grants: [{ table: 'main', access: 'read' }, startsProcurement.grant],
  },
  createPurchaseOrder: {
    entry: 'functions/handlers/procurement/create-purchase-order.task.ts',
    environment: { ...commonEnvironment, SUPPLIER_RESPONSE_TIMEOUT_SECONDS: '86400' },
    grants: [{ table: 'main', access: 'readWrite' }],
  },
  settlePurchaseOrder: {
    entry: 'functions/handlers/procurement/settle-purchase-order.task.ts',
    environment: { ...commonEnvironment },
    grants: [{ table: 'main', access: 'readWrite' }],
  },
  allocateReceipt: {
    entry: 'functions/handlers/procurement/allocate-receipt.task.ts',
    environment: { ...commonEnvironment, RESERVATION_HOLD_MINUTES: '30' },
    grants: [
      { table: 'main', access: 'readWrite' },
      { workflow: 'fulfilment', access: 'callback' },
    ],
  },
  abandonBackorder: {
    entry: 'functions/handlers/procurement/abandon-backorder.task.ts',
    environment: { ...commonEnvironment },
    grants: [
      { table: 'main', access: 'readWrite' },
      { workflow: 'fulfilment', access: 'callback' },
    ],
  },
  listPurchaseOrders: {
    entry: 'functions/handlers/suppliers/list-purchase-orders.api.ts',
    environment: { ...commonEnvironment },
    grants: [{ table: 'main', access: 'read' }],
  },
  decidePurchaseOrder: {
    entry: 'functions/handlers/suppliers/decide-purchase-order.api.ts',
    environment: { ...commonEnvironment },
    grants: [
      { table: 'main', access: 'readWrite' },
      { workflow: 'procurement', access: 'callback' },
    ],
  },
  receiveGoods: {
    entry: 'functions/handlers/inventory/receive-goods.api.ts',
    environment: { ...commonEnvironment },
    grants: [
      { table: 'main', access: 'readWrite' },
      { workflow: 'procurement', access: 'callback' },
    ],
  },
  listDeadLetters: {
    entry: 'functions/handlers/ops/list-dead-letters.api.ts',
    ...operatesDeadLetters('inspectDeadLetters'),
  },
  redriveDeadLetters: {
    entry: 'functions/handlers/ops/redrive-dead-letters.api.ts',
    ...operatesDeadLetters('admin'),
  },
  managePrincipals: {
    entry: 'functions/handlers/ops/manage-principals.api.ts',
    environment: { ...commonEnvironment },
    grants: [{ table: 'main', access: 'readWrite' }],
  },
  listExecutions: {
    entry: 'functions/handlers/ops/list-executions.api.ts',
    ...operatesWorkflows,
  },
  opsReports: {
    entry: 'functions/handlers/ops/ops-reports.api.ts',
    environment: { ...commonEnvironment },
    grants: [{ table: 'main', access: 'read' }],
  },
  // The table's stream feeds it, like the channel events: the KPI counters stay out of the business
  // transactions. It is the stream's second reader, and AWS throttles more than two per shard
  // (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_GetRecords.html, LimitExceeded):
  // test/contracts/system.test.ts holds every table to two.
  countKpis: {
    entry: 'functions/handlers/ops/count-kpis.stream.ts',
    environment: { ...commonEnvironment },
    grants: [{ table: 'main', access: 'readWrite' }],
    streamTrigger: {
      table: 'main',
      batchSize: 100,
      maxRetryAttempts: 10,
      filters: [{ dynamodb: { NewImage: { entity: { S: ['order', 'shipment', 'return'] } } } }],
    },
  },
  getExecution: {
    entry: 'functions/handlers/ops/get-execution.api.ts',
    ...operatesWorkflows,
  },
  redriveExecution: {
    entry: 'functions/handlers/ops/redrive-execution.api.ts',
    ...operatesWorkflows,
  },
  ...dispatchFunctions,
  ...channelFunctions,
  ...returnsFunctions,
} as const satisfies Record<string, FunctionDefinition>;

/** The functions a workflow invokes (for least-privilege grants): those its substitutions name. */
export const invokedFunctions = (workflow: WorkflowDefinition): string[] =>
  Object.values(workflow.substitutions).flatMap((ref) => ('functionArn' in ref ? [ref.functionArn] : []));
