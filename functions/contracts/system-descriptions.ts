import type { FunctionKey } from './system';

/**
 * What each function of the system definition does, in words: its Lambda's description in the CDK app.
 * Apart from the definition itself because every handler loads the definition (for its environment) at cold
 * start, and none needs every other function's prose (test/infra/bundle-size.test.ts). Every function must
 * have one: the type says so.
 */
export const functionDescriptions: Readonly<Record<FunctionKey, string>> = {
  authorizer: 'HTTP API Lambda authorizer: resolves x-api-key to a principal (role and scope)',
  health: 'Liveness probe and OpenAPI document',
  putLocation: 'Creates or updates a warehouse, store or dark store',
  putSkuPolicy: "Sets a SKU's return policy (returnable, return window)",
  putStock:
    'Sets on-hand, safety stock and reorder settings of a SKU at a location (cycle count); starts replenishment when low',
  putStockShards:
    'Switches a hot SKU at a location to N stock shards (or back to one), moving units conditionally',
  rebalanceStockShards:
    'Evens out the stock shards of hot SKUs and folds retired shards back (units conserved)',
  reconcileReplenishment:
    'Re-checks every stocked position against its reorder point and starts replenishments a failed trigger missed',
  getInventory: 'Per-location and total stock of a SKU, with supplier availability',
  createOrder: 'Accepts an order idempotently and starts its fulfilment workflow',
  getOrder: "An order (status, lines, allocations, timeline), and the ops search of a customer's orders",
  cancelOrder:
    'Cancels an order: releases holds, withdraws backorders, cancels unconfirmed POs, ends the waiting workflows',
  postSupplierStock: 'Queues a supplier stock feed for ingestion',
  ingestSupplierStock: 'Applies supplier stock feeds; older or duplicate feedSeq never overwrites newer',
  createShipments:
    "Turns a reserved order's held units into its shipments and the order to PICKING, and starts each shipment's dispatch (idempotent)",
  reserveStock:
    'Sources an order and reserves its stock with conditional writes (idempotent per order); starts replenishment where stock fell below its reorder point',
  releaseExpiredHolds:
    'Releases expired HELD reservations (explicitly, not by TTL) and backorders their orders',
  recordOrderStatus:
    "Moves an order to a new status and appends the timeline entry (idempotent per step); a rejection stops the order's dispatch, or gives up only a re-route's shortfall",
  requestProcurement: 'Starts the procurement execution for a shortfall (idempotent per order version)',
  createPurchaseOrder:
    'Sends a purchase order for a backorder or a replenishment to the best untried supplier (idempotent per attempt)',
  settlePurchaseOrder: 'Expires an unanswered purchase order, or reports the decision made meanwhile',
  allocateReceipt:
    'Allocates received goods FIFO to waiting backorders, resumes their fulfilment, closes a received replenishment',
  abandonBackorder:
    'No supplier left: withdraws the backorders and fails the waiting fulfilment task, or abandons the replenishment',
  listPurchaseOrders: "A supplier's purchase orders",
  decidePurchaseOrder: 'Supplier confirms or rejects a purchase order; wakes the procurement workflow',
  receiveGoods: 'Books goods received against a purchase order; wakes the procurement workflow',
  listDeadLetters: "Messages in each queue's dead-letter queue (peeked: they stay there)",
  redriveDeadLetters:
    'Moves dead letters back to their source queue (an SQS message move task) to be processed again',
  managePrincipals: 'Issues, lists, rotates and revokes principals and their API keys (ops)',
  getExecution: "One execution's definition, state colours and paginated history, for the console's graph",
  listExecutions: 'Failed (or other) workflow executions with failed state, error, cause and input',
  redriveExecution: 'Redrives a failed workflow execution from the step that failed',
  carrierBooking:
    "Dispatch's carrier tasks: books a packed shipment with the best eligible carrier over its HTTP API (next on a decline or timeout), and cancels a cancelled shipment's booking",
  receiveCarrierEvent:
    "A carrier's signed tracking webhook (Standard Webhooks): verified against its secrets, applied to the shipment once",
  manageCarriers:
    'Ops: carriers (create, update, list) and their webhook signing secrets (shown once, rotated)',
  listShipments:
    'Ops: shipments whose promise is pending, by status, or only the late ones (sparse index, no scan)',
  reportLateShipments: 'Counts shipments past their promise and publishes the LateShipments metric (alarmed)',
  listLocationTasks: "A location's open staff tasks",
  recordShipmentStep:
    'Staff steps of a shipment (picked, rejected, packed, handed over, transfer received, collected); wakes its dispatch workflow',
  settleShipmentStep:
    "A dispatch wait timed out or could not park: applies a passed deadline (pick timeout, not collected) and answers the shipment's status",
  rerouteShipment:
    "Re-sources a rejected or short shipment's missing units elsewhere through a new fulfilment round (capped per order)",
  publishChannelEvents:
    "The table's stream (orders and shipments only): turns committed status changes into channel events in each order's event log, and requests their delivery",
  deliverChannelEvents:
    "Sends an order's pending events to its channel's webhook, signed (Standard Webhooks), in order; backs off exponentially on failure",
  manageChannelWebhooks:
    "Ops: a sales channel's webhook for order events and its signing secret (shown once)",
  requestReturn:
    'A customer asks to return delivered units (policy, window, earlier returns); starts its returns workflow',
  getReturn: 'A return as its channel, ops or the staff of its store see it',
  receiveReturn: "Staff record a return's goods, unit by unit; wakes its workflow",
  answerRefund: "A return's refund answered by its channel, or retried by ops; wakes its workflow",
  returnStep: "The returns workflow's steps: expiry, disposition, refund request, closing",
  returnPickup: "Books a courier return's pickup with the best eligible carrier over its HTTP API",
  countKpis:
    "The table's stream (orders, shipments and returns only): counts orders placed and reaching a status, deliveries, collections and return requests into the KPIs, each once",
  opsReports: 'Ops reports: returns by status, those whose refund failed, and the order and returns KPIs',
  writeOffDamaged: 'Writes off damaged units at a location, with a reason',
};
