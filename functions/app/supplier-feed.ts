import type * as z from 'zod';
import type { TableRef } from '../adapters/dynamodb/client';
import { applySupplierStock } from '../adapters/dynamodb/stock';
import { supplierStockEnvelopeSchema, supplierStockItemSchema } from '../contracts/schemas';
import { countMetric, logger } from '../shared/observability';

/** One queued feed as SQS delivered it. */
export interface QueuedFeed {
  readonly messageId: string;
  readonly body: string;
}

/** An item of a feed that was not applied, and why. */
export interface FailedFeedItem {
  readonly index: number;
  readonly sku?: string;
  readonly reason: string;
}

/** Some items of a feed were not applied (all the others were): the message must be reported failed. */
export class SupplierFeedItemsFailedError extends Error {
  override readonly name = 'SupplierFeedItemsFailed';
  constructor(
    readonly messageId: string,
    readonly failed: readonly FailedFeedItem[],
  ) {
    // The first few suffice here: each failed item has its own log line.
    const named = failed.slice(0, 5).map((item) => `#${item.index} ${item.sku ?? '?'} (${item.reason})`);
    super(`${failed.length} item(s) of message ${messageId} not applied: ${named.join('; ')}`);
  }
}

type Envelope = z.infer<typeof supplierStockEnvelopeSchema>;

/**
 * Applies a queued supplier feed item by item, each on its own: an item that cannot be applied (one queued
 * before the API refused such values, or one the table refuses) is logged with its index and reason and
 * counted (metric SupplierFeedItemsFailed), and every other item is applied all the same. The message is then
 * reported failed, so SQS redelivers it and, after maxReceiveCount, moves it to the DLQ, where operations see
 * it (GET /ops/dead-letters, the DLQ alarm) and can redrive it once the cause is fixed.
 *
 * Redelivery is harmless: an item is written only if its feed is newer than the stored one (`feedSeq`), so
 * the items a delivery applied are skipped by the next. A message that cannot be read at all (not JSON, no
 * supplier) throws as a whole.
 */
export async function ingestSupplierFeed(table: TableRef, feed: QueuedFeed): Promise<void> {
  const envelope = readEnvelope(feed);
  let applied = 0;
  let stale = 0;
  const failed: FailedFeedItem[] = [];
  for (const [index, item] of envelope.items.entries()) {
    const outcome = await applyItem(table, envelope, item, index);
    if (outcome === 'applied') applied++;
    else if (outcome === 'stale') stale++;
    else {
      failed.push(outcome);
      logger.error('supplier feed item failed', {
        messageId: feed.messageId,
        supplierId: envelope.supplierId,
        feedSeq: envelope.feedSeq,
        ...outcome,
      });
    }
  }
  logger.info('supplier feed applied', {
    messageId: feed.messageId,
    supplierId: envelope.supplierId,
    feedSeq: envelope.feedSeq,
    items: envelope.items.length,
    applied,
    // Skipped: already applied by an earlier delivery of this message, or superseded by a newer feed.
    stale,
    failed: failed.length,
  });
  if (stale > 0) countMetric('SupplierFeedStaleItems', {}, stale);
  if (failed.length > 0) {
    countMetric('SupplierFeedItemsFailed', {}, failed.length);
    throw new SupplierFeedItemsFailedError(feed.messageId, failed);
  }
}

function readEnvelope(feed: QueuedFeed): Envelope {
  try {
    return supplierStockEnvelopeSchema.parse(JSON.parse(feed.body));
  } catch (error) {
    logger.error('supplier feed unreadable', {
      messageId: feed.messageId,
      reason: error instanceof Error ? error.message : String(error),
    });
    throw error;
  }
}

async function applyItem(
  table: TableRef,
  envelope: Envelope,
  raw: unknown,
  index: number,
): Promise<'applied' | 'stale' | FailedFeedItem> {
  const rawSku = (raw as { sku?: unknown } | null)?.sku;
  const sku = typeof rawSku === 'string' ? { sku: rawSku.slice(0, 100) } : {};
  const parsed = supplierStockItemSchema.safeParse(raw);
  if (!parsed.success) {
    const reason = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || 'item'}: ${issue.message}`)
      .join('; ');
    return { index, ...sku, reason };
  }
  const item = parsed.data;
  try {
    return await applySupplierStock(table, {
      supplierId: envelope.supplierId,
      sku: item.sku,
      available: item.available,
      leadTimeDays: item.leadTimeDays,
      ...(item.unitCost === undefined ? {} : { unitCost: item.unitCost }),
      feedSeq: envelope.feedSeq,
      updatedAt: envelope.receivedAt,
    });
  } catch (error) {
    // Refused by the table, or trouble reaching it (TransientError): either way the next delivery retries it.
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { index, ...sku, reason };
  }
}
