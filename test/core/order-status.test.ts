import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { orderStatuses } from '../../functions/contracts/schemas';
import {
  canTransition,
  decideCancellation,
  decideTransition,
  isAwaitingReservation,
  isTerminal,
} from '../../functions/core/order-status';

describe('order status machine', () => {
  it('follows the documented life cycle', () => {
    const path = [
      'ACCEPTED',
      'RESERVED',
      'PICKING',
      'PACKED',
      'IN_TRANSIT',
      'DELIVERED',
      'RETURN_REQUESTED',
      'RETURNED',
    ] as const;
    for (let index = 1; index < path.length; index++)
      expect(canTransition(path[index - 1]!, path[index]!)).toBe(true);
    expect(canTransition('PACKED', 'READY_FOR_PICKUP')).toBe(true);
    expect(canTransition('READY_FOR_PICKUP', 'COLLECTED')).toBe(true);
    expect(canTransition('ACCEPTED', 'BACKORDERED')).toBe(true);
    expect(canTransition('BACKORDERED', 'RESERVED')).toBe(true);
    expect(canTransition('BACKORDERED', 'REJECTED')).toBe(true);
    expect(canTransition('IN_TRANSIT', 'CANCELLED')).toBe(false);
    expect(canTransition('ACCEPTED', 'DELIVERED')).toBe(false);
  });

  it('never leaves a terminal status', () => {
    expect(['CANCELLED', 'REJECTED', 'RETURNED'].every((status) => isTerminal(status as never))).toBe(true);
    fc.assert(
      fc.property(fc.constantFrom(...orderStatuses), fc.constantFrom(...orderStatuses), (from, to) => {
        if (isTerminal(from)) expect(canTransition(from, to)).toBe(false);
      }),
    );
  });

  it('treats a repeated transition as already applied, and refuses disallowed ones', () => {
    fc.assert(
      fc.property(fc.constantFrom(...orderStatuses), fc.constantFrom(...orderStatuses), (from, to) => {
        const decision = decideTransition(from, to);
        if (from === to) expect(decision.kind).toBe('already-applied');
        else expect(decision.kind).toBe(canTransition(from, to) ? 'apply' : 'rejected');
      }),
    );
    expect(decideTransition('DELIVERED', 'REJECTED')).toEqual({
      kind: 'rejected',
      reason: 'an order in status DELIVERED cannot become REJECTED',
    });
  });

  it('awaits reservation only when accepted or backordered', () => {
    expect(orderStatuses.filter(isAwaitingReservation)).toEqual(['ACCEPTED', 'BACKORDERED']);
  });

  it('lets an order be cancelled until it is shipped or collected, and says so after', () => {
    for (const status of [
      'ACCEPTED',
      'BACKORDERED',
      'RESERVED',
      'PICKING',
      'PACKED',
      'READY_FOR_PICKUP',
    ] as const)
      expect(decideCancellation(status)).toEqual({ kind: 'cancel' });
    expect(decideCancellation('CANCELLED')).toEqual({ kind: 'already-cancelled' });
    for (const status of [
      'IN_TRANSIT',
      'DELIVERED',
      'COLLECTED',
      'RETURN_REQUESTED',
      'RETURNED',
      'REJECTED',
    ] as const)
      expect(decideCancellation(status)).toMatchObject({
        kind: 'too-late',
        reason: expect.stringContaining(status),
      });
  });
});
