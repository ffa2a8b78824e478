import * as z from 'zod';
import { createDocumentClient } from '../../adapters/dynamodb/client';
import { createCarrierApi } from '../../adapters/http/carrier-api';
import { bookReturnPickup } from '../../app/book-return-pickup';
import { loadFunctionEnvironment } from '../../shared/env';
import { taskHandler } from '../../shared/task';

const environment = loadFunctionEnvironment('returnPickup');
const deps = {
  table: { document: createDocumentClient(), tableName: environment.TABLE_NAME },
  carriers: createCarrierApi({ timeoutMs: environment.CARRIER_TIMEOUT_MS }),
};

const inputSchema = z.object({
  orderId: z.string(),
  number: z.number().int().positive(),
  step: z.literal('BookPickup'),
});

/** The returns workflow's BookPickup (workflows/returns/returns.asl.json): answers the return's step. */
export const handler = taskHandler(inputSchema, (input) =>
  bookReturnPickup(deps, { orderId: input.orderId, number: input.number, now: new Date() }),
);
