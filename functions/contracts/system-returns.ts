/**
 * The returns part of the system definition (system.ts spreads it in): the returns workflow, one execution
 * per return, and the functions behind its steps and its routes (docs/returns.md).
 */
import { commonEnvironment, type FunctionDefinition, type WorkflowDefinition } from './system-model';

export const returnsWorkflows = {
  returns: {
    definitionFile: 'workflows/returns/returns.asl.json',
    substitutions: {
      ReturnStepFunctionArn: { functionArn: 'returnStep' },
      ReturnPickupFunctionArn: { functionArn: 'returnPickup' },
      TableName: { tableName: 'main' },
    },
    tables: ['main'],
  },
} as const satisfies Record<string, WorkflowDefinition>;

/** A function that wakes returns executions waiting on a return (receipt, the refund answer, its retry). */
const wakesReturns = { workflow: 'returns', access: 'callback' } as const;

export const returnsFunctions = {
  requestReturn: {
    entry: 'functions/handlers/returns/request-return.api.ts',
    environment: {
      ...commonEnvironment,
      RETURNS_STATE_MACHINE_ARN: { stateMachineArn: 'returns' },
      // 14 days (contracts/returns.ts dropOffDays); a literal, so the handler reads it as a number.
      RETURN_DROP_OFF_SECONDS: '1209600',
    },
    grants: [
      { table: 'main', access: 'readWrite' },
      { workflow: 'returns', access: 'start' },
    ],
  },
  getReturn: {
    entry: 'functions/handlers/returns/get-return.api.ts',
    environment: { ...commonEnvironment },
    grants: [{ table: 'main', access: 'read' }],
  },
  receiveReturn: {
    entry: 'functions/handlers/returns/receive-return.api.ts',
    environment: { ...commonEnvironment },
    grants: [{ table: 'main', access: 'readWrite' }, wakesReturns],
  },
  answerRefund: {
    entry: 'functions/handlers/returns/answer-refund.api.ts',
    environment: { ...commonEnvironment },
    grants: [{ table: 'main', access: 'readWrite' }, wakesReturns],
  },
  returnStep: {
    entry: 'functions/handlers/returns/return-step.task.ts',
    timeoutSeconds: 60,
    environment: {
      ...commonEnvironment,
      RESERVATION_HOLD_MINUTES: '30',
      FULFILMENT_STATE_MACHINE_ARN: { stateMachineArn: 'fulfilment' },
    },
    grants: [
      { table: 'main', access: 'readWrite' },
      { workflow: 'fulfilment', access: 'callback' },
      { workflow: 'fulfilment', access: 'start' },
    ],
  },
  // Apart from returnStep: the carrier client is only needed here, and each Lambda loads only its own code.
  returnPickup: {
    entry: 'functions/handlers/returns/return-pickup.task.ts',
    // Every eligible carrier may take the whole per-call timeout: the function outlasts a few of them.
    timeoutSeconds: 60,
    // As BookCarrier's (system-dispatch.ts defaultCarrierTimeoutMs): each carrier call's timeout.
    environment: { ...commonEnvironment, CARRIER_TIMEOUT_MS: '3000' },
    grants: [{ table: 'main', access: 'readWrite' }],
  },
  writeOffDamaged: {
    entry: 'functions/handlers/returns/write-off-damaged.api.ts',
    environment: { ...commonEnvironment },
    grants: [{ table: 'main', access: 'readWrite' }],
  },
} as const satisfies Record<string, FunctionDefinition>;
