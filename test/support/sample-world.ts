import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { TableRef } from '../../functions/adapters/dynamodb/client';
import { getShipment } from '../../functions/adapters/dynamodb/shipments';
import { executionArnOf } from '../../functions/adapters/sfn/executions';
import { orderIdOf } from '../../functions/contracts/order-ids';
import { routes } from '../../functions/contracts/system';
import { consoleRoutes } from '../../local/binders/console';
import type { LocalCloud } from '../../local/cloud';
import { stateMachineArn } from '../../local/emulators/protocol/identity';
import { registerFaultRoutes } from '../../local/faults';
import type { e2eHttp } from './e2e-http';
import { eventually } from './local-cloud-process';
import { type RouteIds, type RouteSample, routeSamples, sampleOrderNamed } from './route-samples';

/** `"METHOD /path"` of every route the local cloud serves: the system's routes, the local fault routes and the console's files. */
export const servedRoutes = (cloud: LocalCloud): string[] => [
  ...routes.map((route) => `${route.method} ${route.path}`),
  ...registerFaultRoutes(cloud.stepFunctions).map((route) => `${route.method} ${route.path}`),
  ...consoleRoutes().map((route) => `${route.method} ${route.path}`),
];

/** Sends a route's sample request as the caller with `apiKey` (none: no key). */
export function sendSample(
  http: ReturnType<typeof e2eHttp>,
  route: string,
  apiKey: string | undefined,
  samples: Record<string, RouteSample>,
): Promise<Response> {
  const sample = samples[route];
  if (!sample) throw new Error(`no sample request for ${route}`);
  const [method] = route.split(' ');
  return http.api(sample.path, {
    method,
    ...(apiKey ? { key: apiKey } : {}),
    ...(sample.headers ? { headers: { ...sample.headers } } : {}),
    ...(sample.body === undefined ? {} : { body: sample.body }),
  });
}

/**
 * The world the samples name: a store with stock (written by ops), and an order of the channel that has
 * settled (its workflow finished) with its shipment at the store, so nothing moves in the background while a
 * suite checks what its requests wrote.
 */
export async function seedSampleWorld(
  http: ReturnType<typeof e2eHttp>,
  sfn: SFNClient,
  world: { ids: RouteIds; channelId: string; opsKey: string; channelKey: string; table: TableRef },
): Promise<void> {
  const samples = routeSamples(world.ids);
  for (const route of ['PUT /locations/{locationId}', 'PUT /locations/{locationId}/stock/{sku}'])
    await http.expectStatus(sendSample(http, route, world.opsKey, samples), 200);
  const order = { 'POST /orders': sampleOrderNamed(samples, world.ids.channelOrderId) };
  await http.expectStatus(sendSample(http, 'POST /orders', world.channelKey, order), 202);
  const executionArn = executionArnOf(
    stateMachineArn('fulfilment'),
    orderIdOf(world.channelId, world.ids.channelOrderId),
  );
  await eventually(async () => {
    const { status } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    return status === 'SUCCEEDED' ? status : undefined;
  });
  // Fulfilment created the order's shipment and started its dispatch: wait until that waits for the pick
  // (its token parked on the shipment), the last write it makes on its own for hours.
  const shipmentId = `${orderIdOf(world.channelId, world.ids.channelOrderId)}-0-0`;
  await eventually(async () =>
    (await getShipment(world.table, shipmentId))?.tokenStatus === 'PICKING' ? true : undefined,
  );
}
