import { beforeAll, describe, expect, it } from 'vitest';
import type { TableRef } from '../../functions/adapters/dynamodb/client';
import { transactWrite } from '../../functions/adapters/dynamodb/items';
import { InvalidTaskPageToken, listLocationTasks } from '../../functions/adapters/dynamodb/shipment-lists';
import { getShipment, moveShipment, shipmentPuts } from '../../functions/adapters/dynamodb/shipments';
import { planShipments } from '../../functions/core/shipments';
import { createTestTable } from '../support/dynamodb';

/** Shipments on DynamoDB Local: created once per plan, moved once per step, listed as each location's tasks. */
let table: TableRef;
beforeAll(async () => {
  const created = await createTestTable();
  table = { document: created.document, tableName: created.tableName };
});

const context = { at: '2026-01-12T10:00:00.000Z', actor: 'workflow:fulfilment', step: 'CreateShipments' };
const event = (step: string) => ({ at: '2026-01-12T10:05:00.000Z', actor: 'staff:test', step });

async function createFor(orderId: string, storeId: string, now: Date) {
  const planned = planShipments({
    orderId,
    fulfilment: { type: 'pickup', storeId },
    route: 0,
    allocations: [
      { sku: 'TEE', qty: 1, locationId: storeId },
      { sku: 'CAP', qty: 2, locationId: 'WH-T' },
    ],
    settings: { [storeId]: { pickWithinMinutes: 30 }, 'WH-T': { pickWithinMinutes: 60 } },
    now,
  });
  await transactWrite(table, 'createShipments', shipmentPuts(table, orderId, planned, context));
  return planned;
}

describe('shipments', () => {
  it('are created once: the same plan again fails its condition and leaves the first untouched', async () => {
    const [transfer, pickup] = await createFor('web.S-1', 'ST-T1', new Date('2026-01-12T10:00:00.000Z'));
    expect(await getShipment(table, transfer?.shipmentId ?? '')).toMatchObject({
      type: 'transfer',
      status: 'PICKING',
      version: 1,
      events: [{ status: 'PICKING', step: 'CreateShipments' }],
    });
    expect(await getShipment(table, pickup?.shipmentId ?? '')).toMatchObject({ status: 'AWAITING_TRANSFER' });
    await expect(createFor('web.S-1', 'ST-T1', new Date('2026-01-12T11:00:00.000Z'))).rejects.toMatchObject({
      name: 'TransactionCanceledException',
    });
    expect(await getShipment(table, transfer?.shipmentId ?? '')).toMatchObject({ version: 1 });
    expect(await getShipment(table, 'not-a-shipment-id')).toBeUndefined();
  });

  it("lists a location's open tasks, oldest due first, page by page, and refuses a forged page token", async () => {
    await createFor('web.S-3', 'ST-T2', new Date('2026-01-12T12:00:00.000Z'));
    await createFor('web.S-2', 'ST-T2', new Date('2026-01-12T11:00:00.000Z'));
    // The warehouse picks both transfers; the store waits for them, so it has nothing to do yet.
    expect((await listLocationTasks(table, 'ST-T2', { limit: 10 })).items).toEqual([]);
    const first = await listLocationTasks(table, 'WH-T', { limit: 1 });
    const all = [...first.items];
    let token = first.nextToken;
    while (token) {
      const page = await listLocationTasks(table, 'WH-T', { limit: 1, nextToken: token });
      all.push(...page.items);
      token = page.nextToken;
    }
    const mine = all.filter((task) => task.orderId === 'web.S-2' || task.orderId === 'web.S-3');
    expect(mine.map((task) => [task.orderId, task.kind, task.dueBy])).toEqual([
      ['web.S-2', 'pick', '2026-01-12T12:00:00.000Z'],
      ['web.S-3', 'pick', '2026-01-12T13:00:00.000Z'],
    ]);
    expect(mine[0]).toMatchObject({ taskId: 'web.S-2-0-0.pick', lines: [{ sku: 'CAP', qty: 2 }] });
    const forged = Buffer.from(JSON.stringify({ pk: 'x' })).toString('base64url');
    await expect(listLocationTasks(table, 'WH-T', { limit: 1, nextToken: forged })).rejects.toBeInstanceOf(
      InvalidTaskPageToken,
    );
    await expect(
      listLocationTasks(table, 'ST-T2', { limit: 1, nextToken: first.nextToken }),
    ).rejects.toBeInstanceOf(InvalidTaskPageToken);
    await expect(listLocationTasks(table, 'WH-T', { limit: 1, nextToken: '%%%' })).rejects.toBeInstanceOf(
      InvalidTaskPageToken,
    );
  });

  it('moves once per step: the task follows the status, a repeat is answered as it is, a wrong step conflicts', async () => {
    const [transfer] = await createFor('web.S-4', 'ST-T3', new Date('2026-01-12T10:00:00.000Z'));
    const id = transfer?.shipmentId ?? '';
    const racers = await Promise.all(
      Array.from({ length: 5 }, () =>
        moveShipment(table, id, { from: ['PICKING'], to: 'PACKING', event: event('Picked') }),
      ),
    );
    expect(racers.filter((result) => result.outcome === 'moved')).toHaveLength(1);
    expect(racers.filter((result) => result.outcome === 'already')).toHaveLength(4);
    const tasks = async (locationId: string) =>
      (await listLocationTasks(table, locationId, { limit: 50 })).items.filter(
        (task) => task.shipmentId === id,
      );
    expect((await tasks('WH-T')).map((task) => task.kind)).toEqual(['pack']);
    expect(
      await moveShipment(table, id, { from: ['READY_FOR_PICKUP'], to: 'COLLECTED', event: event('Collect') }),
    ).toMatchObject({
      outcome: 'conflict',
      shipment: { status: 'PACKING' },
    });
    // Packed: the transfer travels, and its arrival is the pickup store's task.
    await moveShipment(table, id, { from: ['PACKING'], to: 'IN_TRANSFER', event: event('Packed') });
    expect(await tasks('WH-T')).toEqual([]);
    expect((await tasks('ST-T3')).map((task) => task.kind)).toEqual(['receive_transfer']);
    await moveShipment(table, id, { from: ['IN_TRANSFER'], to: 'RECEIVED', event: event('Received') });
    expect(await tasks('ST-T3')).toEqual([]);
    expect(await getShipment(table, id)).toMatchObject({
      status: 'RECEIVED',
      version: 4,
      events: [
        { status: 'PICKING' },
        { status: 'PACKING' },
        { status: 'IN_TRANSFER' },
        { status: 'RECEIVED' },
      ],
    });
    expect(
      await moveShipment(table, 'web.S-none-0-0', { from: ['PICKING'], to: 'PACKING', event: event('x') }),
    ).toEqual({
      outcome: 'not-found',
    });
  });
});
