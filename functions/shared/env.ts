import { z } from 'zod';

/**
 * The only reader of `process.env`. Each handler declares, at module top level, the variables it needs; they
 * are validated once at cold start so a misconfigured function fails on its first invocation with a message
 * naming every bad variable, instead of deep inside a request.
 */
export const commonEnvironment = {
  TABLE_NAME: z.string().min(1),
  POWERTOOLS_SERVICE_NAME: z.string().min(1),
  LOG_LEVEL: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT', 'CRITICAL']).default('INFO'),
} as const;

export const stateMachineArnSchema = z
  .string()
  .regex(/^arn:aws[a-z-]*:states:[^:]+:\d{12}:stateMachine:[^:]+$/);
export const queueUrlSchema = z.url();

export class EnvironmentError extends Error {
  override readonly name = 'EnvironmentError';
}

export function loadEnvironment<Shape extends z.ZodRawShape>(
  shape: Shape,
  source: Readonly<Record<string, string | undefined>> = process.env,
): z.infer<z.ZodObject<Shape>> {
  const parsed = z.object(shape).safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new EnvironmentError(`Invalid function environment: ${problems}`);
  }
  return parsed.data;
}

/** Reservation hold duration for the reserve task. */
export const reservationEnvironment = {
  ...commonEnvironment,
  RESERVATION_HOLD_MINUTES: z.coerce.number().int().positive(),
} as const;

/** Functions that start replenishment when stock falls below a reorder point (see app/replenishment.ts). */
export const replenishmentTriggerEnvironment = {
  PROCUREMENT_STATE_MACHINE_ARN: stateMachineArnSchema,
} as const;

/** The reservation-expiry sweeper: how many hourly index buckets back it looks. */
export const holdSweeperEnvironment = {
  ...commonEnvironment,
  HOLD_SWEEP_LOOKBACK_HOURS: z.coerce.number().int().min(1).max(168),
} as const;

/** Supplier feed: accepted feeds per supplier per minute before answering 429. */
export const supplierFeedEnvironment = {
  ...commonEnvironment,
  SUPPLIER_STOCK_QUEUE_URL: queueUrlSchema,
  SUPPLIER_FEED_RATE_PER_MINUTE: z.coerce.number().int().positive(),
} as const;

/** How long a supplier has to confirm or reject a purchase order before the next supplier is asked. */
export const procurementEnvironment = {
  ...commonEnvironment,
  SUPPLIER_RESPONSE_TIMEOUT_SECONDS: z.coerce.number().int().positive(),
} as const;

/** Operations on dead letters: each source queue's dead-letter queue URL. */
export const deadLetterEnvironment = {
  ...commonEnvironment,
  SUPPLIER_STOCK_DLQ_URL: queueUrlSchema,
} as const;

/** Source queue → its dead-letter queue's URL (the keys are the queues operations may redrive). */
export const deadLetterQueueUrls = (environment: z.infer<z.ZodObject<typeof deadLetterEnvironment>>) =>
  ({ supplierStockFeed: environment.SUPPLIER_STOCK_DLQ_URL }) as const;

/** The ops API over executions: every workflow it lists and redrives. */
export const operatedWorkflowsEnvironment = {
  ...commonEnvironment,
  FULFILMENT_STATE_MACHINE_ARN: stateMachineArnSchema,
  PROCUREMENT_STATE_MACHINE_ARN: stateMachineArnSchema,
} as const;

export const operatedStateMachineArns = (
  environment: z.infer<z.ZodObject<typeof operatedWorkflowsEnvironment>>,
): string[] => [environment.FULFILMENT_STATE_MACHINE_ARN, environment.PROCUREMENT_STATE_MACHINE_ARN];
