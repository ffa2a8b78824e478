import { createDocumentClient } from '../../adapters/dynamodb/client';
import { searchOrders } from '../../adapters/dynamodb/order-search';
import { getOrderView } from '../../adapters/dynamodb/orders';
import { InvalidTaskPageToken } from '../../adapters/dynamodb/shipment-lists';
import { withPickupCodes } from '../../app/pickup-codes';
import type { RouteKey } from '../../contracts/api-model';
import { orderContracts } from '../../contracts/api-orders';
import { problemCodes } from '../../contracts/errors';
import { orderIdFor, splitOrderId } from '../../contracts/order-ids';
import { loadFunctionEnvironment } from '../../shared/env';
import { httpHandler, routeTable } from '../../shared/http';
import { HttpProblem, pageTokenProblem } from '../../shared/problem';

const environment = loadFunctionEnvironment('getOrder');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

const getOrder = httpHandler(orderContracts['GET /orders/{orderId}'], async ({ params, principal }) => {
  // Another channel's order answers exactly as a missing one does: 404.
  const orderId = orderIdFor(principal, params.orderId);
  const order = orderId ? await getOrderView(table, orderId) : undefined;
  const owner = orderId ? splitOrderId(orderId) : undefined;
  if (!order || !owner)
    throw new HttpProblem(404, problemCodes.orderNotFound, `Order ${params.orderId} does not exist.`);
  // The channel passes the pickup code on to its customer; staff and ops never see it.
  const shipments =
    principal.role === 'channel' ? await withPickupCodes(table, order.shipments) : order.shipments;
  return { body: { ...order, shipments, orderId: params.orderId, channelId: owner.channelId } };
});

const searchOrdersOfCustomer = httpHandler(orderContracts['GET /ops/orders'], async ({ query }) => {
  try {
    return { body: await searchOrders(table, query) };
  } catch (error) {
    if (error instanceof InvalidTaskPageToken) throw pageTokenProblem(error.message);
    throw error;
  }
});

/** One function reads orders: one by id (channel, ops), or a customer's (ops); each route keeps its contract. */
export const handler = routeTable('getOrder', {
  'GET /orders/{orderId}': getOrder,
  'GET /ops/orders': searchOrdersOfCustomer,
} satisfies Partial<Record<RouteKey, unknown>>);
