import { createSqsClient } from '../../adapters/clients';
import { enqueueSupplierFeed } from '../../adapters/sqs/supplier-feed';
import { apiContracts } from '../../contracts/api';
import { commonEnvironment, loadEnvironment, queueUrlSchema } from '../../shared/env';
import { httpHandler } from '../../shared/http';

const environment = loadEnvironment({ ...commonEnvironment, SUPPLIER_STOCK_QUEUE_URL: queueUrlSchema });
const sqs = createSqsClient();

/** Validated here, applied asynchronously: a supplier's burst never waits on (or throttles) the table. */
export const handler = httpHandler(
  apiContracts['POST /suppliers/{supplierId}/stock'],
  async ({ params, body }) => {
    await enqueueSupplierFeed(sqs, environment.SUPPLIER_STOCK_QUEUE_URL, {
      supplierId: params.supplierId,
      feedSeq: body.feedSeq,
      items: body.items,
      receivedAt: new Date().toISOString(),
    });
    return { body: { status: 'queued' } };
  },
);
