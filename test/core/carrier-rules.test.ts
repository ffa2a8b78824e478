import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  carriersToQuote,
  eligibleCarriers,
  rankCarriers,
  serviceFor,
} from '../../functions/core/carrier-choice';
import {
  carrierPerformance,
  deliverBy,
  deliveryPunctuality,
  lateAgainst,
} from '../../functions/core/carrier-sla';

/** The pure carrier rules (docs/carriers.md): who is offered a packed shipment, in what order; the SLA. */
describe('carrier choice', () => {
  const carriers = [
    { carrierId: 'VAN', services: ['parcel', 'same_day'], priority: 2 },
    { carrierId: 'BIKE', services: ['same_day'], priority: 1, maxDistanceKm: 10 },
    { carrierId: 'CARGO', services: ['same_day'], priority: 1, origins: ['S1'] },
    { carrierId: 'POST', services: ['parcel'], priority: 5, origins: ['WH'] },
  ];

  it('offers a shipment to carriers of its service that collect at its origin and reach the drop-off', () => {
    expect(serviceFor('same_day')).toBe('same_day');
    expect(serviceFor('delivery')).toBe('parcel');
    const ids = (need: Parameters<typeof eligibleCarriers>[1]) =>
      eligibleCarriers(carriers, need).map((carrier) => carrier.carrierId);
    expect(ids({ service: 'same_day', origin: 'S1', distanceKm: 4 })).toEqual(['BIKE', 'CARGO', 'VAN']);
    expect(ids({ service: 'same_day', origin: 'S2', distanceKm: 12 })).toEqual(['VAN']);
    expect(ids({ service: 'parcel', origin: 'WH', distanceKm: 300 })).toEqual(['VAN', 'POST']);
    expect(ids({ service: 'parcel', origin: 'S1', distanceKm: 3 })).toEqual(['VAN']);
  });

  it('asks for quotes only where priorities tie, and ranks by priority, then fee', () => {
    const eligible = eligibleCarriers(carriers, { service: 'same_day', origin: 'S1', distanceKm: 4 });
    expect(carriersToQuote(eligible)).toEqual(['BIKE', 'CARGO']);
    const rank = (quotes: [string, { fee: number } | undefined][]) =>
      rankCarriers(eligible, new Map(quotes)).map((carrier) => carrier.carrierId);
    expect(
      rank([
        ['BIKE', { fee: 9 }],
        ['CARGO', { fee: 6 }],
      ]),
    ).toEqual(['CARGO', 'BIKE', 'VAN']);
    expect(
      rank([
        ['BIKE', { fee: 6 }],
        ['CARGO', { fee: 6 }],
      ]),
    ).toEqual(['BIKE', 'CARGO', 'VAN']);
    // A carrier that declined its quote is not asked to book.
    expect(
      rank([
        ['BIKE', undefined],
        ['CARGO', { fee: 6 }],
      ]),
    ).toEqual(['CARGO', 'VAN']);
  });

  it('never ranks a carrier above one of lower priority, whatever the fees', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            priority: fc.integer({ min: 0, max: 3 }),
            fee: fc.float({ min: 0, max: 50, noNaN: true }),
          }),
          {
            maxLength: 8,
          },
        ),
        (drawn) => {
          const eligible = drawn.map((carrier, index) => ({
            carrierId: `C${index}`,
            services: ['parcel'],
            priority: carrier.priority,
          }));
          const quotes = new Map(drawn.map((carrier, index) => [`C${index}`, { fee: carrier.fee }]));
          const ranked = rankCarriers(eligible, quotes);
          expect(ranked).toHaveLength(eligible.length);
          for (let index = 1; index < ranked.length; index++) {
            const [before, after] = [ranked[index - 1], ranked[index]] as [
              (typeof ranked)[0],
              (typeof ranked)[0],
            ];
            expect(before.priority).toBeLessThanOrEqual(after.priority);
            if (before.priority === after.priority)
              expect(quotes.get(before.carrierId)?.fee).toBeLessThanOrEqual(
                quotes.get(after.carrierId)?.fee ?? 0,
              );
          }
        },
      ),
    );
  });
});

describe('carrier SLA', () => {
  const promisedBy = '2026-12-01T18:00:00.000Z';
  const sameDay = { type: 'same_day' as const, status: 'HANDED_OVER' as const, promisedBy };
  const parcel = {
    type: 'delivery' as const,
    status: 'HANDED_OVER' as const,
    promisedBy,
    booking: { etaAt: '2026-12-02T12:00:00.000Z' },
  };

  it('holds same day to the promise and a parcel to the ETA its carrier committed to', () => {
    expect(deliverBy(sameDay)).toBe(promisedBy);
    expect(deliverBy(parcel)).toBe('2026-12-02T12:00:00.000Z');
    expect(deliverBy({ ...parcel, booking: undefined })).toBe(promisedBy);
  });

  it('lists a shipment as late against its pending promise, or a booked parcel against its ETA', () => {
    expect(lateAgainst({ ...sameDay, status: 'PACKED' })).toBe(promisedBy);
    expect(lateAgainst(sameDay)).toBe(promisedBy);
    expect(lateAgainst(parcel)).toBe('2026-12-02T12:00:00.000Z');
    // Handed to a carrier without a booking (staff recorded it): no carrier deadline to hold it to.
    expect(lateAgainst({ ...parcel, booking: {} })).toBeUndefined();
    expect(lateAgainst({ ...parcel, status: 'DELIVERED' })).toBeUndefined();
    expect(lateAgainst({ ...sameDay, status: 'RETURNING' })).toBeUndefined();
  });

  it('counts a delivery on time up to its deadline, and late by whole minutes after it', () => {
    expect(deliveryPunctuality(sameDay, promisedBy)).toEqual({ onTime: true, minutesLate: 0 });
    expect(deliveryPunctuality(sameDay, '2026-12-01T18:00:01.000Z')).toEqual({
      onTime: false,
      minutesLate: 1,
    });
    expect(deliveryPunctuality(parcel, '2026-12-02T13:30:00.000Z')).toEqual({
      onTime: false,
      minutesLate: 90,
    });
  });

  it('reports the on-time rate and the mean lateness of the late deliveries', () => {
    expect(
      carrierPerformance({ delivered: 0, onTime: 0, minutesLate: 0, failedAttempts: 0, returned: 0 }),
    ).toEqual({
      delivered: 0,
      deliveredOnTime: 0,
      onTimeRate: null,
      meanMinutesLate: 0,
      failedAttempts: 0,
      returnedToSender: 0,
    });
    expect(
      carrierPerformance({ delivered: 4, onTime: 1, minutesLate: 100, failedAttempts: 2, returned: 1 }),
    ).toEqual({
      delivered: 4,
      deliveredOnTime: 1,
      onTimeRate: 0.25,
      meanMinutesLate: 33,
      failedAttempts: 2,
      returnedToSender: 1,
    });
  });
});
