import { createDocumentClient } from '../../adapters/dynamodb/client';
import { getReturn } from '../../adapters/dynamodb/returns';
import { orderContracts } from '../../contracts/api-orders';
import { problemCodes } from '../../contracts/errors';
import { orderIdFor, splitOrderId } from '../../contracts/order-ids';
import { splitReturnId } from '../../contracts/returns';
import { loadFunctionEnvironment } from '../../shared/env';
import { httpHandler } from '../../shared/http';
import { HttpProblem } from '../../shared/problem';

const environment = loadFunctionEnvironment('getReturn');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

/**
 * A return as its order's channel (by its own order id), ops, or staff of the store it is brought to see it.
 * Anyone else's return answers exactly as a missing one: 404.
 */
export const handler = httpHandler(
  orderContracts['GET /returns/{returnId}'],
  async ({ params, principal }) => {
    const named = splitReturnId(params.returnId);
    const orderId =
      named &&
      orderIdFor(
        principal.role === 'staff' ? { ...principal, role: 'ops' } : principal,
        named.orderReference,
      );
    const found = orderId && named ? await getReturn(table, orderId, named.number) : undefined;
    const visible = found && (principal.role !== 'staff' || found.storeId === principal.scope);
    if (!found || !visible)
      throw new HttpProblem(404, problemCodes.returnNotFound, `Return ${params.returnId} does not exist.`);
    const channelOrderId = splitOrderId(found.orderId)?.channelOrderId ?? found.orderId;
    return {
      body: {
        returnId: params.returnId,
        orderId: principal.role === 'channel' ? channelOrderId : found.orderId,
        status: found.status,
        method: found.method,
        lines: found.lines,
        rmaCode: found.rmaCode,
        dropOffBy: found.dropOffBy,
        ...(found.storeId ? { storeId: found.storeId } : {}),
        ...(found.exchange ? { exchange: found.exchange } : {}),
        timeline: found.events,
      },
    };
  },
);
