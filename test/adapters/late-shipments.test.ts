import { beforeAll, describe, expect, it } from 'vitest';
import type { TableRef } from '../../functions/adapters/dynamodb/client';
import { transactWrite } from '../../functions/adapters/dynamodb/items';
import {
  countLateShipments,
  InvalidTaskPageToken,
  listPendingShipments,
} from '../../functions/adapters/dynamodb/shipment-lists';
import { moveShipment, shipmentPuts } from '../../functions/adapters/dynamodb/shipments';
import { planShipments } from '../../functions/core/shipments';
import { createTestTable } from '../support/dynamodb';

/**
 * The late-shipment list on DynamoDB Local: shipments whose promise is pending sit in a sparse index by status
 * and promisedBy, so "late" is a range query; keeping the promise (or ending) takes a shipment out.
 */
let table: TableRef;
beforeAll(async () => {
  const created = await createTestTable();
  table = { document: created.document, tableName: created.tableName };
});

const day = '2026-01-12';
const context = { at: `${day}T10:00:00.000Z`, actor: 'test', step: 'CreateShipments' };

async function deliveryFrom(orderId: string, locationId: string, cutoff: string) {
  const [planned] = planShipments({
    orderId,
    fulfilment: { type: 'delivery' },
    route: 0,
    allocations: [{ sku: 'TEE', qty: 1, locationId }],
    settings: { [locationId]: { sameDayCutoff: cutoff, timeZone: 'UTC' } },
    now: new Date(context.at),
  });
  if (!planned) throw new Error('nothing planned');
  await transactWrite(table, 'createShipments', shipmentPuts(table, orderId, [planned], context));
  return planned;
}

describe('late shipments', () => {
  it('lists shipments past promisedBy per status, page by page, until their promise is kept', async () => {
    // Before the 15:00 cut-off: promised today; the 09:00 cut-off has passed, so that one is promised tomorrow.
    const today = await deliveryFrom('web.L-1', 'WH-L1', '15:00');
    const tomorrow = await deliveryFrom('web.L-2', 'WH-L2', '09:00');
    expect(today.promisedBy < tomorrow.promisedBy).toBe(true);
    const late = (now: string) => listPendingShipments(table, { late: true, now: new Date(now), limit: 10 });
    expect((await late(`${day}T12:00:00.000Z`)).items).toEqual([]);
    expect((await late('2026-01-13T01:00:00.000Z')).items.map((s) => s.shipmentId)).toEqual([
      today.shipmentId,
    ]);
    const bothLate = await late('2026-01-14T01:00:00.000Z');
    expect(bothLate.items.map((s) => [s.shipmentId, s.orderId])).toEqual([
      [today.shipmentId, 'web.L-1'],
      [tomorrow.shipmentId, 'web.L-2'],
    ]);
    expect(await countLateShipments(table, new Date('2026-01-14T01:00:00.000Z'))).toMatchObject({
      PICKING: 2,
    });

    // Page by page, one at a time; a forged token is refused.
    const first = await listPendingShipments(table, { late: false, now: new Date(), limit: 1 });
    expect(first.items).toHaveLength(1);
    const second = await listPendingShipments(table, {
      late: false,
      now: new Date(),
      limit: 1,
      ...(first.nextToken ? { nextToken: first.nextToken } : {}),
    });
    expect(second.items.map((s) => s.shipmentId)).toEqual([tomorrow.shipmentId]);
    await expect(
      listPendingShipments(table, { late: false, now: new Date(), limit: 1, nextToken: 'e30' }),
    ).rejects.toBeInstanceOf(InvalidTaskPageToken);

    // Packed, it stays pending (in PACKED); handed over, the promise is kept and it leaves the list.
    const step = (to: 'PACKING' | 'PACKED' | 'HANDED_OVER', from: 'PICKING' | 'PACKING' | 'PACKED') =>
      moveShipment(table, today.shipmentId, {
        from: [from],
        to,
        event: { at: context.at, actor: 'staff', step: to },
      });
    await step('PACKING', 'PICKING');
    await step('PACKED', 'PACKING');
    const packed = await listPendingShipments(table, {
      status: 'PACKED',
      late: true,
      now: new Date('2026-01-14T01:00:00.000Z'),
      limit: 10,
    });
    expect(packed.items.map((s) => s.shipmentId)).toEqual([today.shipmentId]);
    await step('HANDED_OVER', 'PACKED');
    expect((await late('2026-01-14T01:00:00.000Z')).items.map((s) => s.shipmentId)).toEqual([
      tomorrow.shipmentId,
    ]);
    expect(await countLateShipments(table, new Date('2026-01-14T01:00:00.000Z'))).toMatchObject({
      PICKING: 1,
      PACKED: 0,
    });
  });
});
