import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TableRef } from '../../functions/adapters/dynamodb/client';
import { commitHold } from '../../functions/adapters/dynamodb/holds';
import { listHolds, releaseHolds, reserveOrder } from '../../functions/adapters/dynamodb/reservations';
import { getStock, recordCycleCount } from '../../functions/adapters/dynamodb/stock';
import { rebalanceStock, setStockShards } from '../../functions/adapters/dynamodb/stock-shards';
import { availableToPromise, satisfiesStockInvariant, storedAvailable } from '../../functions/core/stock';
import { createTestTable } from '../support/dynamodb';
import { deliveryTo, now, placeOrder, seedStock, warehouse } from './fixtures';

/**
 * Model-based test of the inventory invariant (docs/inventory.md) against DynamoDB Local: random sequences of
 * reservations (single and concurrent), releases, commits (picking), cycle counts, switches between shard
 * counts (hot SKU) and rebalancing on one SKU at one location, checked after every command against a model
 * and against `0 ≤ reserved ≤ onHand`, `available = onHand − reserved − safetyStock`, no shard negative.
 */
interface Model {
  onHand: number;
  reserved: number;
  safetyStock: number;
  /** Held quantity per order. */
  holds: Map<string, number>;
}

interface Real {
  readonly table: TableRef;
  readonly sku: string;
  nextOrder: number;
}

const locationId = 'M-WH';
let table: TableRef;
let runs = 0;

beforeAll(async () => {
  const created = await createTestTable();
  table = { document: created.document, tableName: created.tableName };
});

const modelAvailable = (model: Model) => Math.max(0, model.onHand - model.reserved - model.safetyStock);

async function check(model: Model, real: Real): Promise<void> {
  const stock = await getStock(real.table, real.sku, locationId);
  if (!stock) throw new Error('stock vanished');
  expect(satisfiesStockInvariant(stock)).toBe(true);
  expect(stock.available).toBe(storedAvailable(stock));
  expect(availableToPromise(stock)).toBeGreaterThanOrEqual(0);
  for (const shard of stock.buckets.shards) {
    expect(shard.available).toBeGreaterThanOrEqual(0);
    expect(shard.reserved).toBeGreaterThanOrEqual(0);
  }
  expect({ onHand: stock.onHand, reserved: stock.reserved, safetyStock: stock.safetyStock }).toEqual({
    onHand: model.onHand,
    reserved: model.reserved,
    safetyStock: model.safetyStock,
  });
}

async function placeAndReserve(real: Real, qty: number): Promise<string> {
  const orderId = `${real.sku}-o${real.nextOrder++}`;
  await placeOrder(real.table, orderId, {
    customerId: 'c',
    fulfilment: { type: 'delivery', address: deliveryTo },
    lines: [{ sku: real.sku, qty }],
  });
  return orderId;
}

const reserve = (real: Real, orderId: string) =>
  reserveOrder(real.table, { orderId, step: 'ReserveStock', actor: 'model', now, holdMinutes: 30 });

async function heldBy(real: Real, orderId: string): Promise<number> {
  const holds = await listHolds(real.table, orderId);
  return holds.filter((hold) => hold.status === 'HELD').reduce((sum, hold) => sum + hold.qty, 0);
}

class Reserve implements fc.AsyncCommand<Model, Real> {
  constructor(readonly qtys: readonly number[]) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const orderIds = await Promise.all(this.qtys.map((qty) => placeAndReserve(real, qty)));
    // Concurrent reservations race for the same stock item; a loser that ran out of attempts is re-run.
    const outcomes = await Promise.allSettled(orderIds.map((orderId) => reserve(real, orderId)));
    for (const [index, outcome] of outcomes.entries())
      if (outcome.status === 'rejected') await reserve(real, orderIds[index] as string);
    // Whatever the interleaving, together they hold everything asked for, up to what was available.
    const asked = this.qtys.reduce((sum, qty) => sum + qty, 0);
    const expected = Math.min(asked, modelAvailable(model));
    let held = 0;
    for (const orderId of orderIds) {
      const qty = await heldBy(real, orderId);
      held += qty;
      if (qty > 0) model.holds.set(orderId, qty);
    }
    expect(held).toBe(expected);
    model.reserved += held;
    await check(model, real);
  }
  toString = () => `Reserve(${this.qtys.join(', ')})`;
}

class Release implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number) {}
  check = (model: Readonly<Model>) => model.holds.size > 0;
  async run(model: Model, real: Real): Promise<void> {
    const [orderId, qty] = [...model.holds.entries()][this.pick % model.holds.size] as [string, number];
    expect(await releaseHolds(real.table, orderId, now)).toBe(1);
    expect(await releaseHolds(real.table, orderId, now)).toBe(0);
    model.holds.delete(orderId);
    model.reserved -= qty;
    await check(model, real);
  }
  toString = () => `Release(#${this.pick})`;
}

class Commit implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number) {}
  check = (model: Readonly<Model>) => model.holds.size > 0;
  async run(model: Model, real: Real): Promise<void> {
    const [orderId, qty] = [...model.holds.entries()][this.pick % model.holds.size] as [string, number];
    const hold = { orderId, sku: real.sku, locationId };
    const outcomes = await Promise.all([
      commitHold(real.table, hold, now),
      commitHold(real.table, hold, now),
    ]);
    expect(outcomes.sort()).toEqual(['committed', 'not-held']);
    model.holds.delete(orderId);
    model.reserved -= qty;
    model.onHand -= qty;
    await check(model, real);
  }
  toString = () => `Commit(#${this.pick})`;
}

class CycleCount implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly onHand: number,
    readonly safetyStock: number,
  ) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const result = await recordCycleCount(
      real.table,
      real.sku,
      locationId,
      { onHand: this.onHand, safetyStock: this.safetyStock },
      now,
    );
    if (this.onHand < model.reserved) {
      expect(result).toEqual({ outcome: 'below-reserved', reserved: model.reserved });
    } else {
      expect(result.outcome).toBe('saved');
      model.onHand = this.onHand;
      model.safetyStock = this.safetyStock;
    }
    await check(model, real);
  }
  toString = () => `CycleCount(${this.onHand}, ${this.safetyStock})`;
}

/** Switching the shard count moves units between items; the figures do not change. */
class SetShards implements fc.AsyncCommand<Model, Real> {
  constructor(readonly shards: number) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    expect(await setStockShards(real.table, real.sku, locationId, this.shards, now)).toMatchObject({
      outcome: 'saved',
      stock: { shardCount: this.shards },
    });
    await check(model, real);
  }
  toString = () => `SetShards(${this.shards})`;
}

class Rebalance implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    expect((await rebalanceStock(real.table, real.sku, locationId, now)).kind).not.toBe('conflict');
    await check(model, real);
  }
  toString = () => 'Rebalance';
}

const commands = [
  fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }).map((qtys) => new Reserve(qtys)),
  fc.nat().map((pick) => new Release(pick)),
  fc.nat().map((pick) => new Commit(pick)),
  fc
    .tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 4 }))
    .map(([onHand, safety]) => new CycleCount(onHand, safety)),
  fc.constantFrom(1, 2, 3, 5).map((shards) => new SetShards(shards)),
  fc.constant(new Rebalance()),
];

describe('inventory invariant (model-based, DynamoDB Local)', () => {
  it('holds under interleaved reserve, release, commit, cycle count, shard switch and rebalance', async () => {
    await seedStock(table, { [locationId]: { location: warehouse, skus: {} } });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 20 }),
        fc.commands(commands, { maxCommands: 14 }),
        async (initial, program) => {
          const sku = `SKU-M${runs++}`;
          await recordCycleCount(table, sku, locationId, { onHand: initial, safetyStock: 0 }, now);
          const model: Model = { onHand: initial, reserved: 0, safetyStock: 0, holds: new Map() };
          await fc.asyncModelRun(() => ({ model, real: { table, sku, nextOrder: 0 } }), program);
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);
});
