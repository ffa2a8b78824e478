import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { TransientError } from '../../contracts/errors';
import { keys } from '../../contracts/keys';
import { decideHoldExpiry } from '../../core/hold-expiry';
import { mergeBucketChanges, type SettledBucketChange, settleHoldChanges } from '../../core/stock-shards';
import { callAws } from '../errors';
import { pause } from './backoff';
import type { TableRef } from './client';
import { cancellationCodes, isTransactionRace, type TransactItem, transactWrite } from './items';
import { type HoldRecord, holdRecordSchema, loadOrder, versionedOrderChange } from './orders';
import { queryAll } from './query';
import { holdReleaseItems, stockChangeItems } from './stock';

export interface SweepInput {
  readonly now: Date;
  /**
   * How far back to look for expired holds. Holds live in hourly index buckets, so this bounds the reads per
   * sweep; a sweeper that was down for longer than this would leave older holds (a deliberate trade-off).
   */
  readonly lookbackHours: number;
  readonly actor: string;
}

export interface SweepResult {
  /** Holds this run released. */
  readonly released: number;
  /** Expired holds left alone because their order is already being picked. */
  readonly kept: number;
  /** Expired holds another run (or the order itself) released, committed or renewed first. */
  readonly lost: number;
}

const sweepStep = 'ReleaseExpiredHolds';
const sweepParallelism = 8;
const releaseAttempts = 6;

/**
 * The reservation-expiry sweeper (docs/inventory.md): releases every HELD hold whose `expiresAt` has passed, each in
 * its own transaction conditioned on the hold still being HELD, unchanged and expired, so a concurrent or
 * repeated sweep releases nothing twice and a renewed hold is never touched. TTL is not involved: it cannot
 * give stock back, only delete items, and it runs up to days late.
 */
export async function releaseExpiredHolds(table: TableRef, input: SweepInput): Promise<SweepResult> {
  const expired = await findExpiredHolds(table, input.now, input.lookbackHours);
  const totals = { released: 0, kept: 0, lost: 0 };
  for (let start = 0; start < expired.length; start += sweepParallelism) {
    const outcomes = await Promise.all(
      expired.slice(start, start + sweepParallelism).map((hold) => releaseExpiredHold(table, hold, input)),
    );
    for (const outcome of outcomes) totals[outcome]++;
  }
  return totals;
}

/** HELD holds expired at `now`, read from the sparse index bucket by bucket (eventually consistent: the write re-checks). */
export async function findExpiredHolds(
  table: TableRef,
  now: Date,
  lookbackHours: number,
): Promise<HoldRecord[]> {
  const nowIso = now.toISOString();
  // `<expiresAt>#…` sorts below `<now>$` exactly when expiresAt ≤ now ('#' < '$').
  const upper = `${nowIso}$`;
  const holds: HoldRecord[] = [];
  for (let hoursAgo = lookbackHours; hoursAgo >= 0; hoursAgo--) {
    const bucket = keys.heldHoldBucket(new Date(now.getTime() - hoursAgo * 3_600_000).toISOString());
    const items = await queryAll(table, 'findExpiredHolds', {
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :bucket AND gsi1sk < :upper',
      ExpressionAttributeValues: { ':bucket': bucket, ':upper': upper },
    });
    holds.push(...items.map((item) => holdRecordSchema.parse(item)));
  }
  return holds;
}

async function releaseExpiredHold(
  table: TableRef,
  hold: HoldRecord,
  input: SweepInput,
): Promise<'released' | 'kept' | 'lost'> {
  const at = input.now.toISOString();
  for (let attempt = 1; attempt <= releaseAttempts; attempt++) {
    const order = await loadOrder(table, hold.orderId);
    // A hold without its order cannot come from our writes (they are one transaction); leave it for a human.
    if (!order) return 'kept';
    const decision = decideHoldExpiry(order, hold);
    if (decision.kind === 'keep') return 'kept';
    try {
      await transactWrite(table, 'releaseExpiredHold', [
        {
          Update: {
            TableName: table.tableName,
            Key: keys.hold(hold.orderId, hold.sku, hold.locationId, hold.round),
            UpdateExpression:
              'SET #status = :released, releasedAt = :now, releaseReason = :reason REMOVE gsi1pk, gsi1sk',
            ConditionExpression:
              '#status = :held AND qty = :qty AND expiresAt = :expiresAt AND expiresAt <= :now',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':released': 'RELEASED',
              ':held': 'HELD',
              ':reason': 'EXPIRED',
              ':qty': hold.qty,
              ':expiresAt': hold.expiresAt,
              ':now': at,
            },
          },
        },
        ...holdReleaseItems(table, hold, at),
        ...versionedOrderChange(
          table,
          order,
          { status: decision.status, allocations: decision.allocations, shortfall: decision.shortfall },
          // One entry per hold: several holds of one order may expire in the same sweep.
          {
            at,
            status: decision.status,
            event: 'HOLD_EXPIRED',
            actor: input.actor,
            step: `${sweepStep}:${hold.sku}@${hold.locationId}`,
            reason: `released ${hold.qty} × ${hold.sku} at ${hold.locationId}, held until ${hold.expiresAt}`,
          },
        ),
      ]);
      return 'released';
    } catch (error) {
      // The hold itself changed: released, committed or renewed by someone else. Nothing left to do.
      if (cancellationCodes(error)[0] === 'ConditionalCheckFailed') return 'lost';
      if (!isTransactionRace(error)) throw error;
      await pause(attempt);
    }
  }
  throw new TransientError(`order ${hold.orderId} kept changing while releasing its expired hold`);
}

/**
 * Commits a HELD hold when its units are picked: they leave the shelf, so `onHand` and `reserved` both drop by
 * the hold's quantity and `available` stays as it was. Conditioned on the hold being HELD, so it commits once.
 */
export async function commitHold(
  table: TableRef,
  hold: {
    readonly orderId: string;
    readonly sku: string;
    readonly locationId: string;
    readonly round?: number;
  },
  now: Date,
): Promise<'committed' | 'not-held'> {
  const { Item: item } = await callAws('readHold', () =>
    table.document.send(
      new GetCommand({
        TableName: table.tableName,
        Key: keys.hold(hold.orderId, hold.sku, hold.locationId, hold.round),
        ConsistentRead: true,
      }),
    ),
  );
  const current = item ? holdRecordSchema.parse(item) : undefined;
  if (current?.status !== 'HELD') return 'not-held';
  try {
    await transactWrite(table, 'commitHold', holdCommitWrites(table, current, now.toISOString()));
    return 'committed';
  } catch (error) {
    if (cancellationCodes(error)[0] === 'ConditionalCheckFailed') return 'not-held';
    throw error;
  }
}

/**
 * A HELD hold committed, as transaction writes: its status (conditioned on it being HELD at the quantity
 * read) and the stock its units leave (`onHand` and `reserved` drop where they were held).
 */
export function holdCommitWrites(table: TableRef, hold: HoldRecord, at: string): TransactItem[] {
  return holdSettleWrites(table, hold, { picked: hold.qty, missing: 0, at });
}

/** What staff did with one HELD hold: units picked, units not there (written off), units coming back. */
export interface HoldSettlement {
  readonly hold: HoldRecord;
  readonly picked: number;
  readonly missing: number;
  /** Units returned to the same shelf with it (a failed pickup's transferred units of that SKU). */
  readonly returned?: number;
}

/**
 * A HELD hold settled by staff, as transaction writes (core/stock-shards.ts settleHoldChanges): `picked`
 * units leave with the order (the hold stays COMMITTED for them alone), `missing` ones are written off (a
 * cycle-count correction), the rest go back to available; with nothing picked the hold is RELEASED. The
 * hold's change is conditioned on it being HELD at the quantity read, so it settles once.
 */
export function holdSettleWrites(
  table: TableRef,
  hold: HoldRecord,
  settle: { readonly picked: number; readonly missing: number; readonly at: string },
): TransactItem[] {
  return holdsSettleWrites(table, [{ hold, picked: settle.picked, missing: settle.missing }], settle.at);
}

/**
 * Several holds settled in one transaction: each hold's own change, and the stock changes merged per item
 * (holds of two rounds at one location share a stock head, and a transaction may write an item once).
 */
export function holdsSettleWrites(
  table: TableRef,
  settlements: readonly HoldSettlement[],
  at: string,
): TransactItem[] {
  const stock = new Map<string, { sku: string; locationId: string; changes: SettledBucketChange[] }>();
  for (const { hold, picked, missing, returned } of settlements) {
    const key = `${hold.sku}\u0000${hold.locationId}`;
    const entry = stock.get(key) ?? { sku: hold.sku, locationId: hold.locationId, changes: [] };
    entry.changes.push(
      ...settleHoldChanges(hold.qty, hold.shards, { picked, missing, returned: returned ?? 0 }),
    );
    stock.set(key, entry);
  }
  return [
    ...settlements.map(({ hold, picked, missing }) => holdStatusWrite(table, hold, { picked, missing, at })),
    ...[...stock.values()].flatMap(({ sku, locationId, changes }) =>
      stockChangeItems(table, sku, locationId, mergeBucketChanges(changes), at),
    ),
  ];
}

function holdStatusWrite(
  table: TableRef,
  hold: HoldRecord,
  settle: { readonly picked: number; readonly missing: number; readonly at: string },
): TransactItem {
  const committed = settle.picked > 0;
  return {
    Update: {
      TableName: table.tableName,
      Key: keys.hold(hold.orderId, hold.sku, hold.locationId, hold.round),
      UpdateExpression: `SET #status = :to, qty = :kept, ${committed ? 'committedAt' : 'releasedAt'} = :now${
        settle.missing > 0 ? ', writtenOff = :missing' : ''
      } REMOVE gsi1pk, gsi1sk`,
      ConditionExpression: '#status = :held AND qty = :qty',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':to': committed ? 'COMMITTED' : 'RELEASED',
        ':kept': committed ? settle.picked : hold.qty,
        ':held': 'HELD',
        ':qty': hold.qty,
        ':now': settle.at,
        ...(settle.missing > 0 ? { ':missing': settle.missing } : {}),
      },
    },
  };
}
