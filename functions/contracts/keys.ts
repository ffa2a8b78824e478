/**
 * Single-table keys (pk/sk, gsi1pk/gsi1sk) in one place: the ASL addresses the order item directly
 * (`ORDER#<orderId>` / `ORDER`), so these spellings are part of the contract, not an adapter detail.
 */
/** The index partition of holds expiring in the hour of `at` (an ISO timestamp). */
const heldHoldBucket = (at: string) => `HELD#${at.slice(0, 13)}`;

export const keys = {
  principal: (apiKeyHash: string) => ({ pk: `APIKEY#${apiKeyHash}`, sk: 'PRINCIPAL' }),
  /** Who a principal is and which key hashes it holds: listed, revoked and rotated by operations. */
  principalRecord: (principalId: string) => ({ pk: `PRINCIPAL#${principalId}`, sk: 'PRINCIPAL' }),
  /** Every principal, listable through gsi1 (hundreds at most: one index partition). */
  principalIndex: (principalId: string) => ({ gsi1pk: 'PRINCIPALS', gsi1sk: principalId }),
  location: (locationId: string) => ({ pk: `LOCATION#${locationId}`, sk: 'LOCATION' }),
  /** All locations, listable through gsi1. */
  locationIndex: (locationId: string) => ({ gsi1pk: 'LOCATIONS', gsi1sk: locationId }),
  skuPartition: (sku: string) => `SKU#${sku}`,
  stock: (sku: string, locationId: string) => ({ pk: `SKU#${sku}`, sk: `STOCK#${locationId}` }),
  /** Stock of one location, listable through gsi1 (pick lists, cycle counts). */
  stockByLocation: (sku: string, locationId: string) => ({
    gsi1pk: `LOCATION#${locationId}`,
    gsi1sk: `STOCK#${sku}`,
  }),
  stockPrefix: 'STOCK#',
  /**
   * A stock shard of a hot SKU (functions/core/stock-shards.ts), in a partition of its own: DynamoDB's
   * throughput limits apply per partition (about 1,000 write units/s), so shards that shared the head's
   * partition key would share its ceiling too (bench/reservations.ts models both limits). The head's
   * `shardSlots` says how many shard keys to read back (stock.ts). SKU and location ids hold no `#`.
   */
  stockShard: (sku: string, locationId: string, shard: number) => ({
    pk: `STOCK_SHARD#${sku}#${locationId}#${shard}`,
    sk: `STOCK#${locationId}#SHARD#${shard}`,
  }),
  /** Every (SKU, location) with shard items, for the rebalancer: one small partition instead of a scan. */
  shardedStockPartition: 'SHARDED_STOCK',
  shardedStock: (sku: string, locationId: string) => ({ pk: 'SHARDED_STOCK', sk: `${sku}#${locationId}` }),
  supplierStock: (sku: string, supplierId: string) => ({ pk: `SKU#${sku}`, sk: `SUPPLIER#${supplierId}` }),
  supplierStockPrefix: 'SUPPLIER#',
  /**
   * The replenishment slot of a SKU at a location, in the SKU partition (read with the stock, no extra
   * request): its status and `seq` make "at most one OPEN at a time" a conditional write.
   */
  replenishment: (sku: string, locationId: string) => ({
    pk: `SKU#${sku}`,
    sk: `REPLENISHMENT#${locationId}`,
  }),
  replenishmentPrefix: 'REPLENISHMENT#',
  /**
   * Audit trail of a (sku, location)'s replenishments, in its own partition: the slot item is reused by
   * every replenishment, and the SKU partition is read by every reservation, so neither may grow with it.
   */
  replenishmentEvent: (sku: string, locationId: string, at: string, step: string, event: string) => ({
    pk: `REPLENISHMENT#${locationId}#${sku}`,
    sk: `EVENT#${at}#${step}#${event}`,
  }),
  replenishmentEventPartition: (sku: string, locationId: string) => `REPLENISHMENT#${locationId}#${sku}`,
  /** The audit trail of a (sku, location)'s damaged write-offs, in its own partition (never read with stock). */
  damagedWriteOff: (sku: string, locationId: string, idempotencyKey: string) => ({
    pk: `DAMAGED#${locationId}#${sku}`,
    sk: `WRITEOFF#${idempotencyKey}`,
  }),
  orderPartition: (orderId: string) => `ORDER#${orderId}`,
  /**
   * The orders accepted on a UTC day, by creation time, through gsi2 (keys only; set once, at acceptance). One
   * partition per day: an index partition takes about 1,000 writes a second, far above this system's orders.
   */
  ordersOfDay: (createdAt: string, orderId: string) => ({
    gsi2pk: `ORDERS#${createdAt.slice(0, 10)}`,
    gsi2sk: `${createdAt}#${orderId}`,
  }),
  /** A customer's orders, by creation time, through gsi1 (set once, when the order is accepted). */
  ordersOfCustomer: (customerId: string, createdAt: string, orderId: string) => ({
    gsi1pk: `CUSTOMER#${customerId}`,
    gsi1sk: `${createdAt}#${orderId}`,
  }),
  order: (orderId: string) => ({ pk: `ORDER#${orderId}`, sk: 'ORDER' }),
  /**
   * A hold of an order's units of a SKU at a location, per sourcing round: round 0 is the order's first, a
   * re-route's round n holds apart (`#r<n>`), so units it finds where an earlier round picked or released
   * some get a hold of their own.
   */
  hold: (orderId: string, sku: string, locationId: string, round = 0) => ({
    pk: `ORDER#${orderId}`,
    sk: `HOLD#${sku}#${locationId}${round > 0 ? `#r${round}` : ''}`,
  }),
  holdPrefix: 'HOLD#',
  /**
   * Sparse index of HELD holds only (the attributes are removed on release or commit), bucketed by the hour
   * of expiry so the sweeper reads a few small partitions instead of scanning, and hold writes spread out.
   */
  heldHoldIndex: (expiresAt: string, orderId: string, sku: string, locationId: string) => ({
    gsi1pk: heldHoldBucket(expiresAt),
    gsi1sk: `${expiresAt}#${orderId}#${sku}#${locationId}`,
  }),
  heldHoldBucket,
  timelineEntry: (orderId: string, at: string, step: string) => ({
    pk: `ORDER#${orderId}`,
    sk: `TIMELINE#${at}#${step}`,
  }),
  timelinePrefix: 'TIMELINE#',
  /** A fixed-window request counter (e.g. per supplier per minute); TTL garbage-collects old windows. */
  rateWindow: (subject: string, windowStart: string) => ({
    pk: `RATE#${subject}`,
    sk: `WINDOW#${windowStart}`,
  }),
  /** A purchase order; the ASL parks supplier and receipt task tokens on it. */
  purchaseOrder: (poId: string) => ({ pk: `PO#${poId}`, sk: 'PO' }),
  /** Purchase orders of one supplier, newest last, listable through gsi1. */
  purchaseOrderBySupplier: (supplierId: string, createdAt: string, poId: string) => ({
    gsi1pk: `SUPPLIER#${supplierId}#PO`,
    gsi1sk: `${createdAt}#${poId}`,
  }),
  supplierPurchaseOrders: (supplierId: string) => `SUPPLIER#${supplierId}#PO`,
  /** Which purchase orders were sent for an order (in its partition): cancellation finds them here. */
  orderPurchaseOrder: (orderId: string, poId: string) => ({ pk: `ORDER#${orderId}`, sk: `PO#${poId}` }),
  orderPurchaseOrderPrefix: 'PO#',
  /** A shipment, in its order's partition (a shipment id names its order: contracts/shipments.ts). */
  shipment: (orderId: string, shipmentId: string) => ({
    pk: `ORDER#${orderId}`,
    sk: `SHIPMENT#${shipmentId}`,
  }),
  shipmentPrefix: 'SHIPMENT#',
  /** A carrier (contracts/carriers.ts), listed through gsi1 by id. */
  carrier: (carrierId: string) => ({ pk: `CARRIER#${carrierId}`, sk: 'CARRIER' }),
  carrierIndex: (carrierId: string) => ({ gsi1pk: 'CARRIERS', gsi1sk: carrierId }),
  carriersPartition: 'CARRIERS',
  /** One of a carrier's webhook signing secrets, by when it was issued (several verify during a rotation). */
  carrierSecret: (carrierId: string, issuedAt: string) => ({
    pk: `CARRIER#${carrierId}`,
    sk: `SECRET#${issuedAt}`,
  }),
  carrierSecretPrefix: 'SECRET#',
  /**
   * A carrier's delivery counters for one day (UTC, of the delivery), in one of a few shards so the events of
   * many shipments at once do not all contend for one item: on-time rate over any window of days.
   */
  carrierPerformanceDay: (carrierId: string, day: string, shard: number) => ({
    pk: `CARRIER#${carrierId}`,
    sk: `PERFORMANCE#${day}#${String(shard).padStart(2, '0')}`,
  }),
  carrierPerformancePrefix: 'PERFORMANCE#',
  /**
   * The returns KPI counters of a day (units delivered and asked back, per SKU and reason), in shards: one
   * partition, so a period is one range query.
   */
  /** A fact the returns KPI counted (a delivery, a return request): counting it again is a no-op. */
  kpiMark: (subject: string) => ({ pk: `KPIMARK#${subject}`, sk: 'COUNTED' }),
  /** A day's shard of a KPI's counters (returns, orders), in the KPI's one partition. */
  kpiDay: (kpi: 'RETURNS' | 'ORDERS', day: string, shard: number) => ({
    pk: `KPI#${kpi}`,
    sk: `${day}#${String(shard).padStart(2, '0')}`,
  }),
  /** An order's n-th return, in the order's partition (so a return request is conditioned on the order). */
  orderReturn: (orderId: string, number: number) => ({
    pk: `ORDER#${orderId}`,
    sk: `RETURN#${String(number).padStart(2, '0')}`,
  }),
  orderReturnPrefix: 'RETURN#',
  /** A return listed for ops by its status, latest change last, through gsi2 (every return is in one). */
  returnsByStatus: (status: string, at: string, returnId: string) => ({
    gsi2pk: `RETURNS#${status}`,
    gsi2sk: `${at}#${returnId}`,
  }),
  returnsByStatusPartition: (status: string) => `RETURNS#${status}`,
  /** A return whose refund the channel reported failed, for ops to retry, through gsi1 (sparse). */
  returnAttention: (since: string, returnId: string) => ({
    gsi1pk: 'ATTENTION#RETURNS',
    gsi1sk: `${since}#${returnId}`,
  }),
  returnAttentionPartition: 'ATTENTION#RETURNS',
  /** A SKU's catalogue policy (returnable, return window), apart from its stock items. */
  skuPolicy: (sku: string) => ({ pk: `CATALOGUE#${sku}`, sk: 'POLICY' }),
  /** A sales channel's webhook for order events (its URL and signing secret). */
  channelWebhook: (channelId: string) => ({ pk: `CHANNEL#${channelId}`, sk: 'WEBHOOK' }),
  /**
   * One event of an order for its channel, in the order's event log (its own partition, so order reads never
   * pay for it): by when it happened, so the log reads in order of occurrence.
   */
  channelEvent: (orderId: string, occurredAt: string, eventId: string) => ({
    pk: `EVENTS#${orderId}`,
    sk: `${occurredAt}#${eventId}`,
  }),
  channelEventLog: (orderId: string) => `EVENTS#${orderId}`,
  /** A key the system generated for itself (the pickup-code key), created once on first use. */
  systemSecret: (name: string) => ({ pk: `SECRET#${name}`, sk: 'SECRET' }),
  /** A shipment's open staff task at a location, oldest due first, through gsi1 (sparse: only while open). */
  locationTask: (locationId: string, dueBy: string, shipmentId: string) => ({
    gsi1pk: `TASKS#${locationId}`,
    gsi1sk: `${dueBy}#${shipmentId}`,
  }),
  locationTasksPartition: (locationId: string) => `TASKS#${locationId}`,
  /**
   * A packed shipment no carrier took, for ops, through gsi1 (sparse; a packed shipment has no staff task
   * there): one partition, oldest first. It leaves the index when rebooked or moved on.
   */
  shipmentAttention: (since: string, shipmentId: string) => ({
    gsi1pk: 'ATTENTION#SHIPMENTS',
    gsi1sk: `${since}#${shipmentId}`,
  }),
  shipmentAttentionPartition: 'ATTENTION#SHIPMENTS',
  /**
   * A shipment whose promise is still pending, through gsi2 (sparse): one partition per status, by promisedBy,
   * so "late" is a range query (promisedBy before now) and never a scan.
   */
  pendingPromise: (status: string, promisedBy: string, shipmentId: string) => ({
    gsi2pk: `PROMISES#${status}`,
    gsi2sk: `${promisedBy}#${shipmentId}`,
  }),
  pendingPromisesPartition: (status: string) => `PROMISES#${status}`,
  /** A backorder: the missing units of one SKU of one order, in the order's partition. */
  backorder: (orderId: string, sku: string) => ({ pk: `ORDER#${orderId}`, sk: `BACKORDER#${sku}` }),
  backorderPrefix: 'BACKORDER#',
  /** Backorders waiting for a SKU, oldest first (FIFO allocation of received goods), through gsi1. */
  backorderQueue: (sku: string, createdAt: string, orderId: string) => ({
    gsi1pk: `BACKORDERS#${sku}`,
    gsi1sk: `${createdAt}#${orderId}`,
  }),
  backorderQueuePartition: (sku: string) => `BACKORDERS#${sku}`,
  /** A goods receipt with a client-chosen id: posting it again is a replay. */
  receipt: (poId: string, receiptId: string) => ({ pk: `PO#${poId}`, sk: `RECEIPT#${receiptId}` }),
  idempotency: (principalId: string, idempotencyKey: string) => ({
    pk: `IDEMPOTENCY#${principalId}#${idempotencyKey}`,
    sk: 'IDEMPOTENCY',
  }),
} as const;

/**
 * Standard Webhooks signing secrets start `whsec_`. A secret signs webhooks and an API key identifies a
 * principal: neither may stand in for the other, so no principal is ever stored or found by a secret.
 */
export const isSigningSecret = (value: string): boolean => value.startsWith('whsec_');
