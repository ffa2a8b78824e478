import { describe, expect, it } from 'vitest';
import { decideHoldExpiry } from '../../functions/core/hold-expiry';

const hold = { sku: 'A', locationId: 'L1', qty: 2 };

describe('decideHoldExpiry', () => {
  it('turns a reserved order into a backorder: the units leave the allocation and join the shortfall', () => {
    expect(
      decideHoldExpiry(
        {
          status: 'RESERVED',
          allocations: [
            { sku: 'A', qty: 5, locationId: 'L1' },
            { sku: 'A', qty: 1, locationId: 'L2' },
          ],
          shortfall: [],
        },
        hold,
      ),
    ).toEqual({
      kind: 'release',
      status: 'BACKORDERED',
      allocations: [
        { sku: 'A', qty: 3, locationId: 'L1' },
        { sku: 'A', qty: 1, locationId: 'L2' },
      ],
      shortfall: [{ sku: 'A', qty: 2 }],
    });
  });

  it('adds to an existing shortfall of the same SKU and drops an emptied allocation', () => {
    expect(
      decideHoldExpiry(
        {
          status: 'BACKORDERED',
          allocations: [{ sku: 'A', qty: 2, locationId: 'L1' }],
          shortfall: [
            { sku: 'A', qty: 4 },
            { sku: 'B', qty: 1 },
          ],
        },
        hold,
      ),
    ).toEqual({
      kind: 'release',
      status: 'BACKORDERED',
      allocations: [],
      shortfall: [
        { sku: 'A', qty: 6 },
        { sku: 'B', qty: 1 },
      ],
    });
  });

  it('keeps the status of a terminal order and leaves holds of orders being picked alone', () => {
    expect(decideHoldExpiry({ status: 'CANCELLED', allocations: [], shortfall: [] }, hold)).toEqual({
      kind: 'release',
      status: 'CANCELLED',
      allocations: [],
      shortfall: [],
    });
    expect(decideHoldExpiry({ status: 'PICKING', allocations: [], shortfall: [] }, hold)).toMatchObject({
      kind: 'keep',
    });
  });
});
