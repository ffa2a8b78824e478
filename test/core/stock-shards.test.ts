import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyBucketChanges,
  type BucketChange,
  bucketTotals,
  emptyRetiredShards,
  holdParts,
  maxStockShards,
  mergeHoldShards,
  planCountAdjustment,
  planRebalance,
  planRedistribution,
  planReservation,
  probeOrder,
  reservableUnits,
  type StockBuckets,
  spread,
  startShard,
} from '../../functions/core/stock-shards';

/** Any stock a sequence of writes can leave: shards (maybe retired) never negative, the head maybe in debt. */
const buckets: fc.Arbitrary<StockBuckets> = fc
  .record({
    shardCount: fc.integer({ min: 1, max: 8 }),
    head: fc.record({ available: fc.integer({ min: -10, max: 20 }), reserved: fc.nat(20) }),
    shards: fc.uniqueArray(fc.record({ shard: fc.nat(9), available: fc.nat(20), reserved: fc.nat(20) }), {
      selector: (shard) => shard.shard,
      maxLength: 10,
    }),
  })
  .map((stock) => ({ ...stock, shards: [...stock.shards].sort((a, b) => a.shard - b.shard) }));

const sharded = (available: number[], head = 0): StockBuckets => ({
  shardCount: available.length,
  head: { available: head, reserved: 0 },
  shards: available.map((units, shard) => ({ shard, available: units, reserved: 0 })),
});

function expectNoNegativeShard(after: StockBuckets) {
  for (const shard of after.shards) {
    expect(shard.available).toBeGreaterThanOrEqual(0);
    expect(shard.reserved).toBeGreaterThanOrEqual(0);
  }
}

/** Every take in a plan is backed by units the bucket had. */
function expectTakesBacked(before: StockBuckets, changes: readonly BucketChange[]) {
  for (const change of changes) {
    if (change.available >= 0) continue;
    const had =
      change.bucket === 'head'
        ? before.head.available
        : (before.shards.find((shard) => shard.shard === change.bucket)?.available ?? 0);
    expect(-change.available).toBeLessThanOrEqual(had);
  }
}

describe('routing', () => {
  it('starts every order at a stable shard in range, spreading orders over the shards', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: maxStockShards }), (key, count) => {
        const shard = startShard(key, count);
        expect(shard).toBeGreaterThanOrEqual(0);
        expect(shard).toBeLessThan(count);
        expect(startShard(key, count)).toBe(shard);
      }),
    );
    const starts = new Set(Array.from({ length: 200 }, (_, i) => startShard(`order-${i}#SKU`, 8)));
    expect(starts.size).toBe(8);
  });

  it('probes the active shards from the start shard round, then retired shards, then the head', () => {
    const stock: StockBuckets = {
      shardCount: 3,
      head: { available: 1, reserved: 0 },
      shards: [0, 1, 2, 5].map((shard) => ({ shard, available: 1, reserved: 0 })),
    };
    const order = probeOrder(stock, 'k');
    const start = startShard('k', 3);
    expect(order).toEqual([start, (start + 1) % 3, (start + 2) % 3, 5, 'head']);
    const unsharded = { shardCount: 1, head: { available: 4, reserved: 0 }, shards: [] };
    expect(probeOrder(unsharded, 'k')).toEqual(['head']);
  });
});

describe('planReservation', () => {
  it('takes from the start shard alone when it has the units', () => {
    const key = 'order-1#SKU';
    const start = startShard(key, 4);
    expect(planReservation(sharded([5, 5, 5, 5]), 2, key)).toEqual([
      { bucket: start, available: -2, reserved: 2 },
    ]);
  });

  it('probes past empty shards and splits a quantity no single shard has', () => {
    const key = 'order-2#SKU';
    const start = startShard(key, 4);
    const available = [0, 0, 0, 0];
    available[(start + 2) % 4] = 2;
    available[(start + 3) % 4] = 3;
    expect(planReservation(sharded(available), 4, key)).toEqual([
      { bucket: (start + 2) % 4, available: -2, reserved: 2 },
      { bucket: (start + 3) % 4, available: -2, reserved: 2 },
    ]);
    expect(planReservation(sharded(available), 6, key)).toBeUndefined();
  });

  it('settles a head debt out of the shards before taking, conditioned on the debt read', () => {
    const plan = planReservation(sharded([4, 0], -3), 1, 'k') as BucketChange[];
    expect(plan).toContainEqual({ bucket: 'head', available: 3, reserved: 0, expectHeadAvailable: -3 });
    expect(planReservation(sharded([4, 0], -3), 2, 'k')).toBeUndefined();
    expect(() => planReservation(sharded([4]), 0, 'k')).toThrow(RangeError);
  });

  it('reserves exactly qty when the units are there, never driving a bucket negative (property)', () => {
    fc.assert(
      fc.property(buckets, fc.integer({ min: 1, max: 40 }), fc.string(), (stock, qty, key) => {
        const plan = planReservation(stock, qty, key);
        if (reservableUnits(stock) < qty) {
          expect(plan).toBeUndefined();
          return;
        }
        expect(plan).toBeDefined();
        const changes = plan as BucketChange[];
        expectTakesBacked(stock, changes);
        const after = applyBucketChanges(stock, changes);
        expectNoNegativeShard(after);
        // A debt is settled, surplus is only taken from: the head ends at or above zero.
        expect(after.head.available).toBeGreaterThanOrEqual(0);
        const before = bucketTotals(stock);
        expect(bucketTotals(after)).toEqual({
          available: before.available - qty,
          reserved: before.reserved + qty,
        });
        // Each bucket appears once: DynamoDB refuses two writes to one item in a transaction.
        expect(new Set(changes.map((change) => change.bucket)).size).toBe(changes.length);
      }),
    );
  });
});

describe('planRedistribution (switching the shard count)', () => {
  it('spreads available units evenly over the new shards and back onto the head for one', () => {
    const changes = planRedistribution(sharded([10]), 4);
    const after = applyBucketChanges({ ...sharded([10]), shardCount: 4 }, changes);
    expect(after.head.available).toBe(0);
    expect(after.shards.map((shard) => shard.available).sort()).toEqual([2, 2, 3, 3]);
  });

  it('moves units only, reserved stays put, shards even, retired shards emptied (property)', () => {
    fc.assert(
      fc.property(buckets, fc.integer({ min: 1, max: maxStockShards }), (stock, count) => {
        const changes = planRedistribution(stock, count);
        expectTakesBacked(stock, changes);
        const after = applyBucketChanges({ ...stock, shardCount: count }, changes);
        expectNoNegativeShard(after);
        expect(bucketTotals(after)).toEqual(bucketTotals(stock));
        expect(changes.every((change) => change.reserved === 0)).toBe(true);
        const net = bucketTotals(stock).available;
        const active = after.shards.filter((shard) => shard.shard < count).map((shard) => shard.available);
        const retired = after.shards.filter((shard) => shard.shard >= count);
        expect(retired.every((shard) => shard.available === 0)).toBe(true);
        if (count > 1 && net > 0) {
          expect(after.head.available).toBe(0);
          expect(Math.max(...active) - Math.min(...active)).toBeLessThanOrEqual(1);
        } else {
          expect(after.head.available).toBe(net);
        }
      }),
    );
  });

  it('refuses a count outside 1..max', () => {
    expect(() => planRedistribution(sharded([1]), 0)).toThrow(RangeError);
    expect(() => planRedistribution(sharded([1]), maxStockShards + 1)).toThrow(RangeError);
  });
});

describe('planRebalance', () => {
  it('leaves balanced stock alone and evens out drained shards', () => {
    expect(planRebalance(sharded([3, 3, 2]))).toEqual([]);
    const changes = planRebalance(sharded([0, 6, 0]));
    expect(applyBucketChanges(sharded([0, 6, 0]), changes).shards.map((s) => s.available)).toEqual([2, 2, 2]);
  });

  it('converges in one step and conserves units (property)', () => {
    fc.assert(
      fc.property(buckets, (stock) => {
        const changes = planRebalance(stock);
        expectTakesBacked(stock, changes);
        const after = applyBucketChanges(stock, changes);
        expectNoNegativeShard(after);
        expect(bucketTotals(after)).toEqual(bucketTotals(stock));
        expect(planRebalance(after)).toEqual([]);
      }),
    );
  });

  it('lists retired shards that hold nothing, for deletion', () => {
    const stock: StockBuckets = {
      shardCount: 2,
      head: { available: 0, reserved: 0 },
      shards: [
        { shard: 0, available: 1, reserved: 0 },
        { shard: 2, available: 0, reserved: 0 },
        { shard: 3, available: 0, reserved: 1 },
      ],
    };
    expect(emptyRetiredShards(stock)).toEqual([2]);
  });
});

describe('planCountAdjustment (cycle count on sharded stock)', () => {
  it('adds gains to the head and takes losses from the head surplus, then the shards, then as debt', () => {
    expect(planCountAdjustment(sharded([2, 2]), 3)).toEqual([{ bucket: 'head', available: 3, reserved: 0 }]);
    // The fullest shard covers a loss alone: the others are left alone.
    expect(planCountAdjustment(sharded([1, 5, 2]), -3)).toEqual([{ bucket: 1, available: -3, reserved: 0 }]);
    const after = applyBucketChanges(sharded([2, 3], 1), planCountAdjustment(sharded([2, 3], 1), -8));
    expect(after.head.available).toBe(-2);
    expect(after.shards.every((shard) => shard.available === 0)).toBe(true);
  });

  it('changes available by exactly delta and never leaves units in a shard while the head owes (property)', () => {
    fc.assert(
      fc.property(buckets, fc.integer({ min: -40, max: 40 }), (stock, delta) => {
        const changes = planCountAdjustment(stock, delta);
        // The head may go into debt (a count is a fact); shards give only what they have.
        expectTakesBacked(
          stock,
          changes.filter((change) => change.bucket !== 'head'),
        );
        const after = applyBucketChanges(stock, changes);
        expectNoNegativeShard(after);
        expect(bucketTotals(after).available).toBe(bucketTotals(stock).available + delta);
        expect(bucketTotals(after).reserved).toBe(bucketTotals(stock).reserved);
        if (delta < 0 && after.head.available < 0)
          expect(after.shards.every((shard) => shard.available === 0)).toBe(true);
      }),
    );
  });
});

describe('holds over shards', () => {
  it('records the units taken per shard and attributes the rest to the head', () => {
    const shards = mergeHoldShards({ '1': 2 }, [
      { bucket: 1, available: -1, reserved: 1 },
      { bucket: 3, available: -2, reserved: 2 },
      { bucket: 'head', available: 4, reserved: 0, expectHeadAvailable: -4 },
    ]);
    expect(shards).toEqual({ '1': 3, '3': 2 });
    expect(holdParts(7, shards)).toEqual([
      { bucket: 1, qty: 3 },
      { bucket: 3, qty: 2 },
      { bucket: 'head', qty: 2 },
    ]);
    expect(holdParts(4, undefined)).toEqual([{ bucket: 'head', qty: 4 }]);
    // Entirely in shards (nothing on the head); an emptied shard entry is no part.
    expect(holdParts(3, { '0': 3, '1': 0 })).toEqual([{ bucket: 0, qty: 3 }]);
    expect(() => holdParts(1, { '0': 2 })).toThrow(RangeError);
  });

  it('spreads units into near-equal parts, the remainder to the fullest buckets', () => {
    expect(spread(10, 4, [0, 9, 0, 5])).toEqual([2, 3, 2, 3]);
    expect(spread(3, 0)).toEqual([]);
    fc.assert(
      fc.property(fc.nat(1000), fc.integer({ min: 1, max: maxStockShards }), (total, count) => {
        const parts = spread(total, count);
        expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
        expect(Math.max(...parts) - Math.min(...parts)).toBeLessThanOrEqual(1);
      }),
    );
  });
});
