import { createDocumentClient } from '../../adapters/dynamodb/client';
import { getLocation } from '../../adapters/dynamodb/locations';
import { type StockRecord, stockFiguresView } from '../../adapters/dynamodb/stock';
import { setStockShards } from '../../adapters/dynamodb/stock-shards';
import { inventoryContracts } from '../../contracts/api-inventory';
import { problemCodes } from '../../contracts/errors';
import { loadFunctionEnvironment } from '../../shared/env';
import { httpHandler } from '../../shared/http';
import { HttpProblem } from '../../shared/problem';

const environment = loadFunctionEnvironment('putStockShards');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

/** Operations switch a hot SKU (a flash sale) to N stock shards at a location, or back to one item. */
export const handler = httpHandler(
  inventoryContracts['PUT /locations/{locationId}/stock/{sku}/shards'],
  async ({ params, body }) => {
    if (!(await getLocation(table, params.locationId))) {
      throw new HttpProblem(
        404,
        problemCodes.locationNotFound,
        `Location ${params.locationId} does not exist; create it first.`,
      );
    }
    const result = await setStockShards(table, params.sku, params.locationId, body.shards, new Date());
    if (result.outcome === 'not-found') {
      throw new HttpProblem(
        404,
        problemCodes.stockNotFound,
        `${params.locationId} has no stock of ${params.sku}; record a cycle count first.`,
      );
    }
    return { body: shardedStockView(result.stock) };
  },
);

const shardedStockView = (stock: StockRecord) => ({
  ...stockFiguresView(stock),
  shards: stock.shardCount,
  head: stock.buckets.head,
  shardFigures: stock.buckets.shards,
});
