import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { readBody, send } from './http';

/**
 * A tiny sales-channel webhook receiver for the demo and the tests (docs/channel-events.md): one path per
 * channel, every event verified with that channel's Standard Webhooks secret and printed. Like a real
 * receiver it deduplicates by `webhook-id` (delivery is at least once) and answers 2xx only once it has
 * the event. Tests set a channel `down` (503) or `poison` (500) and read what arrived.
 *
 *   POST /{channelId}                the webhook
 *   GET  /{channelId}/events         what arrived, in arrival order (duplicates counted, not repeated)
 *   PUT  /{channelId}/mode           {mode: "up" | "down" | "poison"}
 */
export interface ReceivedEvent {
  readonly id: string;
  readonly type: string;
  readonly orderId: string;
  readonly occurredAt: string;
  readonly data: unknown;
  readonly verified: boolean;
  duplicates: number;
}

export interface ChannelReceiver {
  readonly url: string;
  connect(channelId: string, signingSecret: string | undefined): void;
  stop(): Promise<void>;
}

type Mode = 'up' | 'down' | 'poison';

export async function startChannelReceiver(options: {
  readonly log?: (line: string) => void;
}): Promise<ChannelReceiver> {
  const secrets = new Map<string, string | undefined>();
  const received = new Map<string, ReceivedEvent[]>();
  const modes = new Map<string, Mode>();

  const receive = (channelId: string, request: IncomingMessage, body: string): number => {
    const mode = modes.get(channelId) ?? 'up';
    if (mode !== 'up') return mode === 'down' ? 503 : 500;
    const secret = secrets.get(channelId);
    let verified = false;
    try {
      if (secret) {
        new Webhook(secret).verify(body, request.headers as Record<string, string>);
        verified = true;
      }
    } catch {
      return 401;
    }
    const event = JSON.parse(body) as Omit<ReceivedEvent, 'verified' | 'duplicates'>;
    const log = received.get(channelId) ?? [];
    received.set(channelId, log);
    const seen = log.find((candidate) => candidate.id === event.id);
    if (seen) seen.duplicates++;
    else {
      log.push({ ...event, verified, duplicates: 0 });
      options.log?.(
        `${channelId.padEnd(12)} ← ${event.type.padEnd(26)} ${event.orderId}${verified ? '' : ' (unverified)'}`,
      );
    }
    return 204;
  };

  const server = createServer((request, response) => {
    void (async () => {
      const [channelId, action] = (request.url ?? '/').split('?')[0]?.split('/').filter(Boolean) ?? [];
      const body = await readBody(request);
      if (!channelId || !secrets.has(channelId)) return send(response, 404);
      if (request.method === 'POST' && !action) return send(response, receive(channelId, request, body));
      if (request.method === 'GET' && action === 'events')
        return send(response, 200, received.get(channelId) ?? []);
      if (request.method === 'PUT' && action === 'mode') {
        const mode = (JSON.parse(body || '{}') as { mode?: Mode }).mode;
        if (mode !== 'up' && mode !== 'down' && mode !== 'poison') return send(response, 400);
        modes.set(channelId, mode);
        return send(response, 204);
      }
      return send(response, 404);
    })().catch(() => send(response, 400));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connect: (channelId, signingSecret) => secrets.set(channelId, signingSecret),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
