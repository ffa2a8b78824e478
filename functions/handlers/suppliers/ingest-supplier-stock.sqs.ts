import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createDocumentClient } from '../../adapters/dynamodb/client';
import { ingestSupplierFeed } from '../../app/supplier-feed';
import { loadFunctionEnvironment } from '../../shared/env';
import { logger } from '../../shared/observability';

const environment = loadFunctionEnvironment('ingestSupplierStock');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };
const processor = new BatchProcessor(EventType.SQS);

/**
 * Each message applies every item it can; a message with an item that failed (or that cannot be read at all)
 * throws, is reported in `batchItemFailures`, and after maxReceiveCount lands in the DLQ.
 */
const applyFeed = (record: SQSRecord): Promise<void> =>
  ingestSupplierFeed(table, { messageId: record.messageId, body: record.body });

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event, context) => processPartialResponse(event, applyFeed, processor, { context }));
