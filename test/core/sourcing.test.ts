import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OrderLine } from '../../functions/contracts/schemas';
import { distanceKm } from '../../functions/core/geo';
import {
  type AvailableStock,
  exhaustiveSearchLimit,
  isEligible,
  planSourcing,
  type SourcingLocation,
  type SourcingRequest,
} from '../../functions/core/sourcing';

const london = { lat: 51.5074, lng: -0.1278 };
const location = (locationId: string, overrides: Partial<SourcingLocation> = {}): SourcingLocation => ({
  locationId,
  type: 'warehouse',
  fulfils: ['delivery'],
  lat: london.lat,
  lng: london.lng,
  ...overrides,
});
const delivery: SourcingRequest = { type: 'delivery', customer: london };

describe('planSourcing', () => {
  it('breaks a tie between equally good locations by id, whatever order they are listed in', () => {
    const twins = [location('WH-B'), location('WH-A'), location('WH-C')];
    const stock: AvailableStock[] = twins.map((twin) => ({
      sku: 'A',
      locationId: twin.locationId,
      available: 5,
    }));
    for (const order of [twins, [...twins].reverse()]) {
      expect(planSourcing(delivery, [{ sku: 'A', qty: 2 }], order, stock).allocation).toEqual([
        { sku: 'A', qty: 2, locationId: 'WH-A' },
      ]);
    }
  });

  it('serves a delivery from one warehouse rather than splitting, preferring warehouses over stores', () => {
    const locations = [
      location('ST-NEAR', { type: 'store', fulfils: ['delivery', 'pickup'] }),
      location('WH-FAR', { lat: 52.2, lng: -0.9 }),
      location('WH-SMALL'),
    ];
    const stock: AvailableStock[] = [
      { sku: 'A', locationId: 'ST-NEAR', available: 10 },
      { sku: 'A', locationId: 'WH-FAR', available: 10 },
      { sku: 'A', locationId: 'WH-SMALL', available: 1 },
    ];
    const plan = planSourcing(delivery, [{ sku: 'A', qty: 3 }], locations, stock);
    expect(plan.allocation).toEqual([{ sku: 'A', qty: 3, locationId: 'WH-FAR' }]);
    expect(plan.shortfall).toEqual([]);
  });

  it('uses a store for delivery when no warehouse has the stock, and reports the rest as shortfall', () => {
    const locations = [location('WH'), location('ST', { type: 'store' })];
    const plan = planSourcing(
      delivery,
      [
        { sku: 'A', qty: 5 },
        { sku: 'B', qty: 1 },
      ],
      locations,
      [
        { sku: 'A', locationId: 'ST', available: 3 },
        { sku: 'B', locationId: 'WH', available: 1 },
      ],
    );
    expect(plan.allocation).toEqual([
      { sku: 'A', qty: 3, locationId: 'ST' },
      { sku: 'B', qty: 1, locationId: 'WH' },
    ]);
    expect(plan.shortfall).toEqual([{ sku: 'A', qty: 2 }]);
  });

  it('serves pickup only from the chosen store and lists stores that could serve instead', () => {
    const stores = [
      location('ST-CHOSEN', { type: 'store', fulfils: ['pickup'] }),
      location('ST-FAR', { type: 'store', fulfils: ['pickup'], lat: 51.6 }),
      location('ST-NEAR', { type: 'store', fulfils: ['pickup'], lat: 51.51 }),
      location('WH', { fulfils: ['delivery'] }),
    ];
    const stock: AvailableStock[] = [
      { sku: 'A', locationId: 'ST-CHOSEN', available: 1 },
      { sku: 'A', locationId: 'ST-FAR', available: 5 },
      { sku: 'A', locationId: 'ST-NEAR', available: 5 },
      { sku: 'A', locationId: 'WH', available: 50 },
    ];
    const plan = planSourcing(
      { type: 'pickup', storeId: 'ST-CHOSEN' },
      [{ sku: 'A', qty: 2 }],
      stores,
      stock,
    );
    expect(plan.allocation).toEqual([{ sku: 'A', qty: 1, locationId: 'ST-CHOSEN' }]);
    expect(plan.shortfall).toEqual([{ sku: 'A', qty: 1 }]);
    expect(plan.alternativeStores).toEqual(['ST-NEAR', 'ST-FAR']);
    expect(
      planSourcing({ type: 'pickup', storeId: 'ST-CHOSEN' }, [{ sku: 'A', qty: 1 }], stores, stock)
        .alternativeStores,
    ).toEqual([]);
  });

  it('ship-to-store: a store that takes transfers gets what its shelf lacks from the nearest shipper', () => {
    const world = [
      location('ST-HOME', { type: 'store', fulfils: ['pickup'] }),
      location('WH-NEAR', { lat: 51.51 }),
      location('WH-FAR', { lat: 52.5 }),
      location('ST-PICKUP-ONLY', { type: 'store', fulfils: ['pickup'], lat: 51.508 }),
    ];
    const stock: AvailableStock[] = [
      { sku: 'A', locationId: 'ST-HOME', available: 1 },
      { sku: 'A', locationId: 'WH-NEAR', available: 5 },
      { sku: 'A', locationId: 'WH-FAR', available: 5 },
      { sku: 'A', locationId: 'ST-PICKUP-ONLY', available: 5 },
    ];
    const request: SourcingRequest = { type: 'pickup', storeId: 'ST-HOME', transfersTo: london };
    // The fewest locations still wins: one transfer of all three from the nearest shipper beats picking one
    // at home and sending two (a pickup-only store ships nothing).
    expect(planSourcing(request, [{ sku: 'A', qty: 3 }], world, stock).allocation).toEqual([
      { sku: 'A', qty: 3, locationId: 'WH-NEAR' },
    ]);
    // What nobody can send whole is split: the home shelf first, then the nearest shipper.
    const split = stock.map((entry) => (entry.locationId === 'ST-HOME' ? entry : { ...entry, available: 2 }));
    expect(planSourcing(request, [{ sku: 'A', qty: 3 }], world, split).allocation).toEqual([
      { sku: 'A', qty: 1, locationId: 'ST-HOME' },
      { sku: 'A', qty: 2, locationId: 'WH-NEAR' },
    ]);
    expect(isEligible(request, world[3] as SourcingLocation)).toBe(false);
    // All of it at home: nothing travels.
    expect(planSourcing(request, [{ sku: 'A', qty: 1 }], world, stock).allocation).toEqual([
      { sku: 'A', qty: 1, locationId: 'ST-HOME' },
    ]);
  });

  it('leaves a pickup at an unknown store short, still suggesting stores that could serve', () => {
    const stores = [location('ST-A', { type: 'store', fulfils: ['pickup'] })];
    const plan = planSourcing({ type: 'pickup', storeId: 'ST-GONE' }, [{ sku: 'A', qty: 1 }], stores, [
      { sku: 'A', locationId: 'ST-A', available: 1 },
    ]);
    expect(plan).toEqual({ allocation: [], shortfall: [{ sku: 'A', qty: 1 }], alternativeStores: ['ST-A'] });
  });

  it('serves same day only from stores and dark stores within their radius of the customer', () => {
    const locations = [
      location('DS-IN', { type: 'dark_store', fulfils: ['same_day'], sameDayRadiusKm: 5, lat: 51.52 }),
      location('ST-OUT', { type: 'store', fulfils: ['same_day'], sameDayRadiusKm: 5, lat: 51.8 }),
      location('ST-NO-RADIUS', { type: 'store', fulfils: ['same_day'] }),
      location('WH', { fulfils: ['same_day', 'delivery'], sameDayRadiusKm: 100 }),
    ];
    const stock = locations.map((entry) => ({ sku: 'A', locationId: entry.locationId, available: 10 }));
    const plan = planSourcing(
      { type: 'same_day', customer: london },
      [{ sku: 'A', qty: 12 }],
      locations,
      stock,
    );
    expect(plan.allocation).toEqual([{ sku: 'A', qty: 10, locationId: 'DS-IN' }]);
    expect(plan.shortfall).toEqual([{ sku: 'A', qty: 2 }]);
  });

  it('breaks ties by distance, then by location id', () => {
    const locations = [location('WH-B'), location('WH-A'), location('WH-NEAR', { lat: london.lat + 0.001 })];
    const stock = locations.map((entry) => ({ sku: 'A', locationId: entry.locationId, available: 5 }));
    const customerAtNear = {
      type: 'delivery',
      customer: { lat: london.lat + 0.001, lng: london.lng },
    } as const;
    expect(
      planSourcing(customerAtNear, [{ sku: 'A', qty: 1 }], locations, stock).allocation[0]?.locationId,
    ).toBe('WH-NEAR');
    expect(
      planSourcing(delivery, [{ sku: 'A', qty: 1 }], locations.slice(0, 2), stock).allocation[0]?.locationId,
    ).toBe('WH-A');
  });

  it('falls back to a greedy cover above the exhaustive-search limit', () => {
    const locations = Array.from({ length: exhaustiveSearchLimit + 3 }, (_, index) =>
      location(`WH-${String(index).padStart(2, '0')}`),
    );
    const stock = locations.map((entry) => ({ sku: 'A', locationId: entry.locationId, available: 2 }));
    const plan = planSourcing(delivery, [{ sku: 'A', qty: 7 }], locations, stock);
    expect(plan.allocation.reduce((sum, line) => sum + line.qty, 0)).toBe(7);
    expect(plan.allocation).toHaveLength(4);
  });

  it('ignores stock of unrequested skus, unknown locations and non-positive availability', () => {
    const plan = planSourcing(
      delivery,
      [{ sku: 'A', qty: 1 }],
      [location('WH')],
      [
        { sku: 'B', locationId: 'WH', available: 9 },
        { sku: 'A', locationId: 'GONE', available: 9 },
        { sku: 'A', locationId: 'WH', available: -3 },
      ],
    );
    expect(plan).toEqual({ allocation: [], shortfall: [{ sku: 'A', qty: 1 }], alternativeStores: [] });
  });
});

// ------------------------------------------------------------------------------------- properties

const skus = ['A', 'B', 'C'];
const arbitraryWorld = fc
  .record({
    locations: fc.uniqueArray(
      fc.record({
        locationId: fc.constantFrom('L1', 'L2', 'L3', 'L4', 'L5', 'L6'),
        type: fc.constantFrom('warehouse', 'store', 'dark_store' as const),
        fulfils: fc.subarray(['delivery', 'same_day', 'pickup'] as const, { minLength: 1 }),
        lat: fc.double({ min: 51.3, max: 51.7, noNaN: true }),
        lng: fc.double({ min: -0.4, max: 0.2, noNaN: true }),
        sameDayRadiusKm: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
      }),
      { selector: (entry) => entry.locationId, minLength: 1, maxLength: 6 },
    ),
    lines: fc.uniqueArray(
      fc.record({ sku: fc.constantFrom(...skus), qty: fc.integer({ min: 1, max: 12 }) }),
      {
        selector: (line) => line.sku,
        minLength: 1,
        maxLength: 3,
      },
    ),
    stockFigures: fc.array(
      fc.tuple(
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 0, max: 5 }),
      ),
      {
        minLength: 18,
        maxLength: 18,
      },
    ),
    request: fc.oneof(
      fc.record({
        type: fc.constant('delivery' as const),
        customer: fc.record({
          lat: fc.double({ min: 51.3, max: 51.7, noNaN: true }),
          lng: fc.double({ min: -0.4, max: 0.2, noNaN: true }),
        }),
      }),
      fc.record({
        type: fc.constant('same_day' as const),
        customer: fc.record({
          lat: fc.double({ min: 51.3, max: 51.7, noNaN: true }),
          lng: fc.double({ min: -0.4, max: 0.2, noNaN: true }),
        }),
      }),
      fc.record({ type: fc.constant('pickup' as const), storeId: fc.constantFrom('L1', 'L2', 'L3') }),
    ),
  })
  .map(({ locations, lines, stockFigures, request }) => {
    // available = onHand − reserved − safetyStock, as the adapters compute it: never into safety stock.
    const stock: AvailableStock[] = [];
    locations.forEach((entry, locationIndex) => {
      skus.forEach((sku, skuIndex) => {
        const [onHand, reserved, safety] = stockFigures[locationIndex * 3 + skuIndex] ?? [0, 0, 0];
        stock.push({
          sku,
          locationId: entry.locationId,
          available: Math.max(0, onHand - Math.min(reserved, onHand) - safety),
        });
      });
    });
    return {
      locations: locations as SourcingLocation[],
      lines: lines as OrderLine[],
      stock,
      request: request as SourcingRequest,
    };
  });

const availableAt = (stock: readonly AvailableStock[], sku: string, locationId: string) =>
  stock.find((entry) => entry.sku === sku && entry.locationId === locationId)?.available ?? 0;

/** Brute force: the fewest eligible locations that serve as many units as all eligible locations together. */
function bruteForceMinimumShipments(world: {
  locations: SourcingLocation[];
  lines: OrderLine[];
  stock: AvailableStock[];
  request: SourcingRequest;
}) {
  const eligible = world.locations.filter((entry) => isEligible(world.request, entry));
  const served = (subset: SourcingLocation[]) =>
    world.lines.reduce(
      (sum, line) =>
        sum +
        Math.min(
          line.qty,
          subset.reduce((total, entry) => total + availableAt(world.stock, line.sku, entry.locationId), 0),
        ),
      0,
    );
  const best = served(eligible);
  if (best === 0) return 0;
  let minimum = eligible.length;
  for (let mask = 1; mask < 1 << eligible.length; mask++) {
    const subset = eligible.filter((_, index) => mask & (1 << index));
    if (subset.length < minimum && served(subset) === best) minimum = subset.length;
  }
  return minimum;
}

describe('planSourcing properties', () => {
  it('allocation plus shortfall equals what was requested, per sku', () => {
    fc.assert(
      fc.property(arbitraryWorld, (world) => {
        const plan = planSourcing(world.request, world.lines, world.locations, world.stock);
        for (const line of world.lines) {
          const allocated = plan.allocation
            .filter((entry) => entry.sku === line.sku)
            .reduce((sum, entry) => sum + entry.qty, 0);
          const short = plan.shortfall.find((entry) => entry.sku === line.sku)?.qty ?? 0;
          expect(allocated + short).toBe(line.qty);
        }
        expect(plan.allocation.every((entry) => entry.qty > 0)).toBe(true);
      }),
    );
  });

  it('never allocates more than is available (so never safety stock) and only at eligible locations', () => {
    fc.assert(
      fc.property(arbitraryWorld, (world) => {
        const plan = planSourcing(world.request, world.lines, world.locations, world.stock);
        for (const entry of plan.allocation) {
          expect(entry.qty).toBeLessThanOrEqual(availableAt(world.stock, entry.sku, entry.locationId));
          const allocatedAt = world.locations.find((candidate) => candidate.locationId === entry.locationId);
          expect(allocatedAt && isEligible(world.request, allocatedAt)).toBe(true);
          if (world.request.type === 'pickup') expect(entry.locationId).toBe(world.request.storeId);
          if (world.request.type === 'same_day' && allocatedAt) {
            expect(distanceKm(world.request.customer, allocatedAt)).toBeLessThanOrEqual(
              allocatedAt.sameDayRadiusKm ?? -1,
            );
          }
        }
      }),
    );
  });

  it('uses the minimum number of shipments (brute force on small worlds)', () => {
    fc.assert(
      fc.property(arbitraryWorld, (world) => {
        const plan = planSourcing(world.request, world.lines, world.locations, world.stock);
        const shipments = new Set(plan.allocation.map((entry) => entry.locationId)).size;
        expect(shipments).toBe(bruteForceMinimumShipments(world));
      }),
    );
  });

  it('is deterministic whatever the order of its inputs', () => {
    fc.assert(
      fc.property(arbitraryWorld, fc.infiniteStream(fc.nat()), (world, seeds) => {
        const shuffle = <T>(items: readonly T[]) =>
          items
            .map((item) => ({ item, key: seeds.next().value }))
            .sort((a, b) => a.key - b.key)
            .map((entry) => entry.item);
        const once = planSourcing(world.request, world.lines, world.locations, world.stock);
        const again = planSourcing(
          world.request,
          world.lines,
          shuffle(world.locations),
          shuffle(world.stock),
        );
        expect(again).toEqual(once);
      }),
    );
  });
});
