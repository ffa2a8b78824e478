import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from '../functions/adapters/dynamodb/client';
import { saveLocation } from '../functions/adapters/dynamodb/locations';
import { acceptOrder } from '../functions/adapters/dynamodb/orders';
import { reserveOrder } from '../functions/adapters/dynamodb/reservations';
import { getStock, recordCycleCount } from '../functions/adapters/dynamodb/stock';
import { setStockShards } from '../functions/adapters/dynamodb/stock-shards';
import { tables } from '../functions/contracts/system';
import { createTable } from '../local/emulators/dynamodb/create-tables';
import { startDynamoDbLocal } from '../local/emulators/dynamodb/dynamodb-local';
import { localCredentials, localRegion } from '../local/emulators/protocol/identity';
import { deliveryTo, warehouse } from '../test/support/fixtures';
import type { Benchmark } from './harness';

const requests = 1000;
const units = 200;
const concurrency = 50;
const tableName = 'bench-reservations';
const locationId = 'BENCH-WH';
const now = new Date('2026-01-05T10:00:00.000Z');

interface Counters {
  reserved: number;
  refused: number;
  /** Transactions sent (reservations, and the BACKORDERED update of a refused order). */
  transactions: number;
  /** Transactions cancelled by a lost race (a take's condition or a conflict): the cost of contention. */
  lostRaces: number;
  /** Reservation tasks that ran out of attempts and were run again, as the workflow's Retry would. */
  taskRetries: number;
  /** When the last unit was reserved (performance.now()): how fast the stock sold. */
  lastReservedAt: number;
}

const newCounters = (): Counters => ({
  reserved: 0,
  refused: 0,
  transactions: 0,
  lostRaces: 0,
  taskRetries: 0,
  lastReservedAt: 0,
});

/**
 * Writes per second the modelled variants allow. In AWS a partition serves about 1,000 write units/s, and an
 * item lives in one partition, so one stock item tops out near 1,000 WCU/s (about 500 transactional writes/s),
 * and so do all items that share a partition key until DynamoDB splits the collection (split for heat: not
 * instant, not promised). DynamoDB Local has neither limit and serialises writes instead, so the model scales
 * the limit down to where the local table is not the bottleneck: at 10/s the stock's writes, not DynamoDB
 * Local, set the pace.
 */
const modelledWritesPerSecond = 10;

/**
 * What the modelled limit applies to: each item; each partition key (all items sharing it); or each partition
 * key as if the shards still shared their head's (`SKU#…`) partition, the layout before shards got their own.
 */
type CapacityScope = 'item' | 'partition' | 'partition, shards in the head partition';

/** The key a write waits on under a scope (`pk|sk` in). */
function capacityKey(itemKey: string, scope: CapacityScope): string {
  const [pk = ''] = itemKey.split('|');
  if (scope === 'item') return itemKey;
  const shard = /^STOCK_SHARD#([^#]+)#/.exec(pk);
  return scope === 'partition' || !shard ? pk : `SKU#${shard[1]}`;
}

type AttributeMap = Record<string, unknown>;
/** `pk`/`sk` of an item in a request (plain, or already marshalled as `{S: '…'}`), as one string. */
const itemKeyOf = (key: AttributeMap | undefined): string | undefined => {
  const part = (value: unknown) =>
    typeof value === 'string' ? value : ((value as { S?: string } | undefined)?.S ?? '');
  return key ? `${part(key.pk)}|${part(key.sk)}` : undefined;
};
/** The stock items (heads in `SKU#…` partitions, shards in `STOCK_SHARD#…` ones) a write request touches. */
function stockItemsWritten(commandName: string, input: AttributeMap): string[] {
  const keys =
    commandName === 'TransactWriteItemsCommand'
      ? ((input.TransactItems ?? []) as AttributeMap[]).map((item) => {
          const write = (item.Update ?? item.Put ?? item.Delete ?? item.ConditionCheck) as AttributeMap;
          return itemKeyOf((write.Key ?? write.Item) as AttributeMap);
        })
      : commandName === 'UpdateItemCommand' || commandName === 'PutItemCommand'
        ? [itemKeyOf((input.Key ?? input.Item) as AttributeMap)]
        : [];
  return keys.filter((key): key is string => /^(SKU|STOCK_SHARD|BENCH)#/.test(key ?? ''));
}

/**
 * Models DynamoDB's write capacity per item or per partition key: each write to a stock item takes the next
 * free slot of its item (or of its partition key)
 * (1/limit s apart) and waits for it, as a throttled write waits through the SDK's backoff. It is the best
 * case for a hot item (no wasted retries), so the gap it shows is a lower bound.
 */
function capacityGate(writesPerSecond: number, scope: CapacityScope) {
  const nextFree = new Map<string, number>();
  const spacing = 1000 / writesPerSecond;
  return async (items: readonly string[]) => {
    const now = performance.now();
    let waitUntil = now;
    for (const item of items.map((key) => capacityKey(key, scope))) {
      const slot = Math.max(now, nextFree.get(item) ?? 0);
      nextFree.set(item, slot + spacing);
      waitUntil = Math.max(waitUntil, slot);
    }
    if (waitUntil > now) await new Promise((resolve) => setTimeout(resolve, waitUntil - now));
  };
}

/** A document client that counts transactions and their cancellations for one variant. */
function countingClient(endpoint: string, counters: Counters, limit?: CapacityScope): DynamoDBDocumentClient {
  const client = new DynamoDBClient({ endpoint, region: localRegion, credentials: localCredentials });
  if (limit) {
    const gate = capacityGate(modelledWritesPerSecond, limit);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        await gate(stockItemsWritten(context.commandName ?? '', args.input as AttributeMap));
        return next(args);
      },
      { step: 'initialize', name: 'modelItemCapacity' },
    );
  }
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'TransactWriteItemsCommand') return next(args);
      counters.transactions++;
      try {
        return await next(args);
      } catch (error) {
        if (error instanceof Error && error.name === 'TransactionCanceledException') counters.lostRaces++;
        throw error;
      }
    },
    { step: 'initialize', name: 'countTransactions' },
  );
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** The baseline that must not be used: read available, write available − 1 unconditionally (no product code). */
async function naiveReadModifyWrite(document: DynamoDBDocumentClient, sku: string, counters: Counters) {
  const key = { pk: `BENCH#${sku}`, sk: 'NAIVE' };
  const { Item } = await document.send(
    new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
  );
  const available = Number(Item?.available ?? 0);
  if (available < 1) {
    counters.refused++;
    return;
  }
  await document.send(
    new UpdateCommand({
      TableName: tableName,
      Key: key,
      UpdateExpression: 'SET available = :next, reserved = reserved + :one',
      ExpressionAttributeValues: { ':next': available - 1, ':one': 1 },
    }),
  );
  counters.reserved++;
  counters.lastReservedAt = performance.now();
}

/** The product path: one single-unit order per request, reserved by the fulfilment task's `reserveOrder`. */
async function reserveProductOrder(table: TableRef, orderId: string, counters: Counters) {
  for (;;) {
    try {
      const result = await reserveOrder(table, {
        orderId,
        step: 'ReserveStock',
        actor: 'bench',
        now,
        holdMinutes: 30,
      });
      if (result.outcome === 'RESERVED') {
        counters.reserved++;
        counters.lastReservedAt = performance.now();
      } else counters.refused++;
      return;
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'TransientError') throw error;
      counters.taskRetries++;
    }
  }
}

async function inParallel(count: number, work: (index: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

/** A SKU with `units` on hand at the bench warehouse, split over `shards`, and `requests` accepted orders for it. */
async function seedProduct(table: TableRef, sku: string, shards: number) {
  await recordCycleCount(table, sku, locationId, { onHand: units, safetyStock: 0 }, now);
  if (shards > 1) await setStockShards(table, sku, locationId, shards, now);
  await inParallel(requests, async (index) => {
    const orderId = `${sku}-${index}`;
    await acceptOrder(table, {
      principalId: 'channel:bench',
      idempotencyKey: orderId,
      requestHash: orderId,
      body: {
        orderId,
        customerId: 'bench',
        fulfilment: { type: 'delivery', address: deliveryTo },
        lines: [{ sku, qty: 1 }],
      },
      orderId,
      channelOrderId: orderId,
      now,
    });
  });
}

let variantsMeasured = 0;

async function measure(endpoint: string, variant: string, shards: number | 'naive', limit?: CapacityScope) {
  // A SKU of its own per variant (SKU ids are short: the variant's name would not fit).
  const sku = `HOT-${++variantsMeasured}`;
  const counters = newCounters();
  const table: TableRef = { document: countingClient(endpoint, counters, limit), tableName };
  if (shards === 'naive') {
    await table.document.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: `BENCH#${sku}`, sk: 'NAIVE', available: units, reserved: 0 },
      }),
    );
  } else {
    await seedProduct(table, sku, shards);
  }
  Object.assign(counters, newCounters());
  const started = performance.now();
  await inParallel(requests, (index) =>
    shards === 'naive'
      ? naiveReadModifyWrite(table.document, sku, counters)
      : reserveProductOrder(table, `${sku}-${index}`, counters),
  );
  const seconds = (performance.now() - started) / 1000;
  const left =
    shards === 'naive'
      ? units - counters.reserved
      : Math.max(0, (await getStock(table, sku, locationId))?.available ?? 0);
  return {
    variant,
    requests,
    units,
    reserved: counters.reserved,
    oversold: Math.max(0, counters.reserved - units),
    // Demand exceeds supply, so anything left at the end was left while requests were refused.
    stranded: counters.refused > 0 ? Math.max(0, left) : 0,
    'transactions/order': counters.transactions / requests,
    'lost races/order': counters.lostRaces / requests,
    'task retries': counters.taskRetries,
    'orders/s': requests / seconds,
    // How fast the stock sold: the units reserved over the time to the last one.
    'reserved/s': counters.reserved / ((counters.lastReservedAt - started) / 1000),
  };
}

/**
 * Hot-SKU reservations against DynamoDB Local (bounded: fixed requests, units and concurrency). The product
 * path (`reserveOrder`, the fulfilment task) on one stock item and on 4 and 8 stock shards
 * (functions/core/stock-shards.ts), against a naive read-modify-write that oversells.
 */
export const reservationsBenchmark: Benchmark = {
  name: 'reservations',
  description: `hot-SKU reservations on DynamoDB Local: ${requests} single-unit orders for ${units} units, concurrency ${concurrency}`,
  async run() {
    const dynamodb = await startDynamoDbLocal();
    try {
      const setup = new DynamoDBClient({
        endpoint: dynamodb.endpoint,
        region: localRegion,
        credentials: localCredentials,
      });
      await createTable(setup, tableName, tables.main);
      await saveLocation(
        { document: DynamoDBDocumentClient.from(setup), tableName },
        locationId,
        warehouse,
        now,
      );
      // Warm the JVM and the connection pool so the first variant is not penalised.
      await measure(dynamodb.endpoint, 'warm-up', 1);
      const naive = await measure(dynamodb.endpoint, 'naive read-modify-write (baseline)', 'naive');
      const unlimited = [
        await measure(dynamodb.endpoint, 'reserveOrder, 1 stock item', 1),
        await measure(dynamodb.endpoint, 'reserveOrder, 4 shards', 4),
        await measure(dynamodb.endpoint, 'reserveOrder, 8 shards', 8),
      ];
      // The same, with the writes limited the way a hot item or partition is in AWS (modelled, see above).
      const limited = async (shards: number, scope: CapacityScope) => {
        const items = shards === 1 ? '1 stock item' : `${shards} shards`;
        const variant = `reserveOrder, ${items}, ≤ ${modelledWritesPerSecond} writes/s per ${scope}`;
        return measure(dynamodb.endpoint, variant, shards, scope);
      };
      const modelled = [
        await limited(1, 'item'),
        await limited(4, 'item'),
        await limited(8, 'item'),
        await limited(4, 'partition, shards in the head partition'),
        await limited(8, 'partition, shards in the head partition'),
        await limited(4, 'partition'),
        await limited(8, 'partition'),
      ];
      // Each group against its own one-item row: how much faster the units sell.
      const against = (group: typeof modelled) =>
        group.map((row) => ({
          ...row,
          'reserved/s vs 1 item': row['reserved/s'] / (group[0]?.['reserved/s'] ?? Number.NaN),
        }));
      const rows = [{ ...naive, 'reserved/s vs 1 item': '-' }, ...against(unlimited), ...against(modelled)];
      return {
        rows,
        notes: [
          `naive baseline oversold ${naive.oversold} units: it must never be used`,
          'lost races: transactions cancelled because another order took the units or held the item first; shards spread orders over items, so fewer collide.',
          'DynamoDB Local serialises writes per table, so unlimited orders/s says little about shards; in AWS a partition (so also one item) tops out near 1,000 WCU/s, which is what shards lift.',
          `the "≤ ${modelledWritesPerSecond} writes/s" rows model that limit (scaled down, each write waits for its item's or partition's next free slot); reserved/s is how fast the ${units} units sold, the figure a flash sale cares about (orders/s also counts the refusals after the stock ran out, which write no stock).`,
          'per partition, with the shards in the head partition (the key layout before issue 10) shards gain nothing: every write queues on one partition. With a partition per shard (keys.stockShard) the gain follows the shard count.',
        ],
      };
    } finally {
      await dynamodb.stop();
    }
  },
};
