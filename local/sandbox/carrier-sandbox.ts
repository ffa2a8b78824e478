import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
// Plain geometry: the only product code the sandbox shares (it talks to the product over HTTP alone).
import { distanceKm } from '../../functions/core/geo';
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

export async function startCarrierSandbox(options: {
  readonly carriers: Readonly<Record<string, SandboxCarrier>>;
  /** The clock: one tracking event per tick (default 2 s: a journey well under a minute). */
  readonly tickMs?: number;
  readonly port?: number;
  readonly log?: (line: string) => void;
}): Promise<CarrierSandbox> {
  const tickMs = options.tickMs ?? 2000;
  const log = options.log ?? (() => {});
  const targets = new Map<string, WebhookTarget>();
  const scripts = new Map<string, SandboxScript & { declined: number; unanswered: number }>();
  const deliveries = new Map<string, SandboxDelivery>();
  const byIdempotencyKey = new Map<string, SandboxDelivery>();
  const hanging = new Set<ServerResponse>();
  let sequence = 0;
  const scriptOf = (carrierId: string, reference: string) => {
    const key = `${carrierId}/${reference}`;
    const script = scripts.get(key) ?? { declined: 0, unanswered: 0 };
    scripts.set(key, script);
    return script;
  };

  const quote = (carrierId: string, request: BookingRequest) => {
    const carrier = options.carriers[carrierId] as SandboxCarrier;
    if (!carrier.services.includes(request.service)) return { declined: `no ${request.service} service` };
    const km = distanceKm(request.pickup, request.dropoff);
    if (carrier.maxDistanceKm !== undefined && km > carrier.maxDistanceKm)
      return { declined: `${km.toFixed(1)} km is beyond ${carrier.maxDistanceKm} km` };
    const fee = Math.round((carrier.baseFee + carrier.feePerKm * km) * 100) / 100;
    const script = scriptOf(carrierId, request.reference);
    const journeyMs = tickMs * (3 + (script.failedAttempts ?? 0)) + (script.delaySeconds ?? 0) * 1000;
    return { fee, currency: 'GBP', etaAt: new Date(Date.now() + journeyMs).toISOString() };
  };

  const book = (
    carrierId: string,
    request: BookingRequest,
    idempotencyKey: string,
    response: ServerResponse,
  ) => {
    const replay = byIdempotencyKey.get(`${carrierId}/${idempotencyKey}`);
    if (replay) return send(response, 200, view(replay));
    const script = scriptOf(carrierId, request.reference);
    if (script.unanswered < (script.noAnswers ?? 0)) {
      script.unanswered++;
      hanging.add(response);
      response.on('close', () => hanging.delete(response));
      return;
    }
    if (script.declined < (script.declines ?? 0)) {
      script.declined++;
      return send(response, 422, { code: 'declined', reason: 'scripted decline (sandbox)' });
    }
    const quoted = quote(carrierId, request);
    if ('declined' in quoted) return send(response, 422, { code: 'declined', reason: quoted.declined });
    sequence++;
    const delivery: SandboxDelivery = {
      deliveryId: `dlv_${carrierId.toLowerCase()}_${sequence}`,
      carrierId,
      reference: request.reference,
      trackingNumber: `${carrierId.replace(/[^A-Z]/g, '').slice(0, 4)}${String(100000 + sequence)}`,
      fee: quoted.fee,
      etaAt: quoted.etaAt,
      status: 'booked',
      webhooks: [],
    };
    deliveries.set(delivery.deliveryId, delivery);
    byIdempotencyKey.set(`${carrierId}/${idempotencyKey}`, delivery);
    playJourney(delivery, script, { tickMs, target: () => targets.get(carrierId), log });
    return send(response, 201, view(delivery));
  };

  const cancel = (delivery: SandboxDelivery, response: ServerResponse) => {
    if (delivery.status !== 'booked' && delivery.status !== 'cancelled')
      return send(response, 409, { code: 'already_picked_up', reason: `delivery is ${delivery.status}` });
    delivery.status = 'cancelled';
    clearTimeout(delivery.timer);
    return send(response, 200, view(delivery));
  };

  const route = async (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '/').split('?')[0] as string;
    const segments = path.split('/').filter(Boolean);
    const body = request.method === 'POST' ? await readJson(request) : undefined;
    if (request.method === 'POST' && path === '/sandbox/scripts') {
      const { carrierId, reference, script } = (body ?? {}) as {
        carrierId?: string;
        reference?: string;
        script?: SandboxScript;
      };
      if (!carrierId || !options.carriers[carrierId] || !reference || typeof script !== 'object')
        return send(response, 400, { reason: 'needs {carrierId, reference, script}' });
      scripts.set(`${carrierId}/${reference}`, { ...script, declined: 0, unanswered: 0 });
      return send(response, 204);
    }
    const [carrierId, resource, deliveryId, action] = segments;
    if (!carrierId || !options.carriers[carrierId]) return send(response, 404, { reason: 'no such carrier' });
    if (resource === 'quotes' || resource === 'deliveries') {
      if (request.method === 'POST' && !deliveryId) {
        if (!isBookingRequest(body))
          return send(response, 400, { reason: 'needs {reference, service, pickup, dropoff}' });
        if (resource === 'quotes') {
          const quoted = quote(carrierId, body);
          return 'declined' in quoted
            ? send(response, 422, { code: 'declined', reason: quoted.declined })
            : send(response, 200, quoted);
        }
        const key = request.headers['idempotency-key'];
        if (typeof key !== 'string' || key === '')
          return send(response, 400, { reason: 'Idempotency-Key is required' });
        return book(carrierId, body, key, response);
      }
      const delivery = deliveryId ? deliveries.get(deliveryId) : undefined;
      if (!delivery || delivery.carrierId !== carrierId)
        return send(response, 404, { reason: 'no such delivery' });
      if (request.method === 'POST' && action === 'cancel') return cancel(delivery, response);
      if (request.method === 'GET' && !action)
        return send(response, 200, { ...view(delivery), webhooks: delivery.webhooks });
    }
    return send(response, 404, { reason: 'no such route' });
  };

  const server = createServer((request, response) => {
    route(request, response).catch((error: Error) => send(response, 400, { reason: error.message }));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    deliveries,
    connect: (carrierId, target) => targets.set(carrierId, target),
    stop: async () => {
      for (const delivery of deliveries.values()) clearTimeout(delivery.timer);
      for (const response of hanging) response.destroy();
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

function send(response: ServerResponse, status: number, body?: unknown): void {
  if (response.headersSent) return;
  response.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
  response.end(body === undefined ? undefined : JSON.stringify(body));
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
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
