/**
 * Error names shared with the workflows (ASL `Retry`/`Catch` match on them) and the problem `code`s clients
 * rely on. Kept in contracts so runtime code, ASL files and tests cannot disagree on a spelling.
 */

/** Throttling, 5xx or network trouble talking to an AWS service: the ASL retries exactly this name. */
export const transientErrorName = 'TransientError';

/** A workflow asked for an order status change the order's state machine does not allow (not retried). */
export const invalidStatusTransitionErrorName = 'InvalidStatusTransition';

/** The order a workflow task names does not exist (not retried: redriving cannot fix it). */
export const orderNotFoundErrorName = 'OrderNotFound';

/** The shipment a dispatch task names does not exist (not retried: redriving cannot fix it). */
export const shipmentNotFoundErrorName = 'ShipmentNotFound';

/** A returns task was given a return that does not exist: a bug, not worth retrying. */
export const returnNotFoundErrorName = 'Return.NotFound';

/** No supplier can deliver a backorder: fulfilment catches it and rejects the order (a business outcome). */
export const backorderCannotBeProcuredErrorName = 'Backorder.CannotBeProcured';

/**
 * Procurement must resume a fulfilment execution that has not parked its task token yet (it is between
 * ReserveStock and AwaitBackorderAllocation): the ASL retries this until the token is there.
 */
export const backorderNotParkedErrorName = 'Backorder.NotYetParked';

/** The order was cancelled while its fulfilment waited for a backorder: fulfilment ends as Cancelled. */
export const orderCancelledErrorName = 'Order.Cancelled';

export const problemCodes = {
  validation: 'REQUEST.VALIDATION_FAILED',
  malformedJson: 'REQUEST.MALFORMED_JSON',
  unsupportedMediaType: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
  missingIdempotencyKey: 'REQUEST.IDEMPOTENCY_KEY_REQUIRED',
  unauthenticated: 'AUTH.API_KEY_REQUIRED',
  unknownApiKey: 'AUTH.API_KEY_UNKNOWN',
  forbiddenRole: 'AUTH.ROLE_NOT_ALLOWED',
  forbiddenScope: 'AUTH.SCOPE_NOT_ALLOWED',
  locationNotFound: 'INVENTORY.LOCATION_NOT_FOUND',
  onHandBelowReserved: 'INVENTORY.ON_HAND_BELOW_RESERVED',
  stockNotFound: 'INVENTORY.STOCK_NOT_FOUND',
  orderNotFound: 'ORDERS.NOT_FOUND',
  orderAlreadyExists: 'ORDERS.ALREADY_EXISTS',
  orderNotCancellable: 'ORDERS.CANNOT_BE_CANCELLED',
  returnWindowClosed: 'RETURNS.WINDOW_CLOSED',
  returnNotReturnable: 'RETURNS.NOT_RETURNABLE',
  returnQtyExceedsDelivered: 'RETURNS.QTY_EXCEEDS_DELIVERED',
  returnNothingDelivered: 'RETURNS.NOTHING_DELIVERED',
  returnNotFound: 'RETURNS.NOT_FOUND',
  returnStoreNotAccepting: 'RETURNS.STORE_NOT_ACCEPTING',
  returnState: 'RETURNS.INVALID_STATE',
  receiptMismatch: 'RETURNS.RECEIPT_MISMATCH',
  exchangeUnpriced: 'RETURNS.EXCHANGE_NOT_PRICED',
  tooManyReturns: 'RETURNS.TOO_MANY_RETURNS',
  damagedBelowWriteOff: 'INVENTORY.DAMAGED_BELOW_WRITE_OFF',
  idempotencyKeyReused: 'ORDERS.IDEMPOTENCY_KEY_REUSED',
  shipmentNotFound: 'SHIPMENTS.NOT_FOUND',
  shipmentState: 'SHIPMENTS.INVALID_STATE',
  pickMismatch: 'SHIPMENTS.PICK_MISMATCH',
  wrongPickupCode: 'SHIPMENTS.WRONG_PICKUP_CODE',
  carrierNotFound: 'CARRIERS.NOT_FOUND',
  badSignature: 'WEBHOOKS.SIGNATURE_INVALID',
  notBooked: 'WEBHOOKS.SHIPMENT_NOT_BOOKED',
  proofRequired: 'WEBHOOKS.PROOF_REQUIRED',
  pickupLocked: 'SHIPMENTS.PICKUP_LOCKED',
  purchaseOrderNotFound: 'PROCUREMENT.PURCHASE_ORDER_NOT_FOUND',
  purchaseOrderState: 'PROCUREMENT.PURCHASE_ORDER_STATE',
  purchaseOrderLines: 'PROCUREMENT.LINES_NOT_ON_PURCHASE_ORDER',
  executionNotFound: 'OPS.EXECUTION_NOT_FOUND',
  principalNotFound: 'OPS.PRINCIPAL_NOT_FOUND',
  principalRevoked: 'OPS.PRINCIPAL_REVOKED',
  principalChanged: 'OPS.PRINCIPAL_CHANGED',
  unknownScope: 'OPS.UNKNOWN_SCOPE',
  executionNotRedrivable: 'OPS.EXECUTION_NOT_REDRIVABLE',
  deadLetterMoveRunning: 'OPS.DEAD_LETTER_MOVE_RUNNING',
  rateLimited: 'REQUEST.RATE_LIMITED',
  internal: 'INTERNAL',
} as const;

export type ProblemCode = (typeof problemCodes)[keyof typeof problemCodes];

/*
 * The error classes that cross layers (thrown by adapters and use cases, named in the ASL, mapped by the
 * task and HTTP presets) live here with their names, so every layer imports them from one place.
 */

/** Throttling, 5xx or network trouble: the workflows retry exactly this name (see the ASL `Retry`). */
export class TransientError extends Error {
  override readonly name = transientErrorName;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A workflow task error that retrying cannot fix: the execution fails at its step, for operations to look at. */
export class WorkflowTaskError extends Error {
  constructor(
    override readonly name:
      | typeof invalidStatusTransitionErrorName
      | typeof orderNotFoundErrorName
      | typeof shipmentNotFoundErrorName
      | typeof returnNotFoundErrorName,
    message: string,
  ) {
    super(message);
  }
}

/** The fulfilment execution to resume has not parked its token yet; the ASL retries this error name. */
export class BackorderNotParkedError extends Error {
  override readonly name = backorderNotParkedErrorName;
}
