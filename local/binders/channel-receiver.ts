import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ChannelReceiver, startChannelReceiver } from '../sandbox/channel-receiver';
import type { BindContext } from './context';

/**
 * Starts the demo channel receiver and registers it as each channel's webhook through the API, as ops would
 * (PUT /ops/channels/{id}/webhook). A new webhook's secret comes back once; a persisted world keeps the
 * secrets it was given in its state directory, so the receiver still verifies after a restart.
 */
export async function bindChannelReceiver(
  context: BindContext,
  options: { readonly api: string; readonly opsKey: string; readonly channels: readonly string[] },
): Promise<ChannelReceiver> {
  const receiver = await startChannelReceiver({ log: (line) => context.log(`event  ${line}`) });
  context.onStop(() => receiver.stop());
  const secretsFile = context.persistDir
    ? join(context.persistDir, 'channel-webhook-secrets.json')
    : undefined;
  const kept: Record<string, string> =
    secretsFile && existsSync(secretsFile) ? JSON.parse(readFileSync(secretsFile, 'utf8')) : {};
  for (const channelId of options.channels) {
    const response = await fetch(`${options.api}/ops/channels/${channelId}/webhook`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-api-key': options.opsKey },
      body: JSON.stringify({ url: `${receiver.url}/${channelId}` }),
    });
    if (!response.ok)
      throw new Error(`registering ${channelId}'s webhook: ${response.status} ${await response.text()}`);
    const { signingSecret } = (await response.json()) as { signingSecret?: string };
    if (signingSecret) kept[channelId] = signingSecret;
    receiver.connect(channelId, kept[channelId]);
  }
  if (secretsFile) writeFileSync(secretsFile, JSON.stringify(kept, null, 2));
  return receiver;
}
