import { createDocumentClient } from '../../adapters/dynamodb/client';
import { querySkuPartition } from '../../adapters/dynamodb/stock';
import { inventoryContracts } from '../../contracts/api-inventory';
import type { InventoryResponse } from '../../contracts/schemas';
import { availableToPromise, totalStock } from '../../core/stock';
import { loadFunctionEnvironment } from '../../shared/env';
import { httpHandler } from '../../shared/http';

const environment = loadFunctionEnvironment('getInventory');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

export const handler = httpHandler(inventoryContracts['GET /inventory/{sku}'], async ({ params }) => {
  const { stock, suppliers, replenishments } = await querySkuPartition(table, params.sku);
  const body: InventoryResponse = {
    sku: params.sku,
    locations: stock.map((record) => ({
      locationId: record.locationId,
      onHand: record.onHand,
      reserved: record.reserved,
      available: availableToPromise(record),
      inbound: record.inbound,
      safetyStock: record.safetyStock,
      damaged: record.damaged,
      ...(record.shardCount > 1 ? { shards: record.shardCount } : {}),
      ...replenishmentOf(record.locationId),
    })),
    totals: totalStock(stock),
    suppliers: suppliers.map((supplier) => ({
      supplierId: supplier.supplierId,
      available: supplier.available,
      leadTimeDays: supplier.leadTimeDays,
      ...(supplier.unitCost === undefined ? {} : { unitCost: supplier.unitCost }),
      feedSeq: supplier.feedSeq,
      updatedAt: supplier.updatedAt,
    })),
  };
  return { body };

  function replenishmentOf(locationId: string) {
    const slot = replenishments.find((candidate) => candidate.locationId === locationId);
    if (!slot) return {};
    return {
      replenishment: { status: slot.status, seq: slot.seq, ...(slot.poId ? { poId: slot.poId } : {}) },
    };
  }
});
