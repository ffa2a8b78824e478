import type { TrackingEventType } from '../contracts/carriers';

/**
 * Carrier tracking events (issue 12, docs/carriers.md): what a carrier's webhooks do to a shipment once it
 * has left with the carrier. Webhooks arrive at least once and in any order, so the state is a function of
 * the *set* of events seen, never of their order: a replayed event changes nothing, a late one is kept in the
 * history but never moves the status backwards, and failed attempts are counted once each.
 */

/** Where a parcel with a carrier stands. */
export type TrackingStatus = 'HANDED_OVER' | 'OUT_FOR_DELIVERY' | 'DELIVERED' | 'RETURNING';

export interface TrackingEvent {
  /** The webhook's `webhook-id`: the same id twice is one event. */
  readonly id: string;
  readonly type: TrackingEventType;
  /** When it happened, as the carrier says (ISO 8601). */
  readonly at: string;
}

export interface TrackingState {
  readonly status: TrackingStatus;
  /** Failed delivery attempts, each counted once. */
  readonly attempts: number;
  /** Every distinct event, in order of occurrence (ties by id, so the order is the same however they came). */
  readonly events: readonly TrackingEvent[];
}

/** How far along each event takes a parcel; the two endings outrank everything. */
const progress: Record<TrackingEventType, { readonly rank: number; readonly status: TrackingStatus }> = {
  picked_up: { rank: 1, status: 'HANDED_OVER' },
  out_for_delivery: { rank: 2, status: 'OUT_FOR_DELIVERY' },
  // A failed attempt keeps the parcel out for delivery (the carrier tries again) and counts.
  delivery_failed: { rank: 2, status: 'OUT_FOR_DELIVERY' },
  delivered: { rank: 3, status: 'DELIVERED' },
  returned_to_sender: { rank: 3, status: 'RETURNING' },
};

/** A parcel just handed over: nothing reported yet. */
export const handedOver: TrackingState = { status: 'HANDED_OVER', attempts: 0, events: [] };

/**
 * The state after `event`: unchanged for an id already seen (a replay). Otherwise the event joins the
 * history, failed attempts are recounted, and the status is the furthest any event has taken the parcel:
 * an event older than the current status is kept but moves nothing back. The first ending wins: a parcel
 * delivered is never returning, whatever a late event says.
 */
export function applyTrackingEvent(state: TrackingState, event: TrackingEvent): TrackingState {
  if (state.events.some((seen) => seen.id === event.id)) return state;
  const events = [...state.events, event].sort(byOccurrence);
  return {
    events,
    attempts: events.filter((seen) => seen.type === 'delivery_failed').length,
    status: furthest(state.status, event),
  };
}

/** Whether the state is an ending (delivered, or on its way back): later events only join the history. */
export const isTrackingEnded = (status: TrackingStatus): boolean =>
  status === 'DELIVERED' || status === 'RETURNING';

function furthest(current: TrackingStatus, event: TrackingEvent): TrackingStatus {
  if (isTrackingEnded(current)) return current;
  const next = progress[event.type];
  const currentRank = Math.max(
    0,
    ...Object.values(progress)
      .filter((step) => step.status === current)
      .map((step) => step.rank),
  );
  return next.rank > currentRank ? next.status : current;
}

const byOccurrence = (a: TrackingEvent, b: TrackingEvent): number =>
  a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
