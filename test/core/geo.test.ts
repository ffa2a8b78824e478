import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { distanceKm } from '../../functions/core/geo';

describe('distanceKm', () => {
  it('measures known distances', () => {
    // London → Paris ≈ 344 km.
    expect(distanceKm({ lat: 51.5074, lng: -0.1278 }, { lat: 48.8566, lng: 2.3522 })).toBeCloseTo(343.9, 0);
  });

  it('is symmetric, non-negative and zero only for the same point', () => {
    const point = fc.record({
      lat: fc.double({ min: -90, max: 90, noNaN: true }),
      lng: fc.double({ min: -180, max: 180, noNaN: true }),
    });
    fc.assert(
      fc.property(point, point, (a, b) => {
        expect(distanceKm(a, b)).toBeCloseTo(distanceKm(b, a), 6);
        expect(distanceKm(a, b)).toBeGreaterThanOrEqual(0);
        expect(distanceKm(a, a)).toBe(0);
      }),
    );
  });
});
