/**
 * Hot SKUs (flash sales): the stock of one SKU at one location split over N shard items, so reservations
 * write to different items instead of queueing on one (DynamoDB serves roughly 1,000 writes/s per item).
 *
 * The stock item stays the *head*: it alone keeps `onHand`, `safetyStock`, `inbound` and the shard count.
 * Every bucket (the head and each shard) keeps its own `available` and `reserved`; a reservation moves units
 * from `available` to `reserved` inside one bucket and a release moves them back into the same bucket, so
 * every write on the hot path is a single-item conditional update and
 *
 *     Σ available + Σ reserved = onHand − safetyStock      (over the head and all shards)
 *
 * holds after every write, whatever the interleaving. Shards never go negative (their takes are conditional);
 * only the head may (a *debt*: a cycle count found fewer units than promised plus safety stock). A debt is
 * only ever created with every shard drained, and whoever next takes from the shards settles it first, in
 * the same transaction, conditioned on the head's `available` it read — so units returned to a shard while
 * the head is in debt are never promised twice. Since the head never owes more than the safety stock,
 * `reserved ≤ onHand` at the totals level follows from the sum above.
 *
 * Pure: no I/O. The adapter (functions/adapters/dynamodb/stock.ts) turns these plans into conditional writes.
 */

import { maxStockShards } from '../contracts/schemas';

export { maxStockShards };

export interface BucketFigures {
  readonly available: number;
  readonly reserved: number;
}

export interface ShardFigures extends BucketFigures {
  readonly shard: number;
}

/** The head and every shard item that exists, including retired ones (index ≥ shardCount) still holding units. */
export interface StockBuckets {
  /** 1 = not sharded: the head is the only bucket. */
  readonly shardCount: number;
  readonly head: BucketFigures;
  readonly shards: readonly ShardFigures[];
}

/** `head`, or a shard number. */
export type Bucket = 'head' | number;

/**
 * One bucket's change. `available` is a delta; a negative one is a take (the adapter conditions it on
 * `available ≥ take`). `expectHeadAvailable` (head only) conditions a debt settlement on the debt it read.
 */
export interface BucketChange {
  readonly bucket: Bucket;
  readonly available: number;
  readonly reserved: number;
  readonly expectHeadAvailable?: number;
}

/** A shard beyond the count, or any shard of stock switched back to one item: it only drains. */
const isRetired = (shard: number, shardCount: number) => shardCount <= 1 || shard >= shardCount;

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

/** The buckets after `changes` (for answers computed without re-reading). */
export function applyBucketChanges(buckets: StockBuckets, changes: readonly BucketChange[]): StockBuckets {
  const shards = new Map(buckets.shards.map((shard) => [shard.shard, shard]));
  let head = buckets.head;
  for (const change of changes) {
    if (change.bucket === 'head') {
      head = { available: head.available + change.available, reserved: head.reserved + change.reserved };
      continue;
    }
    const shard = shards.get(change.bucket) ?? { shard: change.bucket, available: 0, reserved: 0 };
    shards.set(change.bucket, {
      shard: change.bucket,
      available: shard.available + change.available,
      reserved: shard.reserved + change.reserved,
    });
  }
  return { ...buckets, head, shards: [...shards.values()].sort((a, b) => a.shard - b.shard) };
}

/** Units the location can promise now: every bucket's `available`, the head's debt netted. */
export function reservableUnits(buckets: StockBuckets): number {
  return Math.max(0, buckets.head.available + sum(buckets.shards.map((shard) => shard.available)));
}

/** Totals over the buckets (what reads report). */
export function bucketTotals(buckets: StockBuckets): BucketFigures {
  return {
    available: buckets.head.available + sum(buckets.shards.map((shard) => shard.available)),
    reserved: buckets.head.reserved + sum(buckets.shards.map((shard) => shard.reserved)),
  };
}

/**
 * The shard a reservation tries first. A stable hash of (order, SKU) spreads concurrent orders over the
 * shards, and a retried reservation of the same order starts where it started before. FNV-1a: tiny, no I/O.
 */
export function startShard(routingKey: string, shardCount: number): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < routingKey.length; index++) {
    hash ^= routingKey.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % Math.max(1, shardCount);
}

/**
 * The order in which a reservation visits buckets: the active shards from its start shard round, then retired
 * shards (units released to them after a switch), then the head (units received or counted since the last
 * rebalance). Unsharded stock has the head only.
 */
export function probeOrder(buckets: StockBuckets, routingKey: string): Bucket[] {
  if (buckets.shardCount <= 1 && buckets.shards.length === 0) return ['head'];
  const count = Math.max(1, buckets.shardCount);
  const start = startShard(routingKey, count);
  const active = buckets.shardCount > 1 ? Array.from({ length: count }, (_, i) => (start + i) % count) : [];
  const retired = buckets.shards
    .map((shard) => shard.shard)
    .filter((shard) => !active.includes(shard))
    .sort((a, b) => a - b);
  return [...active, ...retired, 'head'];
}

/**
 * How to reserve `qty` units: take from buckets in probe order, as much as each has, splitting the quantity
 * over several shards when no single one has it all (all in the caller's one transaction). A head debt is
 * settled first from the shards. Undefined when the buckets do not have `qty` units (the read is stale: the
 * caller re-reads).
 */
export function planReservation(
  buckets: StockBuckets,
  qty: number,
  routingKey: string,
): BucketChange[] | undefined {
  if (!Number.isInteger(qty) || qty <= 0) throw new RangeError(`cannot reserve ${qty} units`);
  if (reservableUnits(buckets) < qty) return undefined;
  const debt = Math.max(0, -buckets.head.available);
  const availableOf = new Map<Bucket, number>([
    ['head', Math.max(0, buckets.head.available)],
    ...buckets.shards.map((shard) => [shard.shard, shard.available] as const),
  ]);
  const changes: BucketChange[] = [];
  let toSettle = debt;
  let toReserve = qty;
  for (const bucket of probeOrder(buckets, routingKey)) {
    let left = Math.max(0, availableOf.get(bucket) ?? 0);
    const settled = Math.min(left, toSettle);
    left -= settled;
    toSettle -= settled;
    const reserved = Math.min(left, toReserve);
    toReserve -= reserved;
    if (settled + reserved > 0) changes.push({ bucket, available: -(settled + reserved), reserved });
    if (toSettle === 0 && toReserve === 0) break;
  }
  if (debt > 0)
    changes.push({
      bucket: 'head',
      available: debt,
      reserved: 0,
      expectHeadAvailable: buckets.head.available,
    });
  return changes;
}

/**
 * Splits `total` units into `count` near-equal parts. The remainder goes to the buckets that already hold the
 * most (`current`, by index), so a rebalance moves as few units as possible.
 */
export function spread(total: number, count: number, current: readonly number[] = []): number[] {
  if (count <= 0) return [];
  const base = Math.floor(total / count);
  const remainder = total - base * count;
  const richest = Array.from({ length: count }, (_, i) => i)
    .sort((a, b) => (current[b] ?? 0) - (current[a] ?? 0) || a - b)
    .slice(0, remainder);
  return Array.from({ length: count }, (_, i) => base + (richest.includes(i) ? 1 : 0));
}

/**
 * Where the `available` units should be with `shardCount` shards: a debt (or no units at all) stays on the
 * head with every shard empty; otherwise the head is emptied and the units spread evenly over the active
 * shards, retired shards emptied. Unsharded (`shardCount` 1), everything goes back to the head. Reserved
 * units never move: their holds return them to the bucket they came from.
 */
export function planRedistribution(buckets: StockBuckets, shardCount: number): BucketChange[] {
  if (!Number.isInteger(shardCount) || shardCount < 1 || shardCount > maxStockShards)
    throw new RangeError(`shard count must be 1..${maxStockShards}, not ${shardCount}`);
  const net = buckets.head.available + sum(buckets.shards.map((shard) => shard.available));
  const current = new Map(buckets.shards.map((shard) => [shard.shard, shard.available]));
  const targets = new Map<number, number>();
  let headTarget = net;
  if (shardCount > 1 && net > 0) {
    const shares = spread(
      net,
      shardCount,
      Array.from({ length: shardCount }, (_, i) => current.get(i) ?? 0),
    );
    shares.forEach((share, shard) => {
      targets.set(shard, share);
    });
    headTarget = 0;
  }
  const changes: BucketChange[] = [];
  const shardNumbers = new Set([...current.keys(), ...targets.keys()]);
  for (const shard of [...shardNumbers].sort((a, b) => a - b)) {
    const delta = (targets.get(shard) ?? 0) - (current.get(shard) ?? 0);
    if (delta !== 0) changes.push({ bucket: shard, available: delta, reserved: 0 });
  }
  const headDelta = headTarget - buckets.head.available;
  if (headDelta !== 0)
    changes.push({
      bucket: 'head',
      available: headDelta,
      reserved: 0,
      // Conditioned on the head as read: a debt or surplus that changed meanwhile is not moved twice.
      expectHeadAvailable: buckets.head.available,
    });
  return changes;
}

/**
 * What the periodic rebalancer should move, or nothing when the stock is balanced enough: active shards
 * within one unit of each other, no surplus or debt on the head, no units stranded in retired shards.
 * Reservations are correct without it (they probe every bucket); it keeps them to one write each.
 */
export function planRebalance(buckets: StockBuckets): BucketChange[] {
  const active = Array.from(
    { length: buckets.shardCount },
    (_, i) => buckets.shards.find((shard) => shard.shard === i)?.available ?? 0,
  );
  const net = buckets.head.available + sum(buckets.shards.map((shard) => shard.available));
  const retiredUnits = buckets.shards.some(
    (shard) => isRetired(shard.shard, buckets.shardCount) && shard.available > 0,
  );
  const shardUnits = net - buckets.head.available;
  // A surplus on a sharded head, or a debt while shards hold units: both belong in (or out of) the shards.
  const headOff =
    (buckets.shardCount > 1 && buckets.head.available > 0) || (buckets.head.available < 0 && shardUnits > 0);
  const uneven = buckets.shardCount > 1 && active.length > 0 && Math.max(...active) - Math.min(...active) > 1;
  if (!retiredUnits && !headOff && !uneven) return [];
  return planRedistribution(buckets, buckets.shardCount);
}

/** Shards that can be deleted: retired (index ≥ shardCount) and holding nothing. */
export function emptyRetiredShards(buckets: StockBuckets): number[] {
  return buckets.shards
    .filter(
      (shard) => isRetired(shard.shard, buckets.shardCount) && shard.available === 0 && shard.reserved === 0,
    )
    .map((shard) => shard.shard);
}

/**
 * A cycle count's effect on `available` when the location is sharded. `delta` is the change of
 * `onHand − safetyStock`. Gains settle a head debt first and then go to the head (the rebalancer spreads
 * them); losses come out of the head's surplus first, then out of the shards — never leaving units in a shard
 * while the head is in debt, so a reservation can never promise a unit the count took away.
 */
export function planCountAdjustment(buckets: StockBuckets, delta: number): BucketChange[] {
  if (delta >= 0) return delta === 0 ? [] : [{ bucket: 'head', available: delta, reserved: 0 }];
  const shardUnits = sum(buckets.shards.map((shard) => shard.available));
  // Units to take after the head's surplus, plus any debt it already has (units released into shards since
  // are settled now); shards give at most what they hold, the rest is debt.
  const fromShards = Math.min(shardUnits, Math.max(0, -delta - buckets.head.available));
  const changes: BucketChange[] = [];
  let left = fromShards;
  for (const shard of [...buckets.shards].sort((a, b) => b.available - a.available)) {
    if (left === 0) break;
    const take = Math.min(shard.available, left);
    if (take > 0) changes.push({ bucket: shard.shard, available: -take, reserved: 0 });
    left -= take;
  }
  const headDelta = delta + fromShards;
  if (headDelta !== 0) changes.push({ bucket: 'head', available: headDelta, reserved: 0 });
  return changes;
}

/**
 * Where a hold's units sit: `shards` maps shard number → units taken from it; whatever the map does not
 * cover is on the head (holds from before sharding, and holds created by goods receipts, have no map).
 */
export function holdParts(
  qty: number,
  shards: Readonly<Record<string, number>> | undefined,
): { bucket: Bucket; qty: number }[] {
  const parts: { bucket: Bucket; qty: number }[] = Object.entries(shards ?? {})
    .filter(([, units]) => units > 0)
    .map(([shard, units]) => ({ bucket: Number(shard), qty: units }));
  const onHead = qty - sum(parts.map((part) => part.qty));
  if (onHead < 0) throw new RangeError(`a hold of ${qty} cannot have ${qty - onHead} units in shards`);
  return onHead > 0 ? [...parts, { bucket: 'head', qty: onHead }] : parts;
}

/** A hold's shard map after a reservation added `changes` to it. */
export function mergeHoldShards(
  shards: Readonly<Record<string, number>> | undefined,
  changes: readonly BucketChange[],
): Record<string, number> {
  const merged: Record<string, number> = { ...(shards ?? {}) };
  for (const change of changes) {
    if (change.bucket === 'head' || change.reserved <= 0) continue;
    const key = String(change.bucket);
    merged[key] = (merged[key] ?? 0) + change.reserved;
  }
  return merged;
}

/** A stock change of one bucket, with the units leaving or joining the shelf (`onHand` lives on the head). */
export interface SettledBucketChange extends BucketChange {
  readonly onHand?: number;
}

/**
 * How a HELD hold's units settle when staff are done with it: `picked` leave the shelf with the order,
 * `missing` were not there (a cycle-count write-off: they leave the shelf too, with nobody), and the rest
 * are released back to available. Every bucket the hold reserved in gives up its reservation; the picked
 * and missing units are taken from the head's `onHand`, where a location's on-hand count lives.
 */
export function settleHoldChanges(
  qty: number,
  shards: Readonly<Record<string, number>> | undefined,
  settle: { readonly picked: number; readonly missing: number; readonly returned?: number },
): SettledBucketChange[] {
  const gone = settle.picked + settle.missing;
  const returned = settle.returned ?? 0;
  if (settle.picked < 0 || settle.missing < 0 || gone > qty)
    throw new RangeError(
      `a hold of ${qty} cannot settle ${settle.picked} picked and ${settle.missing} missing`,
    );
  let toTake = gone;
  const changes: SettledBucketChange[] = holdParts(qty, shards).map((part) => {
    const taken = Math.min(toTake, part.qty);
    toTake -= taken;
    return { bucket: part.bucket, available: part.qty - taken, reserved: -part.qty };
  });
  // Units coming back from elsewhere (a transfer's, to the store that failed the order) join the head too.
  if (gone === 0 && returned === 0) return changes;
  const head = changes.find((change) => change.bucket === 'head');
  const onHead = (change: SettledBucketChange): SettledBucketChange => ({
    ...change,
    available: change.available + returned,
    onHand: returned - gone,
  });
  return head
    ? changes.map((change) => (change === head ? onHead(head) : change))
    : [...changes, onHead({ bucket: 'head', available: 0, reserved: 0 })];
}

/** Changes of the same bucket summed into one: a transaction may write each stock item once. */
export function mergeBucketChanges(changes: readonly SettledBucketChange[]): SettledBucketChange[] {
  const merged = new Map<string, SettledBucketChange>();
  for (const change of changes) {
    const key = String(change.bucket);
    const before = merged.get(key);
    merged.set(
      key,
      before
        ? {
            bucket: change.bucket,
            available: before.available + change.available,
            reserved: before.reserved + change.reserved,
            ...(before.onHand !== undefined || change.onHand !== undefined
              ? { onHand: (before.onHand ?? 0) + (change.onHand ?? 0) }
              : {}),
          }
        : change,
    );
  }
  return [...merged.values()];
}
