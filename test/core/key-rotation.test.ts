import { describe, expect, it } from 'vitest';
import { planRotation } from '../../functions/core/key-rotation';

const now = new Date('2026-12-01T10:00:00.000Z');
const fresh = { keyHash: 'new', createdAt: now.toISOString() };

describe('planRotation', () => {
  it('gives the current key the overlap as its expiry, and puts the new key first', () => {
    const current = [{ keyHash: 'old', createdAt: '2026-11-01T00:00:00.000Z' }];
    const plan = planRotation(current, fresh, now, 60);
    const expiresAt = '2026-12-01T11:00:00.000Z';
    expect(plan.keys).toEqual([fresh, { ...current[0], expiresAt }]);
    expect(plan.expiring).toEqual([{ ...current[0], expiresAt }]);
    expect(plan.removed).toEqual([]);
  });

  it('removes the current key at once with no overlap', () => {
    const current = [{ keyHash: 'old', createdAt: '2026-11-01T00:00:00.000Z' }];
    const plan = planRotation(current, fresh, now, 0);
    expect(plan).toEqual({ keys: [fresh], expiring: [], removed: current });
  });

  it('never extends a key still in an earlier overlap, and drops keys past their expiry', () => {
    const overlapping = {
      keyHash: 'a',
      createdAt: '2026-11-01T00:00:00.000Z',
      expiresAt: '2026-12-01T10:30:00.000Z',
    };
    const expired = {
      keyHash: 'b',
      createdAt: '2026-10-01T00:00:00.000Z',
      expiresAt: '2026-12-01T10:00:00.000Z',
    };
    const plan = planRotation([overlapping, expired], fresh, now, 600);
    expect(plan.keys).toEqual([fresh, overlapping]);
    expect(plan.expiring).toEqual([]);
    expect(plan.removed).toEqual([expired]);
  });
});
