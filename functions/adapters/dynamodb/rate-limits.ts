import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../contracts/keys';
import { callAws } from '../errors';
import type { TableRef } from './client';
import { isConditionalCheckFailed } from './items';

export type RateDecision =
  | { readonly allowed: true; readonly remaining: number }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

/**
 * Fixed-window rate limit: one counter item per (subject, window), incremented only while below the limit
 * (a conditional update, so concurrent requests can never push it past). Windows expire through TTL, which
 * only garbage-collects: an expired-but-not-yet-deleted window is never read again.
 */
export async function takeRateToken(
  table: TableRef,
  subject: string,
  limit: { readonly perWindow: number; readonly windowSeconds: number },
  now: Date,
): Promise<RateDecision> {
  const windowMs = limit.windowSeconds * 1000;
  const windowStartMs = Math.floor(now.getTime() / windowMs) * windowMs;
  const windowEndMs = windowStartMs + windowMs;
  try {
    const { Attributes } = await callAws('takeRateToken', () =>
      table.document.send(
        new UpdateCommand({
          TableName: table.tableName,
          Key: keys.rateWindow(subject, new Date(windowStartMs).toISOString()),
          UpdateExpression: 'SET expiresAtEpoch = :expires, entity = :entity ADD #count :one',
          ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: {
            ':one': 1,
            ':limit': limit.perWindow,
            ':entity': 'rateWindow',
            // Kept a window longer than needed; TTL deletion is lazy anyway.
            ':expires': Math.ceil(windowEndMs / 1000) + limit.windowSeconds,
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      ),
    );
    return { allowed: true, remaining: limit.perWindow - Number(Attributes?.count ?? limit.perWindow) };
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil((windowEndMs - now.getTime()) / 1000)),
    };
  }
}
