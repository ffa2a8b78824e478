import { SFNClient } from '@aws-sdk/client-sfn';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TableRef } from '../../functions/adapters/dynamodb/client';
import { writeOffDamaged } from '../../functions/adapters/dynamodb/damaged-stock';
import { commitHold } from '../../functions/adapters/dynamodb/holds';
import { loadOrder } from '../../functions/adapters/dynamodb/orders';
import { listHolds, reserveOrder } from '../../functions/adapters/dynamodb/reservations';
import { getReturn, type ReturnRecord, recordReturn } from '../../functions/adapters/dynamodb/returns';
import { getStock, recordCycleCount } from '../../functions/adapters/dynamodb/stock';
import { disposeReturn } from '../../functions/app/dispose-return';
import { receiveReturn } from '../../functions/app/receive-return';
import { availableToPromise } from '../../functions/core/stock';
import { localCredentials, localRegion } from '../../local/emulators/protocol/identity';
import { createTestTable } from '../support/dynamodb';
import { deliveryTo, now, placeOrder, seedStock, store, warehouse } from './fixtures';

/**
 * Model-based test of returned stock (docs/returns.md) against DynamoDB Local: random sequences of sales
 * (reserve and pick), returns received at a store with random conditions and disposed of (sometimes twice,
 * as a redrive would), write-offs of damaged units (too many is refused) and cycle counts. After every
 * command: Σ onHand over the locations = received − sold + returned resellable; the store's damaged figure
 * is exactly what came back damaged less what was written off, and never counts as available.
 *
 * No backorder waits and no exchange is asked in these sequences, so disposal never starts or wakes a
 * workflow: the Step Functions client it is given is never called.
 */
const warehouseId = 'RM-WH';
const storeId = 'RM-ST';
const locations = [warehouseId, storeId];
let table: TableRef;
let runs = 0;
/** Returns received and checked over all runs: the property must not pass without any. */
let returnsChecked = 0;
const unusedSfn = new SFNClient({
  endpoint: 'http://127.0.0.1:9',
  region: localRegion,
  credentials: localCredentials,
});

interface Model {
  received: number;
  sold: number;
  returnedResellable: number;
  damaged: number;
  /** Units of each sale not yet asked back. */
  returnable: Map<string, number>;
}

interface Real {
  readonly sku: string;
  nextOrder: number;
  /** Each sale's returns so far. */
  returns: Map<string, number>;
}

beforeAll(async () => {
  const created = await createTestTable();
  table = { document: created.document, tableName: created.tableName };
});

async function check(model: Model, real: Real) {
  let onHand = 0;
  for (const locationId of locations) {
    const stock = await getStock(table, real.sku, locationId);
    if (!stock) continue;
    onHand += stock.onHand;
    // Damaged units are never available: available is what is on the shelf less what is promised.
    expect(stock.available).toBe(stock.onHand - stock.reserved - stock.safetyStock);
    if (locationId === storeId) expect(stock.damaged).toBe(model.damaged);
    else expect(stock.damaged).toBe(0);
  }
  expect(onHand).toBe(model.received - model.sold + model.returnedResellable);
}

class Sell implements fc.AsyncCommand<Model, Real> {
  constructor(readonly qty: number) {}
  check = () => true;
  async run(model: Model, real: Real) {
    // Only what is on sale is sold: a backorder would wait for returned units and wake a workflow.
    let onSale = 0;
    for (const locationId of locations) {
      const stock = await getStock(table, real.sku, locationId);
      onSale += stock ? availableToPromise(stock) : 0;
    }
    if (onSale < this.qty) return;
    const orderId = `${real.sku}.o${real.nextOrder++}`;
    await placeOrder(table, orderId, {
      customerId: 'c',
      currency: 'EUR',
      fulfilment: { type: 'delivery', address: deliveryTo },
      lines: [{ sku: real.sku, qty: this.qty, unitPrice: 700 }],
    });
    const reserved = await reserveOrder(table, {
      orderId,
      step: 'ReserveStock',
      actor: 'model',
      now,
      holdMinutes: 30,
    });
    expect(reserved.outcome).toBe('RESERVED');
    // Picked where it was held (the warehouse, or the store once returns put units there).
    for (const hold of (await listHolds(table, orderId)).filter((candidate) => candidate.status === 'HELD'))
      expect(await commitHold(table, { orderId, sku: real.sku, locationId: hold.locationId }, now)).toBe(
        'committed',
      );
    model.sold += this.qty;
    model.returnable.set(orderId, this.qty);
    await check(model, real);
  }
  toString = () => `Sell(${this.qty})`;
}

class ReturnUnits implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly pick: number,
    readonly conditions: readonly ('resellable' | 'damaged' | 'missing')[],
    readonly disposeTwice: boolean,
  ) {}
  check = (model: Readonly<Model>) =>
    [...model.returnable.values()].some((left) => left >= this.conditions.length);
  async run(model: Model, real: Real) {
    const candidates = [...model.returnable.entries()].filter(([, left]) => left >= this.conditions.length);
    const [orderId, left] = candidates[this.pick % candidates.length] as [string, number];
    const number = (real.returns.get(orderId) ?? 0) + 1;
    real.returns.set(orderId, number);
    await request(orderId, number, real.sku, this.conditions.length);
    const count = (condition: string) =>
      this.conditions.filter((candidate) => candidate === condition).length;
    const lines = (['resellable', 'damaged', 'missing'] as const)
      .filter((condition) => count(condition) > 0)
      .map((condition) => ({ sku: real.sku, qty: count(condition), condition }));
    const received = await receiveReturn(
      { table, sfn: unusedSfn },
      { orderId, number, body: { locationId: storeId, lines }, actor: 'staff:model', now },
    );
    expect(received.kind).toBe('received');
    const deps = { table, sfn: unusedSfn, fulfilmentStateMachineArn: 'unused', holdMinutes: 30 };
    for (let time = 0; time < (this.disposeTwice ? 2 : 1); time++)
      await disposeReturn(deps, { orderId, number, now });
    model.returnable.set(orderId, left - this.conditions.length);
    model.returnedResellable += count('resellable');
    returnsChecked++;
    model.damaged += count('damaged');
    await check(model, real);
  }
  toString = () => `Return(#${this.pick}, ${this.conditions.join('/')}${this.disposeTwice ? ', twice' : ''})`;
}

/** A return asked for directly (the request's own rules have their own tests): recorded as the API would. */
async function request(orderId: string, number: number, sku: string, qty: number) {
  const order = await loadOrder(table, orderId);
  if (!order) throw new Error(`order ${orderId} vanished`);
  const at = now.toISOString();
  const record: ReturnRecord = {
    returnId: `${orderId}-r${number}`,
    orderId,
    number,
    status: 'REQUESTED',
    method: 'store_dropoff',
    lines: [{ sku, qty, reason: 'no_longer_needed' }],
    rmaCode: 'RMA-MODEL',
    dropOffBy: new Date(now.getTime() + 86_400_000).toISOString(),
    requestedBy: 'channel:model',
    events: [{ at, status: 'REQUESTED', actor: 'channel:model', step: 'RequestReturn' }],
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
  const recorded = await recordReturn(table, {
    order,
    record,
    orderChanges: { returnCount: number },
    entry: {
      at,
      event: 'RETURN_REQUESTED',
      actor: 'channel:model',
      step: 'RequestReturn',
      reason: record.returnId,
    },
    idempotency: {
      principalId: 'channel:model',
      key: record.returnId,
      record: {
        requestHash: 'model',
        response: {
          status: 202,
          body: {
            returnId: record.returnId,
            status: 'REQUESTED',
            rmaCode: 'RMA-MODEL',
            dropOffBy: record.dropOffBy,
          },
        },
      },
    },
    now,
  });
  expect(recorded.kind).toBe('recorded');
  expect((await getReturn(table, orderId, number))?.status).toBe('REQUESTED');
}

class WriteOff implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly qty: number,
    readonly key: number,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const result = await writeOffDamaged(table, {
      sku: real.sku,
      locationId: storeId,
      qty: this.qty,
      reason: 'model',
      actor: 'staff:model',
      idempotencyKey: `${real.sku}-w${this.key}`,
      now,
    });
    if (this.qty > model.damaged) expect(result.kind === 'too-many' || result.kind === 'replayed').toBe(true);
    if (result.kind === 'written-off') model.damaged -= this.qty;
    await check(model, real);
  }
  toString = () => `WriteOff(${this.qty}, key ${this.key})`;
}

class CycleCount implements fc.AsyncCommand<Model, Real> {
  constructor(readonly change: number) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const stock = await getStock(table, real.sku, storeId);
    if (!stock) return;
    // A count finds units more (or fewer) on the shelf: that is stock received (or lost), never damaged units.
    const onHand = Math.max(stock.reserved, stock.onHand + this.change);
    const counted = await recordCycleCount(table, real.sku, storeId, { onHand, safetyStock: 0 }, now);
    expect(counted).toBeDefined();
    model.received += onHand - stock.onHand;
    await check(model, real);
  }
  toString = () => `CycleCount(${this.change > 0 ? '+' : ''}${this.change})`;
}

const commands = [
  fc.integer({ min: 1, max: 3 }).map((qty) => new Sell(qty)),
  fc
    .tuple(
      fc.nat(),
      fc.array(fc.constantFrom('resellable' as const, 'damaged' as const, 'missing' as const), {
        minLength: 1,
        maxLength: 3,
      }),
      fc.boolean(),
    )
    .map(([pick, conditions, twice]) => new ReturnUnits(pick, conditions, twice)),
  fc.tuple(fc.integer({ min: 1, max: 3 }), fc.nat({ max: 2 })).map(([qty, key]) => new WriteOff(qty, key)),
  fc.integer({ min: -2, max: 2 }).map((change) => new CycleCount(change)),
];

describe('returned stock (model-based, DynamoDB Local)', () => {
  it('keeps Σ units = received − sold + returned resellable, and damaged units never available', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 14 }), async (sequence) => {
        const sku = `SKU-RM-${++runs}-${Date.now()}`;
        const initial = 8;
        await seedStock(table, {
          [warehouseId]: { location: warehouse, skus: { [sku]: { onHand: initial } } },
          [storeId]: { location: { ...store, fulfils: ['pickup'] }, skus: {} },
        });
        const model: Model = {
          received: initial,
          sold: 0,
          returnedResellable: 0,
          damaged: 0,
          returnable: new Map(),
        };
        await fc.asyncModelRun(() => ({ model, real: { sku, nextOrder: 1, returns: new Map() } }), sequence);
      }),
      { numRuns: 12 },
    );
    expect(returnsChecked).toBeGreaterThan(0);
  }, 120_000);
});
