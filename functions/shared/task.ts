import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type * as z from 'zod';
import { logger } from './observability';

/** Step Functions passed a payload the task does not understand: a bug in the ASL, not worth retrying. */
export class InvalidTaskInputError extends Error {
  override readonly name = 'InvalidTaskInput';
}

/**
 * The preset for workflow task handlers: Powertools logging (correlation id = the order), payload validation,
 * and errors thrown with their own `name`, which is what the ASL `Retry`/`Catch` match on.
 */
export function taskHandler<S extends z.ZodType, R>(
  schema: S,
  handle: (input: z.infer<S>, context: Context) => Promise<R>,
) {
  return middy<unknown, R>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, context) => {
      const parsed = schema.safeParse(event);
      if (!parsed.success) {
        throw new InvalidTaskInputError(
          `invalid task input: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
        );
      }
      const input = parsed.data as z.infer<S>;
      const correlationId = correlationIdOf(input);
      if (correlationId) logger.setCorrelationId(correlationId);
      try {
        return await handle(input, context);
      } catch (error) {
        logger.error('task failed', error as Error);
        throw error;
      }
    });
}

/** The order a task works for, or the (location, sku) of a replenishment: what to search the logs by. */
function correlationIdOf(input: unknown): string | undefined {
  if (!input || typeof input !== 'object') return undefined;
  const { orderId, demand } = input as { orderId?: unknown; demand?: Record<string, unknown> };
  if (orderId !== undefined) return String(orderId);
  if (demand?.kind === 'backorder') return String(demand.orderId);
  if (demand?.kind === 'replenishment') return `replenishment:${demand.locationId}:${demand.sku}`;
  return undefined;
}
