import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyTrackingEvent,
  handedOver,
  isTrackingEnded,
  type TrackingEvent,
  type TrackingState,
} from '../../functions/core/tracking';

/** A carrier's journey for one parcel, in order: out for delivery, some failed attempts, then an ending. */
const journey = fc
  .record({
    failures: fc.nat({ max: 3 }),
    ending: fc.constantFrom('delivered' as const, 'returned_to_sender' as const),
  })
  .map(({ failures, ending }) => {
    const types = [
      'picked_up',
      'out_for_delivery',
      ...Array.from({ length: failures }, () => 'delivery_failed' as const),
      ending,
    ] as const;
    return types.map(
      (type, index): TrackingEvent => ({
        id: `msg_${index}`,
        type,
        at: new Date(Date.UTC(2026, 0, 12, 10, index)).toISOString(),
      }),
    );
  });

const fold = (events: readonly TrackingEvent[]): TrackingState =>
  events.reduce(applyTrackingEvent, handedOver);
const rank = (state: TrackingState) =>
  ({ HANDED_OVER: 1, OUT_FOR_DELIVERY: 2, DELIVERED: 3, RETURNING: 3 })[state.status];

describe('tracking events', () => {
  it('end in the same state whatever order they arrive in, duplicates included', () => {
    fc.assert(
      fc.property(
        journey.chain((events) =>
          fc.tuple(
            fc.constant(events),
            fc.shuffledSubarray([...events, ...events, ...events], { minLength: events.length * 3 }),
          ),
        ),
        ([ordered, delivered]) => {
          expect(fold(delivered)).toEqual(fold(ordered));
        },
      ),
    );
  });

  it('never move a parcel backwards, and count each failed attempt once', () => {
    fc.assert(
      fc.property(
        journey.chain((events) => fc.shuffledSubarray([...events, ...events], { minLength: 1 })),
        (stream) => {
          let state = handedOver;
          for (const event of stream) {
            const next = applyTrackingEvent(state, event);
            expect(rank(next)).toBeGreaterThanOrEqual(rank(state));
            if (isTrackingEnded(state.status)) expect(next.status).toBe(state.status);
            state = next;
          }
          expect(state.attempts).toBe(
            new Set(stream.filter((e) => e.type === 'delivery_failed').map((e) => e.id)).size,
          );
        },
      ),
    );
  });

  it('keeps a late event in the history without regressing, and ignores a replay', () => {
    const at = (minute: number) => new Date(Date.UTC(2026, 0, 12, 10, minute)).toISOString();
    const delivered = fold([
      { id: 'a', type: 'picked_up', at: at(0) },
      { id: 'c', type: 'delivered', at: at(9) },
    ]);
    const late = applyTrackingEvent(delivered, { id: 'b', type: 'out_for_delivery', at: at(5) });
    expect(late.status).toBe('DELIVERED');
    expect(late.events.map((event) => event.id)).toEqual(['a', 'b', 'c']);
    expect(applyTrackingEvent(late, { id: 'b', type: 'returned_to_sender', at: at(10) })).toBe(late);
    // Two events at the same moment sort by id, so the history is the same however they came.
    const tie = fold([
      { id: 'y', type: 'picked_up', at: at(0) },
      { id: 'x', type: 'out_for_delivery', at: at(0) },
    ]);
    expect(tie.events.map((event) => event.id)).toEqual(['x', 'y']);
    expect(tie.status).toBe('OUT_FOR_DELIVERY');
  });
});
