import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TableRef } from '../../functions/adapters/dynamodb/client';
import { getLocation, getLocations, saveLocation } from '../../functions/adapters/dynamodb/locations';
import { acceptOrder, getOrderView } from '../../functions/adapters/dynamodb/orders';
import {
  apiKeyHash,
  findPrincipalByApiKey,
  savePrincipal,
} from '../../functions/adapters/dynamodb/principals';
import {
  listHolds,
  releaseHolds,
  reserveOrder,
  transitionOrder,
} from '../../functions/adapters/dynamodb/reservations';
import {
  applySupplierStock,
  getStock,
  querySkuPartition,
  recordCycleCount,
} from '../../functions/adapters/dynamodb/stock';
import { keys } from '../../functions/contracts/keys';
import { satisfiesStockInvariant, storedAvailable } from '../../functions/core/stock';
import { commandRecordingTable, createTestTable } from '../support/dynamodb';
import { deliveryTo, now, placeOrder, placeOrdersInBulk, seedStock, store, warehouse } from './fixtures';

let table: TableRef;

beforeAll(async () => {
  const created = await createTestTable();
  table = { document: created.document, tableName: created.tableName };
});

const reserve = (orderId: string) =>
  reserveOrder(table, { orderId, step: 'ReserveStock', actor: 'workflow:fulfilment', now, holdMinutes: 30 });

async function expectConsistentStock(sku: string, locationId: string) {
  const stock = await getStock(table, sku, locationId);
  expect(stock).toBeDefined();
  if (!stock) return stock;
  expect(satisfiesStockInvariant(stock)).toBe(true);
  expect(stock.available).toBe(storedAvailable(stock));
  return stock;
}

describe('principals', () => {
  it('stores only the hash of an API key and finds the principal by key', async () => {
    await savePrincipal(table.document, table.tableName, {
      apiKey: 'secret-key',
      principalId: 'supplier:S1',
      role: 'supplier',
      scope: 'S1',
    });
    expect(await findPrincipalByApiKey(table.document, table.tableName, 'secret-key')).toEqual({
      principalId: 'supplier:S1',
      role: 'supplier',
      scope: 'S1',
    });
    expect(await findPrincipalByApiKey(table.document, table.tableName, 'other-key')).toBeUndefined();
    const { Items } = await table.document.send(new ScanCommand({ TableName: table.tableName }));
    expect(JSON.stringify(Items)).not.toContain('secret-key');
    const { Item } = await table.document.send(
      new GetCommand({ TableName: table.tableName, Key: keys.principal(apiKeyHash('secret-key')) }),
    );
    expect(Item?.role).toBe('supplier');
  });
});

describe('locations and cycle counts', () => {
  it('saves and reads locations', async () => {
    await saveLocation(table, 'LOC-A', warehouse, now);
    await saveLocation(table, 'LOC-B', store, now);
    expect(await getLocation(table, 'LOC-A')).toMatchObject({ locationId: 'LOC-A', ...warehouse });
    expect(await getLocation(table, 'LOC-NONE')).toBeUndefined();
    expect(
      (await getLocations(table, ['LOC-B', 'LOC-A', 'LOC-NONE', 'LOC-A'])).map((l) => l.locationId),
    ).toEqual(['LOC-A', 'LOC-B']);
  });

  it('creates and updates stock, maintaining available, and refuses onHand below reserved', async () => {
    await seedStock(table, {
      'CC-WH': { location: warehouse, skus: { 'SKU-CC': { onHand: 10, safetyStock: 2 } } },
    });
    expect(await expectConsistentStock('SKU-CC', 'CC-WH')).toMatchObject({
      onHand: 10,
      reserved: 0,
      available: 8,
    });
    await placeOrder(table, 'ord-cc', {
      customerId: 'c',
      fulfilment: { type: 'delivery', address: deliveryTo },
      lines: [{ sku: 'SKU-CC', qty: 5 }],
    });
    expect(await reserve('ord-cc')).toEqual({
      outcome: 'RESERVED',
      shortfall: [],
      lowered: [
        { sku: 'SKU-CC', locationId: 'CC-WH', location: expect.objectContaining({ locationId: 'CC-WH' }) },
      ],
    });
    expect(await recordCycleCount(table, 'SKU-CC', 'CC-WH', { onHand: 4, safetyStock: 0 }, now)).toEqual({
      outcome: 'below-reserved',
      reserved: 5,
    });
    const saved = await recordCycleCount(table, 'SKU-CC', 'CC-WH', { onHand: 6, safetyStock: 3 }, now);
    expect(saved).toMatchObject({
      outcome: 'saved',
      stock: { onHand: 6, reserved: 5, safetyStock: 3, available: -2 },
    });
    await expectConsistentStock('SKU-CC', 'CC-WH');
  });

  it('keeps reserved ≤ onHand when cycle counts race with reservations', async () => {
    await seedStock(table, { 'RACE-WH': { location: warehouse, skus: { 'SKU-RACE': { onHand: 20 } } } });
    for (let index = 0; index < 6; index++) {
      await placeOrder(table, `ord-race-${index}`, {
        customerId: 'c',
        fulfilment: { type: 'delivery', address: deliveryTo },
        lines: [{ sku: 'SKU-RACE', qty: 2 }],
      });
    }
    await Promise.all([
      ...Array.from({ length: 6 }, (_, index) => reserve(`ord-race-${index}`)),
      ...Array.from({ length: 3 }, (_, index) =>
        recordCycleCount(table, 'SKU-RACE', 'RACE-WH', { onHand: 12 + index, safetyStock: 0 }, now),
      ),
    ]);
    await expectConsistentStock('SKU-RACE', 'RACE-WH');
  });
});

describe('supplier stock feed', () => {
  it('applies only a newer feedSeq; older and duplicate feeds are harmless', async () => {
    const item = {
      supplierId: 'SUP-1',
      sku: 'SKU-FEED',
      available: 100,
      leadTimeDays: 3,
      unitCost: 4.2,
      feedSeq: 5,
      updatedAt: now.toISOString(),
    };
    expect(await applySupplierStock(table, item)).toBe('applied');
    expect(await applySupplierStock(table, item)).toBe('stale');
    expect(await applySupplierStock(table, { ...item, feedSeq: 4, available: 1 })).toBe('stale');
    expect((await querySkuPartition(table, 'SKU-FEED')).suppliers).toEqual([item]);
    expect(await applySupplierStock(table, { ...item, feedSeq: 6, available: 7 })).toBe('applied');
    expect((await querySkuPartition(table, 'SKU-FEED')).suppliers[0]).toMatchObject({
      available: 7,
      feedSeq: 6,
    });
  });
});

describe('accepting orders', () => {
  const body = {
    orderId: 'ord-idem',
    customerId: 'c',
    fulfilment: { type: 'pickup' as const, storeId: 'ST' },
    lines: [{ sku: 'A', qty: 1 }],
  };
  const input = {
    principalId: 'channel:test',
    idempotencyKey: 'k1',
    requestHash: 'h1',
    body,
    orderId: 'ord-idem',
    channelOrderId: 'ord-idem',
    now,
  };

  it('accepts a new key with one transaction and no read; a repeat is answered from the record it collides with', async () => {
    const recording = commandRecordingTable(table.tableName);
    const fresh = { ...input, idempotencyKey: 'k-count', orderId: 'ord-count', channelOrderId: 'ord-count' };
    expect(await acceptOrder(recording.table, fresh)).toMatchObject({ kind: 'accepted' });
    expect(recording.commands).toEqual(['TransactWriteItemsCommand']);
    expect(await acceptOrder(recording.table, fresh)).toMatchObject({
      kind: 'replayed',
      record: { orderId: 'ord-count' },
    });
    expect(recording.commands).toEqual([
      'TransactWriteItemsCommand',
      'TransactWriteItemsCommand',
      'GetItemCommand',
    ]);
  });

  it('answers every one of ten identical requests sent at once: one accepts, the others replay it', async () => {
    const same = { ...input, idempotencyKey: 'k-burst', orderId: 'ord-burst', channelOrderId: 'ord-burst' };
    const results = await Promise.all(Array.from({ length: 10 }, () => acceptOrder(table, same)));
    expect(results.filter((result) => result.kind === 'accepted')).toHaveLength(1);
    expect(results.filter((result) => result.kind === 'replayed')).toHaveLength(9);
  });

  it('is idempotent per (principal, key): same body replays, another body or an existing order conflicts', async () => {
    expect(await acceptOrder(table, input)).toMatchObject({
      kind: 'accepted',
      record: { orderId: 'ord-idem' },
    });
    expect(await acceptOrder(table, input)).toMatchObject({
      kind: 'replayed',
      record: { orderId: 'ord-idem' },
    });
    expect(await acceptOrder(table, { ...input, requestHash: 'h2' })).toEqual({ kind: 'key-reused' });
    expect(await acceptOrder(table, { ...input, idempotencyKey: 'k2', requestHash: 'h3' })).toEqual({
      kind: 'order-exists',
      orderId: 'ord-idem',
    });
    expect(await acceptOrder(table, { ...input, principalId: 'channel:other' })).toEqual({
      kind: 'order-exists',
      orderId: 'ord-idem',
    });
    const view = await getOrderView(table, 'ord-idem');
    expect(view).toMatchObject({
      orderId: 'ord-idem',
      status: 'ACCEPTED',
      allocations: [],
      shipments: [],
      returns: [],
    });
    expect(view?.timeline).toEqual([
      { at: now.toISOString(), status: 'ACCEPTED', actor: 'channel:test', step: 'CreateOrder' },
    ]);
  });

  it('answers concurrent duplicates with one order', async () => {
    const racing = {
      ...input,
      idempotencyKey: 'k-race',
      body: { ...body, orderId: undefined },
      requestHash: 'h-race',
    };
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, index) =>
        acceptOrder(table, { ...racing, orderId: `ord-gen-${index}`, channelOrderId: `ord-gen-${index}` }),
      ),
    );
    const orderIds = new Set(
      results.map((result) =>
        result.kind === 'accepted' || result.kind === 'replayed' ? result.record.orderId : result.kind,
      ),
    );
    expect(orderIds.size).toBe(1);
    expect(results.filter((result) => result.kind === 'accepted')).toHaveLength(1);
  });
});

describe('reserving orders', () => {
  it('reserves from one location, records allocation and timeline, and is idempotent when re-run', async () => {
    await seedStock(table, {
      'R-WH': { location: warehouse, skus: { 'SKU-R1': { onHand: 10 }, 'SKU-R2': { onHand: 3 } } },
      'R-ST': { location: store, skus: { 'SKU-R1': { onHand: 50, safetyStock: 5 } } },
    });
    await placeOrder(table, 'ord-r', {
      customerId: 'c',
      fulfilment: { type: 'delivery', address: deliveryTo },
      lines: [
        { sku: 'SKU-R1', qty: 4 },
        { sku: 'SKU-R2', qty: 3 },
      ],
    });
    // `lowered`: where this run took stock (replenishment may be due there); a re-run takes none.
    expect(await reserve('ord-r')).toEqual({
      outcome: 'RESERVED',
      shortfall: [],
      lowered: [
        { sku: 'SKU-R1', locationId: 'R-WH', location: expect.objectContaining({ locationId: 'R-WH' }) },
        { sku: 'SKU-R2', locationId: 'R-WH', location: expect.objectContaining({ locationId: 'R-WH' }) },
      ],
    });
    expect(await reserve('ord-r')).toEqual({ outcome: 'RESERVED', shortfall: [], lowered: [] });
    expect(await expectConsistentStock('SKU-R1', 'R-WH')).toMatchObject({ reserved: 4, available: 6 });
    expect(await expectConsistentStock('SKU-R2', 'R-WH')).toMatchObject({ reserved: 3, available: 0 });
    const view = await getOrderView(table, 'ord-r');
    expect(view?.status).toBe('RESERVED');
    expect(view?.allocations).toEqual([
      { sku: 'SKU-R1', qty: 4, locationId: 'R-WH' },
      { sku: 'SKU-R2', qty: 3, locationId: 'R-WH' },
    ]);
    expect(view?.timeline.map((entry) => [entry.status, entry.step, entry.actor])).toEqual([
      ['ACCEPTED', 'CreateOrder', 'channel:test'],
      ['RESERVED', 'ReserveStock', 'workflow:fulfilment'],
    ]);
  });

  it('never oversells: 50 concurrent single-unit orders on 10 units reserve exactly 10', async () => {
    await seedStock(table, { 'HOT-WH': { location: warehouse, skus: { 'SKU-HOT': { onHand: 10 } } } });
    const orderIds = Array.from({ length: 50 }, (_, index) => `ord-hot-${index}`);
    await placeOrdersInBulk(
      table,
      orderIds.map((orderId) => ({
        orderId,
        customerId: 'c',
        fulfilment: { type: 'delivery', address: deliveryTo },
        lines: [{ sku: 'SKU-HOT', qty: 1 }],
      })),
    );
    const outcomes = await Promise.all(
      orderIds.map((orderId) => reserve(orderId).catch((error: Error) => ({ outcome: error.name }))),
    );
    const reserved = outcomes.filter((result) => result.outcome === 'RESERVED').length;
    expect(await expectConsistentStock('SKU-HOT', 'HOT-WH')).toMatchObject({
      onHand: 10,
      reserved,
      available: 10 - reserved,
    });
    expect(reserved).toBeLessThanOrEqual(10);
    // Losers either backordered or gave up with a retryable TransientError; re-running settles them.
    for (const [index, result] of outcomes.entries()) {
      if (result.outcome === 'TransientError') await reserve(orderIds[index] as string);
    }
    expect(await expectConsistentStock('SKU-HOT', 'HOT-WH')).toMatchObject({ reserved: 10, available: 0 });
  }, 30_000);

  it('holds what is available when short, records the shortfall, and completes on a later run', async () => {
    await seedStock(table, { 'B-WH': { location: warehouse, skus: { 'SKU-B': { onHand: 2 } } } });
    await placeOrder(table, 'ord-b', {
      customerId: 'c',
      fulfilment: { type: 'delivery', address: deliveryTo },
      lines: [{ sku: 'SKU-B', qty: 5 }],
    });
    expect(await reserve('ord-b')).toEqual({
      outcome: 'BACKORDERED',
      shortfall: [{ sku: 'SKU-B', qty: 3 }],
      lowered: [
        { sku: 'SKU-B', locationId: 'B-WH', location: expect.objectContaining({ locationId: 'B-WH' }) },
      ],
    });
    expect(await reserve('ord-b')).toEqual({
      outcome: 'BACKORDERED',
      shortfall: [{ sku: 'SKU-B', qty: 3 }],
      lowered: [],
    });
    expect(await getOrderView(table, 'ord-b')).toMatchObject({
      status: 'BACKORDERED',
      shortfall: [{ sku: 'SKU-B', qty: 3 }],
    });
    expect(await expectConsistentStock('SKU-B', 'B-WH')).toMatchObject({ reserved: 2 });
    await recordCycleCount(table, 'SKU-B', 'B-WH', { onHand: 6, safetyStock: 0 }, now);
    expect(await reserve('ord-b')).toMatchObject({ outcome: 'RESERVED', shortfall: [] });
    expect(await expectConsistentStock('SKU-B', 'B-WH')).toMatchObject({
      onHand: 6,
      reserved: 5,
      available: 1,
    });
    expect(await listHolds(table, 'ord-b')).toMatchObject([
      { sku: 'SKU-B', locationId: 'B-WH', qty: 5, status: 'HELD' },
    ]);
    const view = await getOrderView(table, 'ord-b');
    expect(view).toMatchObject({
      status: 'RESERVED',
      allocations: [{ sku: 'SKU-B', qty: 5, locationId: 'B-WH' }],
    });
    expect(view?.shortfall).toBeUndefined();
  });

  it('rejects idempotently, releasing held stock once', async () => {
    await seedStock(table, { 'X-WH': { location: warehouse, skus: { 'SKU-X': { onHand: 1 } } } });
    await placeOrder(table, 'ord-x', {
      customerId: 'c',
      fulfilment: { type: 'delivery', address: deliveryTo },
      lines: [{ sku: 'SKU-X', qty: 3 }],
    });
    await reserve('ord-x');
    expect(await expectConsistentStock('SKU-X', 'X-WH')).toMatchObject({ reserved: 1 });
    const reject = {
      orderId: 'ord-x',
      status: 'REJECTED' as const,
      step: 'RejectOrder',
      actor: 'workflow:fulfilment',
      reason: 'no supplier',
      now,
    };
    expect(await transitionOrder(table, reject)).toEqual({ orderId: 'ord-x', status: 'REJECTED' });
    expect(await transitionOrder(table, reject)).toEqual({ orderId: 'ord-x', status: 'REJECTED' });
    expect(await releaseHolds(table, 'ord-x', now)).toBe(0);
    expect(await expectConsistentStock('SKU-X', 'X-WH')).toMatchObject({ reserved: 0, available: 1 });
    const view = await getOrderView(table, 'ord-x');
    expect(view?.timeline.filter((entry) => entry.status === 'REJECTED')).toEqual([
      {
        at: now.toISOString(),
        status: 'REJECTED',
        actor: 'workflow:fulfilment',
        step: 'RejectOrder',
        reason: 'no supplier; released 1 × SKU-X at X-WH',
      },
    ]);
    expect(view).toMatchObject({ allocations: [] });
    expect(view?.shortfall).toBeUndefined();
    await expect(reserve('ord-x')).rejects.toMatchObject({ name: 'InvalidStatusTransition' });
    await expect(transitionOrder(table, { ...reject, status: 'RESERVED' })).rejects.toMatchObject({
      name: 'InvalidStatusTransition',
    });
    await expect(reserve('ord-missing')).rejects.toMatchObject({ name: 'OrderNotFound' });
  });
});
