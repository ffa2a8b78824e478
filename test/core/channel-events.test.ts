import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { channelEventTypes } from '../../functions/contracts/channel-events';
import { channelEventsOf } from '../../functions/core/channel-events';

/** Which channel events a committed change says happened (docs/channel-events.md). */
describe('channelEventsOf', () => {
  const order = (status: string, version: number) => ({
    entity: 'order',
    orderId: 'web-shop.o-1',
    status,
    version,
    updatedAt: `2026-12-01T10:00:0${version}.000Z`,
  });
  const shipment = (status: string, extra: Record<string, unknown> = {}) => ({
    entity: 'shipment',
    orderId: 'web-shop.o-1',
    shipmentId: 'web-shop.o-1-0-0',
    locationId: 'S1',
    type: 'same_day',
    status,
    version: 7,
    updatedAt: '2026-12-01T11:00:00.000Z',
    ...extra,
  });

  it('reports an order moving into a status channels care about, with a stable id', () => {
    expect(channelEventsOf(order('ACCEPTED', 1), order('RESERVED', 2))).toEqual([
      {
        type: 'order.reserved',
        orderId: 'web-shop.o-1',
        occurredAt: '2026-12-01T10:00:02.000Z',
        id: 'web-shop.o-1.v2.order.reserved',
        data: { status: 'RESERVED' },
      },
    ]);
    for (const [status, type] of [
      ['BACKORDERED', 'order.backordered'],
      ['REJECTED', 'order.rejected'],
      ['CANCELLED', 'order.cancelled'],
      ['DELIVERY_FAILED', 'order.delivery_failed'],
      ['NOT_COLLECTED', 'order.not_collected'],
    ])
      expect(channelEventsOf(order('PICKING', 4), order(status as string, 5))[0]?.type).toBe(type);
  });

  it('says nothing for a write that changed no status, a status nobody is told of, or a removal', () => {
    expect(channelEventsOf(order('RESERVED', 2), order('RESERVED', 3))).toEqual([]);
    expect(channelEventsOf(order('RESERVED', 2), order('PICKING', 3))).toEqual([]);
    expect(channelEventsOf(order('RESERVED', 2), undefined)).toEqual([]);
    expect(channelEventsOf(undefined, { entity: 'timeline', status: 'RESERVED' })).toEqual([]);
    expect(channelEventsOf(undefined, { entity: 'order' })).toEqual([]);
    expect(channelEventsOf(shipment('PICKING'), shipment('PACKING'))).toEqual([]);
    // A transfer between locations is the retailer's business, not the customer's.
    expect(
      channelEventsOf(
        shipment('PACKING', { type: 'transfer' }),
        shipment('IN_TRANSFER', { type: 'transfer' }),
      ),
    ).toEqual([]);
  });

  it("reports a shipment's hand-over with its carrier, its delivery with the proof, a pickup ready by when", () => {
    const booked = {
      booking: { carrierId: 'BIKE', trackingNumber: 'BK1', etaAt: '2026-12-01T12:00:00.000Z' },
    };
    expect(channelEventsOf(shipment('PACKED', booked), shipment('HANDED_OVER', booked))[0]).toEqual({
      type: 'shipment.in_transit',
      orderId: 'web-shop.o-1',
      occurredAt: '2026-12-01T11:00:00.000Z',
      id: 'web-shop.o-1-0-0.v7.shipment.in_transit',
      data: {
        shipmentId: 'web-shop.o-1-0-0',
        locationId: 'S1',
        carrierId: 'BIKE',
        trackingNumber: 'BK1',
        etaAt: '2026-12-01T12:00:00.000Z',
      },
    });
    const byStaff = { handover: { carrier: 'Parcel Co' } };
    expect(channelEventsOf(shipment('PACKED'), shipment('HANDED_OVER', byStaff))[0]?.data).toEqual({
      shipmentId: 'web-shop.o-1-0-0',
      locationId: 'S1',
      carrierId: 'Parcel Co',
    });
    expect(channelEventsOf(shipment('PACKED'), shipment('HANDED_OVER'))[0]?.data).toEqual({
      shipmentId: 'web-shop.o-1-0-0',
      locationId: 'S1',
    });
    const proof = { kind: 'pin', ref: '1234' };
    expect(channelEventsOf(shipment('HANDED_OVER'), shipment('DELIVERED', { proof }))[0]?.data).toEqual({
      shipmentId: 'web-shop.o-1-0-0',
      proof,
    });
    expect(channelEventsOf(shipment('HANDED_OVER'), shipment('DELIVERED'))[0]?.data).toEqual({
      shipmentId: 'web-shop.o-1-0-0',
    });
    const pickup = { type: 'pickup', pickupBy: '2026-12-04T11:00:00.000Z' };
    expect(
      channelEventsOf(shipment('PACKING', pickup), shipment('READY_FOR_PICKUP', pickup))[0]?.data,
    ).toEqual({
      shipmentId: 'web-shop.o-1-0-0',
      locationId: 'S1',
      pickupBy: '2026-12-04T11:00:00.000Z',
    });
    expect(
      channelEventsOf(
        shipment('PACKING', { type: 'pickup' }),
        shipment('READY_FOR_PICKUP', { type: 'pickup' }),
      )[0]?.data,
    ).toEqual({ shipmentId: 'web-shop.o-1-0-0', locationId: 'S1' });
  });

  it("asks for a return's refund once per attempt, under the channel's own ids", () => {
    const received = {
      entity: 'return',
      status: 'RECEIVED',
      orderId: 'web.A-1',
      returnId: 'web.A-1-r2',
      number: 2,
      version: 3,
      updatedAt: '2026-12-01T10:00:00.000Z',
    };
    const refund = { amount: 1999, currency: 'GBP', lines: [{ sku: 'SKU-A', qty: 1, amount: 1999 }] };
    const asked = {
      ...received,
      status: 'REFUND_PENDING',
      refundState: 'requested',
      refundAttempt: 1,
      refund,
      version: 4,
    };
    expect(channelEventsOf(received, asked)).toEqual([
      {
        type: 'refund.requested',
        orderId: 'web.A-1',
        occurredAt: '2026-12-01T10:00:00.000Z',
        id: 'web.A-1-r2.a1.refund.requested',
        data: { returnId: 'A-1-r2', amount: 1999, currency: 'GBP', lines: refund.lines, attempt: 1 },
      },
    ]);
    // A later write of the same attempt (its wait parks) says nothing; a failure says nothing; a retry is attempt 2.
    expect(channelEventsOf(asked, { ...asked, version: 5 })).toEqual([]);
    const failed = { ...asked, refundState: 'failed', version: 6 };
    expect(channelEventsOf(asked, failed)).toEqual([]);
    const retried = { ...failed, refundState: 'requested', refundAttempt: 2, version: 7 };
    expect(channelEventsOf(failed, retried).map((event) => event.id)).toEqual([
      'web.A-1-r2.a2.refund.requested',
    ]);
    // An unpriced order's refund names its lines only.
    const unpriced = { ...asked, refund: { lines: refund.lines } };
    expect(channelEventsOf(received, unpriced)[0]?.data).toEqual({
      returnId: 'A-1-r2',
      lines: refund.lines,
      attempt: 1,
    });
  });

  it('never invents: at most one event per change, of a known type, named after that change', () => {
    const statuses = [
      'ACCEPTED',
      'RESERVED',
      'PICKING',
      'HANDED_OVER',
      'DELIVERED',
      'READY_FOR_PICKUP',
      'CANCELLED',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom('order', 'shipment', 'hold'),
        fc.constantFrom(...statuses),
        fc.constantFrom(...statuses),
        fc.integer({ min: 1, max: 99 }),
        (entity, from, to, version) => {
          const item = (status: string) => ({ ...shipment(status), entity, version });
          const events = channelEventsOf(item(from), item(to));
          expect(events.length).toBeLessThanOrEqual(from === to ? 0 : 1);
          for (const event of events) {
            expect(channelEventTypes).toContain(event.type);
            expect(event.id).toContain(`.v${version}.`);
          }
        },
      ),
    );
  });
});
