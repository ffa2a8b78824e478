import * as z from 'zod';
import { type QueueKey, queues } from './system-model';

/** Operations and platform: executions, dead letters, health and problems. */
// ---------------------------------------------------------------------------------------------------- ops

export const executionStatuses = [
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'ABORTED',
  'PENDING_REDRIVE',
] as const;

export const listExecutionsQuerySchema = z.object({
  status: z.enum(executionStatuses).default('FAILED'),
  /**
   * `summary` leaves out what needs a call per execution (failed state, error, cause, input): counting a
   * thousand failures is then ten ListExecutions calls instead of two thousand reads.
   */
  view: z.enum(['full', 'summary']).default('full'),
  /** One workflow only (its name: fulfilment, procurement…); a page token is valid with the same filter only. */
  workflow: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, 'must be a workflow name')
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  nextToken: z.string().min(1).optional(),
});

export const executionSummarySchema = z.object({
  executionArn: z.string(),
  executionId: z.string(),
  workflow: z.string(),
  status: z.string(),
  startDate: z.iso.datetime(),
  stopDate: z.iso.datetime().optional(),
  failedState: z.string().optional(),
  error: z.string().optional(),
  cause: z.string().optional(),
  /** Absent in the `summary` view. */
  input: z.unknown().optional(),
});
export type ExecutionSummary = z.infer<typeof executionSummarySchema>;

export const executionListSchema = z.object({
  items: z.array(executionSummarySchema),
  nextToken: z.string().optional(),
});

/** The names this system gives executions: order ids (`<channelId>.<orderId>`) and ids derived from them. */
export const executionIdParamsSchema = z.object({
  executionId: z.string().regex(/^[A-Za-z0-9._-]{1,80}$/, 'must be an execution name'),
});

/** `workflow` picks the workflow when two share an execution name; `page` walks the history, 100 events a page. */
export const executionDetailQuerySchema = z.object({
  workflow: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, 'must be a workflow name')
    .optional(),
  page: z.coerce.number().int().min(1).max(1000).default(1),
});

export const stateRunSchema = z.object({
  name: z.string(),
  status: z.enum(['SUCCEEDED', 'FAILED', 'IN_PROGRESS', 'WAITING', 'NOT_REACHED']),
  entries: z.number().int(),
  failedAttempts: z.number().int(),
  enteredAt: z.string().optional(),
  exitedAt: z.string().optional(),
  input: z.string().optional(),
  output: z.string().optional(),
  error: z.string().optional(),
  cause: z.string().optional(),
});

export const historyEventSchema = z.object({
  id: z.number().int(),
  type: z.string(),
  timestamp: z.iso.datetime(),
  previousEventId: z.number().int().optional(),
  /** The event's `…EventDetails` member, as Step Functions gives it. */
  details: z.record(z.string(), z.unknown()).optional(),
});

export const executionDetailSchema = z.object({
  execution: executionSummarySchema.extend({ output: z.unknown().optional() }),
  /** The workflow's ASL: the console lays its graph out from it. */
  definition: z.record(z.string(), z.unknown()),
  /** Each top-level state of the definition, coloured by the whole history. */
  states: z.array(stateRunSchema),
  events: z.array(historyEventSchema),
  page: z.number().int(),
  pages: z.number().int(),
  totalEvents: z.number().int(),
});

export const redriveResponseSchema = z.object({ executionArn: z.string(), status: z.literal('RUNNING') });

/** The queues whose dead letters operations can inspect and redrive (each has a `<name>-dlq`). */
/** Every queue of the definition has a DLQ the dead-letter ops list and redrive. */
export const deadLetterSourceSchema = z.enum(Object.keys(queues) as [QueueKey, ...QueueKey[]]);
export const deadLetterSchema = z.object({
  queue: deadLetterSourceSchema,
  messageId: z.string(),
  /** As received: a dead letter is often a body the consumer could not parse. */
  body: z.string(),
  /** Deliveries so far, including the failed ones on the source queue. */
  receiveCount: z.number().int().nonnegative(),
  sentAt: z.iso.datetime().optional(),
});
export const deadLetterListSchema = z.object({
  items: z.array(deadLetterSchema),
  queues: z.array(
    z.object({
      queue: deadLetterSourceSchema,
      /** ApproximateNumberOfMessages (visible) when the listing started. */
      approximateMessages: z.number().int(),
      /** Distinct messages listed in `items` for this queue. */
      listed: z.number().int().nonnegative(),
      /** False when the listing stopped before seeing every announced message (or hit the per-queue limit). */
      complete: z.boolean(),
    }),
  ),
});
export const redriveDeadLettersBodySchema = z
  .object({ queue: deadLetterSourceSchema.optional() })
  .strict()
  .optional();
export const redriveDeadLettersResponseSchema = z.object({
  items: z.array(
    z.object({
      queue: deadLetterSourceSchema,
      taskHandle: z.string(),
      approximateMessagesToMove: z.number().int().nonnegative(),
    }),
  ),
});

// ------------------------------------------------------------------------------------------------ platform

export const healthResponseSchema = z.object({ status: z.literal('ok') });

/** RFC 9457 problem details, with `code` and, for validation failures, `errors[]` naming each bad field. */
export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string(),
  instance: z.string().optional(),
  errors: z.array(z.object({ pointer: z.string(), field: z.string(), message: z.string() })).optional(),
});
export type Problem = z.infer<typeof problemSchema>;
