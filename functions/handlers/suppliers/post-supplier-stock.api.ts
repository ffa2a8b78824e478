import { createDocumentClient } from '../../adapters/dynamodb/client';
import { takeRateToken } from '../../adapters/dynamodb/rate-limits';
import { createSqsClient } from '../../adapters/sqs/client';
import { enqueueSupplierFeed } from '../../adapters/sqs/supplier-feed';
import { supplierContracts } from '../../contracts/api-suppliers';
import { problemCodes } from '../../contracts/errors';
import { loadFunctionEnvironment } from '../../shared/env';
import { httpHandler } from '../../shared/http';
import { HttpProblem } from '../../shared/problem';

const environment = loadFunctionEnvironment('postSupplierStock');
const sqs = createSqsClient();
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

/**
 * Validated here, applied asynchronously: a supplier's burst never waits on (or throttles) the table. Each
 * supplier gets its own per-minute budget, so one misbehaving feed cannot crowd out the others.
 */
export const handler = httpHandler(
  supplierContracts['POST /suppliers/{supplierId}/stock'],
  async ({ params, body }) => {
    const now = new Date();
    const rate = await takeRateToken(
      table,
      `supplier-feed#${params.supplierId}`,
      { perWindow: environment.SUPPLIER_FEED_RATE_PER_MINUTE, windowSeconds: 60 },
      now,
    );
    if (!rate.allowed) {
      throw new HttpProblem(
        429,
        problemCodes.rateLimited,
        `Supplier ${params.supplierId} sent more than ${environment.SUPPLIER_FEED_RATE_PER_MINUTE} feeds this minute; retry after ${rate.retryAfterSeconds} s.`,
        undefined,
        { 'retry-after': String(rate.retryAfterSeconds) },
      );
    }
    await enqueueSupplierFeed(sqs, environment.SUPPLIER_STOCK_QUEUE_URL, {
      supplierId: params.supplierId,
      feedSeq: body.feedSeq,
      items: body.items,
      receivedAt: now.toISOString(),
    });
    return { body: { status: 'queued' } };
  },
);
