import { createDocumentClient } from '../../adapters/dynamodb/client';
import { getOrderView } from '../../adapters/dynamodb/orders';
import { apiContracts } from '../../contracts/api';
import { problemCodes } from '../../contracts/errors';
import { loadFunctionEnvironment } from '../../shared/env';
import { httpHandler } from '../../shared/http';
import { HttpProblem } from '../../shared/problem';

const environment = loadFunctionEnvironment('getOrder');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

export const handler = httpHandler(apiContracts['GET /orders/{orderId}'], async ({ params }) => {
  const order = await getOrderView(table, params.orderId);
  if (!order)
    throw new HttpProblem(404, problemCodes.orderNotFound, `Order ${params.orderId} does not exist.`);
  return { body: order };
});
