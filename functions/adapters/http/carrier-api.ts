import * as z from 'zod';

/**
 * The carrier booking API the product calls (docs/carriers.md), over HTTP(S) with `fetch`, one call at a
 * time with its own timeout. A courier platform's sandbox and its live API answer the same way:
 *
 *   POST {apiUrl}/quotes                        {reference, service, pickup, dropoff, parcels} → {fee, currency, etaAt}
 *   POST {apiUrl}/deliveries  (Idempotency-Key) the same body → 201 {deliveryId, trackingNumber, fee, currency, etaAt}
 *   POST {apiUrl}/deliveries/{deliveryId}/cancel → 200, or 409 once the courier has the parcel
 *
 * A 422 is a decline (the job is not for it); a timeout, a network error or a 5xx is an `error` the caller
 * may try again later; an answer that is not the documented one is also an `error`, never a booking.
 */

export interface CarrierRequest {
  /** The shipment id: the carrier's webhooks name it, and scripts in a sandbox match it. */
  readonly reference: string;
  readonly service: string;
  readonly pickup: { readonly lat: number; readonly lng: number; readonly locationId: string };
  readonly dropoff: {
    readonly lat: number;
    readonly lng: number;
    readonly line1: string;
    readonly city: string;
    readonly postalCode: string;
    readonly country: string;
  };
  readonly parcels: readonly { readonly weightGrams: number }[];
}

const quoteSchema = z.object({
  fee: z.number().nonnegative(),
  currency: z.string(),
  etaAt: z.iso.datetime(),
});
const bookingSchema = quoteSchema.extend({
  deliveryId: z.string().min(1).max(200),
  trackingNumber: z.string().min(1).max(200),
});
export type CarrierBooking = z.infer<typeof bookingSchema>;

export type CarrierAnswer<T> =
  | { readonly kind: 'ok'; readonly value: T }
  | { readonly kind: 'declined'; readonly reason: string }
  /** No answer within the timeout. */
  | { readonly kind: 'timeout'; readonly reason: string }
  | { readonly kind: 'error'; readonly reason: string };

export interface CarrierApi {
  quote(apiUrl: string, request: CarrierRequest): Promise<CarrierAnswer<z.infer<typeof quoteSchema>>>;
  book(
    apiUrl: string,
    request: CarrierRequest,
    idempotencyKey: string,
  ): Promise<CarrierAnswer<CarrierBooking>>;
  cancel(apiUrl: string, deliveryId: string): Promise<CarrierAnswer<unknown>>;
}

export function createCarrierApi(options: { readonly timeoutMs: number }): CarrierApi {
  const call = async <T>(
    url: string,
    init: { body?: unknown; headers?: Record<string, string> },
    schema: z.ZodType<T>,
  ): Promise<CarrierAnswer<T>> => {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...init.headers },
        body: JSON.stringify(init.body ?? {}),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      const name = (error as Error).name;
      return name === 'TimeoutError' || name === 'AbortError'
        ? { kind: 'timeout', reason: `no answer within ${options.timeoutMs} ms` }
        : { kind: 'error', reason: (error as Error).message };
    }
    const text = await response.text().catch(() => '');
    const json = parseJson(text);
    if (response.status === 422 || response.status === 409)
      return { kind: 'declined', reason: reasonOf(json) ?? `HTTP ${response.status}` };
    if (!response.ok) return { kind: 'error', reason: `HTTP ${response.status}` };
    const parsed = schema.safeParse(json);
    return parsed.success
      ? { kind: 'ok', value: parsed.data }
      : { kind: 'error', reason: `unexpected answer: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
  };
  return {
    quote: (apiUrl, request) => call(`${apiUrl}/quotes`, { body: request }, quoteSchema),
    book: (apiUrl, request, idempotencyKey) =>
      call(
        `${apiUrl}/deliveries`,
        { body: request, headers: { 'idempotency-key': idempotencyKey } },
        bookingSchema,
      ),
    cancel: (apiUrl, deliveryId) =>
      call(`${apiUrl}/deliveries/${encodeURIComponent(deliveryId)}/cancel`, {}, z.unknown()),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const reasonOf = (json: unknown): string | undefined => {
  const reason = (json as { reason?: unknown } | undefined)?.reason;
  return typeof reason === 'string' ? reason.slice(0, 300) : undefined;
};
