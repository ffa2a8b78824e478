import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TableRef } from '../../functions/adapters/dynamodb/client';
import { commitHold, releaseExpiredHolds } from '../../functions/adapters/dynamodb/holds';
import { listHolds, releaseHolds, reserveOrder } from '../../functions/adapters/dynamodb/reservations';
import {
  getStock,
  querySkuPartition,
  recordCycleCount,
  type StockRecord,
} from '../../functions/adapters/dynamodb/stock';
import { rebalanceStockShards, setStockShards } from '../../functions/adapters/dynamodb/stock-shards';
import { keys } from '../../functions/contracts/keys';
import { satisfiesStockInvariant } from '../../functions/core/stock';
import { startShard } from '../../functions/core/stock-shards';
import { createTestTable } from '../support/dynamodb';
import { deliveryTo, now, placeOrder, placeOrdersInBulk, seedStock, warehouse } from './fixtures';

let table: TableRef;

beforeAll(async () => {
  const created = await createTestTable();
  table = { document: created.document, tableName: created.tableName };
});

const reserve = (orderId: string, at = now) =>
  reserveOrder(table, { orderId, step: 'ReserveStock', actor: 'test', now: at, holdMinutes: 30 });

/** Reserves, re-running an order whose attempts all lost races (the workflow's Retry does the same). */
async function reserveEventually(orderId: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await reserve(orderId);
    } catch (error) {
      if (attempt >= 10) throw error;
    }
  }
}

const order = (sku: string, qty: number) => ({
  customerId: 'c',
  fulfilment: { type: 'delivery' as const, address: deliveryTo },
  lines: [{ sku, qty }],
});

/** Stock read back, checked against every invariant: totals, no shard negative, sums of the items. */
async function consistentStock(sku: string, locationId: string): Promise<StockRecord> {
  const stock = await getStock(table, sku, locationId);
  if (!stock) throw new Error(`no stock of ${sku} at ${locationId}`);
  expect(satisfiesStockInvariant(stock)).toBe(true);
  expect(stock.available).toBe(stock.onHand - stock.reserved - stock.safetyStock);
  for (const shard of stock.buckets.shards) {
    expect(shard.available).toBeGreaterThanOrEqual(0);
    expect(shard.reserved).toBeGreaterThanOrEqual(0);
  }
  return stock;
}

const shardAvailable = (stock: StockRecord) =>
  Object.fromEntries(stock.buckets.shards.map((shard) => [shard.shard, shard.available]));

async function heldBy(orderId: string) {
  const holds = await listHolds(table, orderId);
  return holds.filter((hold) => hold.status === 'HELD');
}

describe('switching a SKU to shards', () => {
  it('spreads available units over the shards and back, moving units only', async () => {
    await seedStock(table, {
      'SW-WH': { location: warehouse, skus: { 'SKU-SW': { onHand: 42, safetyStock: 2 } } },
    });
    const switched = await setStockShards(table, 'SKU-SW', 'SW-WH', 4, now);
    expect(switched).toMatchObject({ outcome: 'saved', stock: { shardCount: 4, available: 40 } });
    const sharded = await consistentStock('SKU-SW', 'SW-WH');
    expect(sharded).toMatchObject({ onHand: 42, reserved: 0, safetyStock: 2, available: 40, shardCount: 4 });
    expect(sharded.buckets.head.available).toBe(0);
    expect(shardAvailable(sharded)).toEqual({ 0: 10, 1: 10, 2: 10, 3: 10 });
    // Idempotent: the same count again changes nothing.
    await setStockShards(table, 'SKU-SW', 'SW-WH', 4, now);
    expect(shardAvailable(await consistentStock('SKU-SW', 'SW-WH'))).toEqual({ 0: 10, 1: 10, 2: 10, 3: 10 });

    await setStockShards(table, 'SKU-SW', 'SW-WH', 1, now);
    const back = await consistentStock('SKU-SW', 'SW-WH');
    expect(back).toMatchObject({ shardCount: 1, available: 40, buckets: { head: { available: 40 } } });
    expect(Object.values(shardAvailable(back))).toEqual([0, 0, 0, 0]);
    // The rebalancer deletes the empty retired shard items and forgets the SKU.
    await rebalanceStockShards(table, now);
    expect((await consistentStock('SKU-SW', 'SW-WH')).buckets.shards).toEqual([]);
    const { Item } = await table.document.send(
      new GetCommand({ TableName: table.tableName, Key: keys.shardedStock('SKU-SW', 'SW-WH') }),
    );
    expect(Item).toBeUndefined();
  });

  it('keeps each shard in a partition of its own, and the head counts the shard keys a read must cover', async () => {
    await seedStock(table, { 'PK-WH': { location: warehouse, skus: { 'SKU-PK': { onHand: 40 } } } });
    const head = keys.stock('SKU-PK', 'PK-WH');
    const headItem = async () =>
      (await table.document.send(new GetCommand({ TableName: table.tableName, Key: head }))).Item;
    expect((await headItem())?.shardSlots).toBeUndefined();
    await setStockShards(table, 'SKU-PK', 'PK-WH', 4, now);
    expect(await headItem()).toMatchObject({ shardCount: 4, shardSlots: 4 });
    const partitions = new Set<string>([head.pk]);
    for (const shard of [0, 1, 2, 3]) {
      const key = keys.stockShard('SKU-PK', 'PK-WH', shard);
      const { Item } = await table.document.send(new GetCommand({ TableName: table.tableName, Key: key }));
      expect(Item).toMatchObject({ shard, available: 10 });
      partitions.add(key.pk);
    }
    // Five partition keys: the head's and one per shard, so each shard has a partition's write throughput.
    expect(partitions.size).toBe(5);
    // Fewer shards: the retired ones stay covered until the rebalancer has deleted them.
    await setStockShards(table, 'SKU-PK', 'PK-WH', 2, now);
    expect(await headItem()).toMatchObject({ shardCount: 2, shardSlots: 4 });
    await rebalanceStockShards(table, now);
    expect(await headItem()).toMatchObject({ shardCount: 2, shardSlots: 2 });
    expect(shardAvailable(await consistentStock('SKU-PK', 'PK-WH'))).toEqual({ 0: 20, 1: 20 });
  });

  it('reports unknown stock', async () => {
    expect(await setStockShards(table, 'SKU-NONE', 'SW-WH', 4, now)).toEqual({ outcome: 'not-found' });
  });
});

describe('reservations on a sharded hot SKU', () => {
  it('never oversells: 80 concurrent single-unit orders on 30 units over 8 shards reserve exactly 30', async () => {
    await seedStock(table, { 'HOT-WH': { location: warehouse, skus: { 'SKU-HOT': { onHand: 30 } } } });
    await setStockShards(table, 'SKU-HOT', 'HOT-WH', 8, now);
    const orderIds = Array.from({ length: 80 }, (_, index) => `ord-hot-${index}`);
    await placeOrdersInBulk(
      table,
      orderIds.map((orderId) => ({ orderId, ...order('SKU-HOT', 1) })),
    );
    const outcomes = await Promise.all(orderIds.map((orderId) => reserveEventually(orderId)));
    expect(outcomes.filter((outcome) => outcome.outcome === 'RESERVED')).toHaveLength(30);
    expect(outcomes.filter((outcome) => outcome.outcome === 'BACKORDERED')).toHaveLength(50);
    let held = 0;
    for (const orderId of orderIds) held += (await heldBy(orderId)).reduce((sum, hold) => sum + hold.qty, 0);
    expect(held).toBe(30);
    const stock = await consistentStock('SKU-HOT', 'HOT-WH');
    expect(stock).toMatchObject({ onHand: 30, reserved: 30, available: 0 });
    // Every unit came out of a shard: probing emptied all of them, none was left stranded.
    expect(Object.values(shardAvailable(stock))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(stock.buckets.head).toEqual({ available: 0, reserved: 0 });
  });

  it('probes past empty shards and splits a line over several, recording where each unit came from', async () => {
    await seedStock(table, { 'PR-WH': { location: warehouse, skus: { 'SKU-PR': { onHand: 3 } } } });
    await setStockShards(table, 'SKU-PR', 'PR-WH', 4, now);
    const before = await consistentStock('SKU-PR', 'PR-WH');
    // Three units over four shards: one shard is empty (no item at all). Find an order starting there.
    const empty = [0, 1, 2, 3].find((shard) => !shardAvailable(before)[shard]) as number;
    const orderId = Array.from({ length: 100 }, (_, i) => `ord-probe-${i}`).find(
      (id) => startShard(`${id}#SKU-PR`, 4) === empty,
    ) as string;
    await placeOrder(table, orderId, order('SKU-PR', 2));
    expect(await reserve(orderId)).toMatchObject({ outcome: 'RESERVED', shortfall: [] });
    const [hold] = await heldBy(orderId);
    expect(hold?.qty).toBe(2);
    expect(Object.keys(hold?.shards ?? {})).toHaveLength(2);
    expect(Object.values(hold?.shards ?? {})).toEqual([1, 1]);
    expect(hold?.shards?.[String(empty)]).toBeUndefined();
    const after = await consistentStock('SKU-PR', 'PR-WH');
    expect(after).toMatchObject({ reserved: 2, available: 1 });

    // Release puts each unit back into the shard it came from.
    expect(await releaseHolds(table, orderId, now)).toBe(1);
    const released = await consistentStock('SKU-PR', 'PR-WH');
    expect(shardAvailable(released)).toEqual(shardAvailable(before));
    expect(released.buckets.shards.every((shard) => shard.reserved === 0)).toBe(true);
  });

  it('picks take onHand off the head and reserved off the shards; the sweeper returns expired units to their shards', async () => {
    await seedStock(table, { 'PK-WH': { location: warehouse, skus: { 'SKU-PK': { onHand: 8 } } } });
    await setStockShards(table, 'SKU-PK', 'PK-WH', 2, now);
    await placeOrder(table, 'ord-pick', order('SKU-PK', 3));
    await placeOrder(table, 'ord-expire', order('SKU-PK', 2));
    await reserve('ord-pick');
    await reserve('ord-expire', new Date(now.getTime() - 3_600_000));
    const reserved = await consistentStock('SKU-PK', 'PK-WH');
    expect(reserved).toMatchObject({ onHand: 8, reserved: 5, available: 3 });

    expect(await commitHold(table, { orderId: 'ord-pick', sku: 'SKU-PK', locationId: 'PK-WH' }, now)).toBe(
      'committed',
    );
    const picked = await consistentStock('SKU-PK', 'PK-WH');
    expect(picked).toMatchObject({ onHand: 5, reserved: 2, available: 3 });
    expect(shardAvailable(picked)).toEqual(shardAvailable(reserved));

    const [expiring] = await heldBy('ord-expire');
    const sweep = await releaseExpiredHolds(table, { now, lookbackHours: 2, actor: 'test' });
    expect(sweep.released).toBe(1);
    const swept = await consistentStock('SKU-PK', 'PK-WH');
    expect(swept).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
    for (const [shard, units] of Object.entries(expiring?.shards ?? {}))
      expect(shardAvailable(swept)[Number(shard)]).toBe((shardAvailable(picked)[Number(shard)] ?? 0) + units);
  });
});

describe('rebalancing and reads', () => {
  it('evens out drained shards, conserving every total, and reads sum the shards', async () => {
    await seedStock(table, { 'RB-WH': { location: warehouse, skus: { 'SKU-RB': { onHand: 24 } } } });
    await setStockShards(table, 'SKU-RB', 'RB-WH', 4, now);
    const orderIds = Array.from({ length: 5 }, (_, index) => `ord-rb-${index}`);
    for (const orderId of orderIds) {
      await placeOrder(table, orderId, order('SKU-RB', 3));
      await reserve(orderId);
    }
    const before = await consistentStock('SKU-RB', 'RB-WH');
    expect(before).toMatchObject({ onHand: 24, reserved: 15, available: 9 });

    const result = await rebalanceStockShards(table, now);
    expect(result.checked).toBeGreaterThanOrEqual(1);
    const after = await consistentStock('SKU-RB', 'RB-WH');
    expect({ onHand: after.onHand, reserved: after.reserved, available: after.available }).toEqual({
      onHand: 24,
      reserved: 15,
      available: 9,
    });
    const units = Object.values(shardAvailable(after));
    expect(Math.max(...units) - Math.min(...units)).toBeLessThanOrEqual(1);
    // Reserved units stay in their shards (their holds give them back there).
    expect(after.buckets.shards.map((shard) => shard.reserved)).toEqual(
      before.buckets.shards.map((shard) => shard.reserved),
    );

    const { stock } = await querySkuPartition(table, 'SKU-RB');
    expect(stock).toHaveLength(1);
    expect(stock[0]).toMatchObject({
      locationId: 'RB-WH',
      onHand: 24,
      reserved: 15,
      available: 9,
      shardCount: 4,
    });

    // Releasing everything gives back exactly what was there.
    for (const orderId of orderIds) await releaseHolds(table, orderId, now);
    expect(await consistentStock('SKU-RB', 'RB-WH')).toMatchObject({ reserved: 0, available: 24 });
  });

  it('switching back to one item while holds are out: released units land in retired shards, then are folded in', async () => {
    await seedStock(table, { 'RT-WH': { location: warehouse, skus: { 'SKU-RT': { onHand: 10 } } } });
    await setStockShards(table, 'SKU-RT', 'RT-WH', 4, now);
    await placeOrder(table, 'ord-rt', order('SKU-RT', 4));
    await reserve('ord-rt');
    await setStockShards(table, 'SKU-RT', 'RT-WH', 1, now);
    const switched = await consistentStock('SKU-RT', 'RT-WH');
    expect(switched).toMatchObject({
      shardCount: 1,
      reserved: 4,
      available: 6,
      buckets: { head: { available: 6 } },
    });

    await releaseHolds(table, 'ord-rt', now);
    const released = await consistentStock('SKU-RT', 'RT-WH');
    expect(released).toMatchObject({ reserved: 0, available: 10 });
    // Units released into a retired shard are still reservable: reservations probe retired shards too.
    await placeOrder(table, 'ord-rt-2', order('SKU-RT', 10));
    expect(await reserve('ord-rt-2')).toMatchObject({ outcome: 'RESERVED', shortfall: [] });
    await releaseHolds(table, 'ord-rt-2', now);

    await rebalanceStockShards(table, now);
    const folded = await consistentStock('SKU-RT', 'RT-WH');
    expect(folded.buckets.head.available).toBe(10);
    await rebalanceStockShards(table, now);
    expect((await consistentStock('SKU-RT', 'RT-WH')).buckets.shards).toEqual([]);
  });
});

describe('cycle counts on sharded stock', () => {
  it('takes lost units out of the shards, and a debt is settled before anything is promised again', async () => {
    await seedStock(table, { 'CC-WH': { location: warehouse, skus: { 'SKU-CCS': { onHand: 10 } } } });
    await setStockShards(table, 'SKU-CCS', 'CC-WH', 2, now);
    await placeOrder(table, 'ord-ccs', order('SKU-CCS', 6));
    await reserve('ord-ccs');

    // Counted lower than what is promised plus the shelf buffer: available −2, all shards drained.
    const counted = await recordCycleCount(table, 'SKU-CCS', 'CC-WH', { onHand: 6, safetyStock: 2 }, now);
    expect(counted).toMatchObject({ outcome: 'saved', stock: { onHand: 6, reserved: 6, available: -2 } });
    const drained = await consistentStock('SKU-CCS', 'CC-WH');
    expect(Object.values(shardAvailable(drained))).toEqual([0, 0]);
    expect(drained.buckets.head.available).toBe(-2);
    expect(
      await recordCycleCount(table, 'SKU-CCS', 'CC-WH', { onHand: 5, safetyStock: 0 }, now),
    ).toMatchObject({ outcome: 'below-reserved', reserved: 6 });

    // The release refills the shards; the next reservation settles the debt first, so only 4 can be promised.
    await releaseHolds(table, 'ord-ccs', now);
    await placeOrder(table, 'ord-ccs-2', order('SKU-CCS', 5));
    expect(await reserve('ord-ccs-2')).toMatchObject({
      outcome: 'BACKORDERED',
      shortfall: [{ sku: 'SKU-CCS', qty: 1 }],
    });
    const settled = await consistentStock('SKU-CCS', 'CC-WH');
    expect(settled).toMatchObject({ onHand: 6, reserved: 4, safetyStock: 2, available: 0 });
    expect(settled.buckets.head.available).toBe(0);

    // A higher count goes to the head; the rebalancer spreads it.
    await recordCycleCount(table, 'SKU-CCS', 'CC-WH', { onHand: 14, safetyStock: 2 }, now);
    expect(await consistentStock('SKU-CCS', 'CC-WH')).toMatchObject({
      available: 8,
      buckets: { head: { available: 8 } },
    });
    await rebalanceStockShards(table, now);
    const spread = await consistentStock('SKU-CCS', 'CC-WH');
    expect(spread.buckets.head.available).toBe(0);
    expect(Object.values(shardAvailable(spread))).toEqual([4, 4]);
  });

  it('keeps every invariant when counts, switches, rebalances and reservations race', async () => {
    await seedStock(table, { 'MIX-WH': { location: warehouse, skus: { 'SKU-MIX': { onHand: 40 } } } });
    await setStockShards(table, 'SKU-MIX', 'MIX-WH', 4, now);
    const orderIds = Array.from({ length: 20 }, (_, index) => `ord-mix-${index}`);
    await placeOrdersInBulk(
      table,
      orderIds.map((orderId, index) => ({ orderId, ...order('SKU-MIX', 1 + (index % 3)) })),
    );
    const settled = await Promise.allSettled([
      ...orderIds.map((orderId) => reserveEventually(orderId)),
      recordCycleCount(table, 'SKU-MIX', 'MIX-WH', { onHand: 35, safetyStock: 1 }, now),
      setStockShards(table, 'SKU-MIX', 'MIX-WH', 6, now),
      rebalanceStockShards(table, now),
      recordCycleCount(table, 'SKU-MIX', 'MIX-WH', { onHand: 38, safetyStock: 0 }, now),
    ]);
    // Counts and switches may give up after racing (they answer an error); nothing may be broken either way.
    expect(settled.slice(0, orderIds.length).every((outcome) => outcome.status === 'fulfilled')).toBe(true);
    const stock = await consistentStock('SKU-MIX', 'MIX-WH');
    let held = 0;
    for (const orderId of orderIds) held += (await heldBy(orderId)).reduce((sum, hold) => sum + hold.qty, 0);
    expect(stock.reserved).toBe(held);
    for (const orderId of orderIds) await releaseHolds(table, orderId, now);
    const released = await consistentStock('SKU-MIX', 'MIX-WH');
    expect(released.reserved).toBe(0);
    expect(released.available).toBe(released.onHand - released.safetyStock);
  });
});
