import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createDocumentClient } from '../../adapters/dynamodb/client';
import { applySupplierStock } from '../../adapters/dynamodb/stock';
import { supplierStockMessageSchema } from '../../contracts/schemas';
import { loadFunctionEnvironment } from '../../shared/env';
import { countMetric, logger } from '../../shared/observability';

const environment = loadFunctionEnvironment('ingestSupplierStock');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };
const processor = new BatchProcessor(EventType.SQS);

/** A malformed message throws: it is reported as failed and, after maxReceiveCount, lands in the DLQ. */
async function applyFeed(record: SQSRecord): Promise<void> {
  const message = supplierStockMessageSchema.parse(JSON.parse(record.body));
  let stale = 0;
  for (const item of message.items) {
    const outcome = await applySupplierStock(table, {
      supplierId: message.supplierId,
      sku: item.sku,
      available: item.available,
      leadTimeDays: item.leadTimeDays,
      ...(item.unitCost === undefined ? {} : { unitCost: item.unitCost }),
      feedSeq: message.feedSeq,
      updatedAt: message.receivedAt,
    });
    if (outcome === 'stale') stale++;
  }
  if (stale > 0) countMetric('SupplierFeedStaleItems');
  logger.info('supplier feed applied', {
    supplierId: message.supplierId,
    feedSeq: message.feedSeq,
    items: message.items.length,
    stale,
  });
}

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event, context) => processPartialResponse(event, applyFeed, processor, { context }));
