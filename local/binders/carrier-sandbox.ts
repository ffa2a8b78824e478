import { type DemoKeys, demoCarrierSettings } from '../demo-data';
import { type CarrierSandbox, startCarrierSandbox } from '../sandbox/carrier-sandbox';
import type { BindContext } from './context';

/**
 * Starts the sandbox carrier service and registers the demo carriers with the product through its API, as
 * ops would: PUT /carriers/{id} with the sandbox as the booking API. A new carrier's signing secret comes
 * back once; a carrier already registered (a persisted world) gets a fresh one by rotation, without grace
 * (the old sandbox is gone). The sandbox signs its webhooks with it, and the demo keys show it.
 */
export async function bindCarrierSandbox(
  context: BindContext,
  options: {
    readonly api: string;
    readonly opsKey: string;
    readonly keys: DemoKeys;
    readonly tickMs?: number;
    /** Register the carriers for these locations only (a test's own world, in a table other suites share). */
    readonly origins?: readonly string[];
    /** Appended to the demo carrier ids (`CARRIER-SPEEDY-<suffix>`): a test world's own carriers. */
    readonly idSuffix?: string;
  },
): Promise<CarrierSandbox> {
  const idOf = (demoId: string) => (options.idSuffix ? `${demoId}-${options.idSuffix}` : demoId);
  const sandbox = await startCarrierSandbox({
    carriers: Object.fromEntries(
      Object.entries(demoCarrierSettings).map(([demoId, settings]) => [idOf(demoId), settings.sandbox]),
    ),
    tickMs: options.tickMs,
    log: context.notice,
  });
  context.onStop(() => sandbox.stop());
  const call = async (method: string, path: string, body: unknown) => {
    const response = await fetch(`${options.api}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-api-key': options.opsKey },
      body: JSON.stringify(body),
    });
    if (!response.ok)
      throw new Error(
        `registering carriers: ${method} ${path} failed: ${response.status} ${await response.text()}`,
      );
    return (await response.json()) as { signingSecret?: string };
  };
  for (const [demoId, settings] of Object.entries(demoCarrierSettings)) {
    const carrierId = idOf(demoId);
    const registered = await call('PUT', `/carriers/${carrierId}`, {
      ...settings.registration,
      apiUrl: `${sandbox.url}/${carrierId}`,
      ...(options.origins ? { origins: options.origins } : {}),
    });
    const signingSecret =
      registered.signingSecret ??
      (await call('POST', `/carriers/${carrierId}/rotate-secret`, { graceHours: 0 })).signingSecret;
    if (!signingSecret) throw new Error(`carrier ${carrierId} got no signing secret`);
    sandbox.connect(carrierId, { url: `${options.api}/couriers/${carrierId}/events`, signingSecret });
    options.keys.courierSigningSecret[carrierId] = signingSecret;
  }
  context.log(`Sandbox carriers ${Object.keys(demoCarrierSettings).map(idOf).join(', ')} at ${sandbox.url}`);
  return sandbox;
}
