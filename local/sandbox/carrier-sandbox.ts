import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
// Plain geometry: the only product code the sandbox shares (it talks to the product over HTTP alone).
import { distanceKm } from '../../functions/core/geo';
import { readBody, send } from './http';
import { playJourney, type SandboxDelivery, type SandboxScript, type WebhookTarget } from './journeys';

/**
 * The sandbox carrier service `npm start` runs (docs/carriers.md): several couriers' booking APIs on one
 * port, like a courier platform's test mode. It is not the product: the product books, quotes and cancels
 * over HTTP exactly as with a real carrier, and the sandbox answers with signed tracking webhooks on its own
 * clock. Tests and demos script it per booking (decline, no answer, failed attempts, a return, a delay).
 *
 *   POST /{carrierId}/quotes                          {reference, service, pickup, dropoff} → {fee, currency, etaAt}
 *   POST /{carrierId}/deliveries   (Idempotency-Key)  the same body → 201 {deliveryId, trackingNumber, fee, etaAt}
 *   POST /{carrierId}/deliveries/{deliveryId}/cancel  → 200, or 409 once picked up
 *   GET  /{carrierId}/deliveries/{deliveryId}         the delivery and the webhooks it sent
 *   POST /sandbox/scripts                             {carrierId, reference, script} → 204
 *
 * A decline is a 422 `{code: "declined", reason}`, as is a service the carrier does not run or a drop-off
 * beyond its range.
 */

export interface SandboxCarrier {
  readonly services: readonly string[];
  readonly maxDistanceKm?: number;
  /** The fee is base + per km, in GBP. */
  readonly baseFee: number;
  readonly feePerKm: number;
}

export interface CarrierSandbox {
  readonly url: string;
  /** Where a carrier sends its webhooks, signed with its secret (the product shows it once). */
  connect(carrierId: string, target: WebhookTarget): void;
  readonly deliveries: ReadonlyMap<string, SandboxDelivery>;
  stop(): Promise<void>;
}

interface BookingRequest {
  readonly reference: string;
  readonly service: string;
  readonly pickup: { lat: number; lng: number };
  readonly dropoff: { lat: number; lng: number };
}

interface SandboxOptions {
  readonly carriers: Readonly<Record<string, SandboxCarrier>>;
  /** The clock: one tracking event per tick (default 2 s: a journey well under a minute). */
  readonly tickMs?: number;
  readonly port?: number;
  readonly log?: (line: string) => void;
}

type Answer = readonly [status: number, body?: unknown];
const declined = (reason: string): Answer => [422, { code: 'declined', reason }];

/** The sandbox couriers' state: scripts, deliveries, idempotency keys, and the webhook targets. */
class SandboxCouriers {
  readonly targets = new Map<string, WebhookTarget>();
  readonly deliveries = new Map<string, SandboxDelivery>();
  /** Booking requests scripted to get no answer: closed when the sandbox stops. */
  readonly hanging = new Set<ServerResponse>();
  private readonly scripts = new Map<string, SandboxScript & { declined: number; unanswered: number }>();
  private readonly byIdempotencyKey = new Map<string, SandboxDelivery>();
  private sequence = 0;
  readonly tickMs: number;

  constructor(private readonly options: SandboxOptions) {
    this.tickMs = options.tickMs ?? 2000;
  }

  has(carrierId: string | undefined): carrierId is string {
    return carrierId !== undefined && this.options.carriers[carrierId] !== undefined;
  }

  setScript(carrierId: string, reference: string, script: SandboxScript): void {
    this.scripts.set(`${carrierId}/${reference}`, { ...script, declined: 0, unanswered: 0 });
  }

  private scriptOf(carrierId: string, reference: string) {
    const key = `${carrierId}/${reference}`;
    const script = this.scripts.get(key) ?? { declined: 0, unanswered: 0 };
    this.scripts.set(key, script);
    return script;
  }

  quote(
    carrierId: string,
    request: BookingRequest,
  ): { fee: number; currency: string; etaAt: string } | { declined: string } {
    const carrier = this.options.carriers[carrierId] as SandboxCarrier;
    if (!carrier.services.includes(request.service)) return { declined: `no ${request.service} service` };
    const km = distanceKm(request.pickup, request.dropoff);
    if (carrier.maxDistanceKm !== undefined && km > carrier.maxDistanceKm)
      return { declined: `${km.toFixed(1)} km is beyond ${carrier.maxDistanceKm} km` };
    const fee = Math.round((carrier.baseFee + carrier.feePerKm * km) * 100) / 100;
    const script = this.scriptOf(carrierId, request.reference);
    // The ETA is the journey as planned; a scripted delay is unplanned, so the delivery is late by it.
    const journeyMs = this.tickMs * (3 + (script.failedAttempts ?? 0));
    return { fee, currency: 'GBP', etaAt: new Date(Date.now() + journeyMs).toISOString() };
  }

  /** A booking: the same idempotency key books once; undefined means no answer (scripted). */
  book(carrierId: string, request: BookingRequest, idempotencyKey: string): Answer | undefined {
    const replay = this.byIdempotencyKey.get(`${carrierId}/${idempotencyKey}`);
    if (replay) return [200, view(replay)];
    const script = this.scriptOf(carrierId, request.reference);
    if (script.unanswered < (script.noAnswers ?? 0)) {
      script.unanswered++;
      return undefined;
    }
    if (script.declined < (script.declines ?? 0)) {
      script.declined++;
      return declined('scripted decline (sandbox)');
    }
    const quoted = this.quote(carrierId, request);
    if ('declined' in quoted) return declined(quoted.declined);
    this.sequence++;
    const delivery: SandboxDelivery = {
      deliveryId: `dlv_${carrierId.toLowerCase()}_${this.sequence}`,
      carrierId,
      reference: request.reference,
      // The initials of the carrier's name: CARRIER-BIKE-COURIERS numbers its parcels CBC100001, …
      trackingNumber: `${carrierId
        .split('-')
        .map((word) => word.charAt(0))
        .join('')
        .toUpperCase()}${String(100000 + this.sequence)}`,
      fee: quoted.fee,
      etaAt: quoted.etaAt,
      status: 'booked',
      webhooks: [],
    };
    this.deliveries.set(delivery.deliveryId, delivery);
    this.byIdempotencyKey.set(`${carrierId}/${idempotencyKey}`, delivery);
    playJourney(delivery, script, {
      tickMs: this.tickMs,
      target: () => this.targets.get(carrierId),
      log: this.options.log ?? (() => {}),
    });
    return [201, view(delivery)];
  }

  cancel(delivery: SandboxDelivery): Answer {
    if (delivery.status !== 'booked' && delivery.status !== 'cancelled')
      return [409, { code: 'already_picked_up', reason: `delivery is ${delivery.status}` }];
    delivery.status = 'cancelled';
    clearTimeout(delivery.timer);
    return [200, view(delivery)];
  }
}

/** The sandbox's HTTP routes (see the top of this file). */
async function route(
  couriers: SandboxCouriers,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const path = (request.url ?? '/').split('?')[0] as string;
  const body = request.method === 'POST' ? await readJson(request) : undefined;
  const answer = (result: Answer) => send(response, result[0], result[1]);
  if (request.method === 'POST' && path === '/sandbox/scripts') {
    const { carrierId, reference, script } = (body ?? {}) as Partial<{
      carrierId: string;
      reference: string;
      script: SandboxScript;
    }>;
    if (!couriers.has(carrierId) || !reference || typeof script !== 'object')
      return answer([400, { reason: 'needs {carrierId, reference, script}' }]);
    couriers.setScript(carrierId, reference, script);
    return answer([204]);
  }
  const [carrierId, resource, deliveryId, action] = path.split('/').filter(Boolean);
  if (!couriers.has(carrierId)) return answer([404, { reason: 'no such carrier' }]);
  if (resource !== 'quotes' && resource !== 'deliveries') return answer([404, { reason: 'no such route' }]);
  if (request.method === 'POST' && !deliveryId) {
    if (!isBookingRequest(body))
      return answer([400, { reason: 'needs {reference, service, pickup, dropoff}' }]);
    if (resource === 'quotes') {
      const quoted = couriers.quote(carrierId, body);
      return answer('declined' in quoted ? declined(quoted.declined) : [200, quoted]);
    }
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || key === '')
      return answer([400, { reason: 'Idempotency-Key is required' }]);
    const booked = couriers.book(carrierId, body, key);
    if (booked) return answer(booked);
    couriers.hanging.add(response);
    response.on('close', () => couriers.hanging.delete(response));
    return;
  }
  const delivery = deliveryId ? couriers.deliveries.get(deliveryId) : undefined;
  if (!delivery || delivery.carrierId !== carrierId) return answer([404, { reason: 'no such delivery' }]);
  if (request.method === 'POST' && action === 'cancel') return answer(couriers.cancel(delivery));
  if (request.method === 'GET' && !action)
    return answer([200, { ...view(delivery), webhooks: delivery.webhooks }]);
  return answer([404, { reason: 'no such route' }]);
}

export async function startCarrierSandbox(options: SandboxOptions): Promise<CarrierSandbox> {
  const couriers = new SandboxCouriers(options);
  const server = createServer((request, response) => {
    route(couriers, request, response).catch((error: Error) =>
      send(response, 400, { reason: error.message }),
    );
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    deliveries: couriers.deliveries,
    connect: (carrierId, target) => couriers.targets.set(carrierId, target),
    stop: async () => {
      for (const delivery of couriers.deliveries.values()) clearTimeout(delivery.timer);
      for (const response of couriers.hanging) response.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const view = (delivery: SandboxDelivery) => ({
  deliveryId: delivery.deliveryId,
  reference: delivery.reference,
  trackingNumber: delivery.trackingNumber,
  fee: delivery.fee,
  currency: 'GBP',
  etaAt: delivery.etaAt,
  status: delivery.status,
});

async function readJson(request: IncomingMessage): Promise<unknown> {
  const text = await readBody(request);
  return text === '' ? undefined : JSON.parse(text);
}

const isPoint = (value: unknown): value is { lat: number; lng: number } =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { lat?: unknown }).lat === 'number' &&
  typeof (value as { lng?: unknown }).lng === 'number';

function isBookingRequest(body: unknown): body is BookingRequest {
  const candidate = body as Partial<BookingRequest> | undefined;
  return (
    typeof candidate?.reference === 'string' &&
    typeof candidate.service === 'string' &&
    isPoint(candidate.pickup) &&
    isPoint(candidate.dropoff)
  );
}
