import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/**
 * What a sandbox delivery does once booked, on the sandbox's own clock: one tracking event per tick, each
 * sent as a Standard Webhooks signed POST to the carrier's webhook URL, the way a courier platform's test
 * mode drives a delivery along. It knows nothing of the product beyond that URL and the event format.
 */

/** How a test or a demo scripts the bookings of one reference (a shipment id) at one carrier. */
export interface SandboxScript {
  /** Decline this many booking requests first (then accept). */
  readonly declines?: number;
  /** Leave this many booking requests unanswered first (the caller's timeout moves on). */
  readonly noAnswers?: number;
  /** Failed delivery attempts before the parcel is delivered (or returned). */
  readonly failedAttempts?: number;
  /** After the failed attempts, return the parcel to the sender instead of delivering it. */
  readonly returnToSender?: boolean;
  /** Extra seconds before the courier picks the parcel up: a late carrier (its ETA does not allow for them). */
  readonly delaySeconds?: number;
}

export type TrackingType =
  | 'picked_up'
  | 'out_for_delivery'
  | 'delivery_failed'
  | 'delivered'
  | 'returned_to_sender';

export interface SentWebhook {
  readonly id: string;
  readonly type: TrackingType;
  readonly at: string;
  /** The HTTP status of the last delivery attempt, or the network error. */
  outcome?: number | string;
  attempts: number;
}

export interface SandboxDelivery {
  readonly deliveryId: string;
  readonly carrierId: string;
  readonly reference: string;
  readonly trackingNumber: string;
  readonly fee: number;
  readonly etaAt: string;
  status: 'booked' | 'picked_up' | 'cancelled' | 'delivered' | 'returned';
  readonly webhooks: SentWebhook[];
  timer?: NodeJS.Timeout;
  /** The webhook being sent (with its retries): the next one waits for it, so they arrive in order. */
  sending?: Promise<void>;
}

export interface WebhookTarget {
  readonly url: string;
  readonly signingSecret: string;
}

/** The journey's events: pick-up, out for delivery, the failed attempts, then delivered or returned. */
export function journeyOf(script: SandboxScript): TrackingType[] {
  const failures = Array.from({ length: script.failedAttempts ?? 0 }, () => 'delivery_failed' as const);
  return [
    'picked_up',
    'out_for_delivery',
    ...failures,
    script.returnToSender ? 'returned_to_sender' : 'delivered',
  ];
}

/**
 * Plays the journey: the first event after the pick-up delay, each next one a tick later. Each webhook is
 * retried with backoff while the receiver answers 5xx or cannot be reached (4xx is final, as on real
 * platforms). Cancelling the delivery before pick-up stops it.
 */
export function playJourney(
  delivery: SandboxDelivery,
  script: SandboxScript,
  options: {
    readonly tickMs: number;
    readonly target: () => WebhookTarget | undefined;
    readonly log: (line: string) => void;
  },
): void {
  const events = journeyOf(script);
  const next = (index: number, delayMs: number) => {
    delivery.timer = setTimeout(() => {
      if (delivery.status === 'cancelled') return;
      const type = events[index] as TrackingType;
      delivery.status =
        type === 'delivered' ? 'delivered' : type === 'returned_to_sender' ? 'returned' : 'picked_up';
      // One at a time per delivery, as a carrier's webhook queue does: a slow answer (a cold function, a busy
      // machine) delays the next event rather than letting it overtake. Out-of-order arrival is still handled
      // by the product (test/handlers/carrier-events-shuffled.test.ts sends them shuffled on purpose).
      delivery.sending = (delivery.sending ?? Promise.resolve()).then(() =>
        sendWebhook(delivery, type, options),
      );
      if (index + 1 < events.length) next(index + 1, options.tickMs);
    }, delayMs);
    delivery.timer.unref();
  };
  next(0, options.tickMs + (script.delaySeconds ?? 0) * 1000);
}

const maxWebhookAttempts = 6;

async function sendWebhook(
  delivery: SandboxDelivery,
  type: TrackingType,
  options: {
    readonly tickMs: number;
    readonly target: () => WebhookTarget | undefined;
    readonly log: (line: string) => void;
  },
): Promise<void> {
  const sent: SentWebhook = { id: `msg_${randomUUID()}`, type, at: new Date().toISOString(), attempts: 0 };
  delivery.webhooks.push(sent);
  const body = JSON.stringify({
    shipmentId: delivery.reference,
    type,
    at: sent.at,
    ...(type === 'delivered'
      ? { proof: { kind: 'photo', ref: `sandbox://proof/${delivery.deliveryId}`, lat: 51.5, lng: -0.1 } }
      : {}),
    ...(type === 'delivery_failed' ? { reason: 'nobody home (sandbox)' } : {}),
  });
  for (let attempt = 1; attempt <= maxWebhookAttempts; attempt++) {
    const target = options.target();
    if (!target) return;
    sent.attempts = attempt;
    try {
      // Signed at each attempt: a retry hours later would otherwise be refused as stale.
      const timestamp = Math.floor(Date.now() / 1000);
      const signature = new Webhook(target.signingSecret).sign(sent.id, new Date(timestamp * 1000), body);
      const response = await fetch(target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': sent.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signature,
        },
        body,
      });
      sent.outcome = response.status;
      await response.arrayBuffer();
      if (response.status < 500 && response.status !== 429) {
        if (!response.ok)
          options.log(`${delivery.carrierId} ${type} for ${delivery.reference}: ${response.status}`);
        return;
      }
    } catch (error) {
      sent.outcome = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, options.tickMs * 2 ** attempt).unref());
  }
  options.log(`${delivery.carrierId} gave up sending ${type} for ${delivery.reference}: ${sent.outcome}`);
}
