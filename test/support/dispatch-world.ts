import { randomUUID } from 'node:crypto';
import { DescribeExecutionCommand, RedriveExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { expect } from 'vitest';
import { executionArnOf } from '../../functions/adapters/sfn/executions';
import type { LocalCloud, LocalCloudOptions } from '../../local/cloud';
import { stateMachineArn } from '../../local/emulators/protocol/identity';
import type { FaultPhase } from '../../local/emulators/stepfunctions/fault-injection';
import type { SandboxScript } from '../../local/sandbox/journeys';
import { channelOrderIdOf, e2eHttp, startE2eCloud } from './e2e-http';
import { faultFor, type TaskState } from './workflow-tasks';

/**
 * A small O2O world for the dispatch suites, over HTTP on an in-process local cloud: a warehouse and four
 * stores (one takes transfers), a staff key per location, and helpers for the staff steps and the exact
 * stock they must leave. Every id is unique to the run: the cloud shares table `main` with other suites.
 */
export interface ShipmentView {
  shipmentId: string;
  type: string;
  locationId: string;
  destinationLocationId?: string;
  status: string;
  lines: { sku: string; qty: number }[];
  pickupCode?: string;
  pickupBy?: string;
  locked?: boolean;
  events: { status: string; step: string; reason?: string }[];
}

export interface DispatchOrderView {
  status: string;
  fulfilment: { type: string; storeId?: string };
  shipments: ShipmentView[];
  timeline: { status?: string; event?: string; step: string; reason?: string }[];
}

/** Where each location sits (close together: every store is in reach of the others). */
const places = {
  WH: { type: 'warehouse', lat: 51.5, lng: -0.1, fulfils: ['delivery'] },
  S1: { type: 'store', lat: 51.51, lng: -0.12, fulfils: ['pickup', 'delivery'] },
  S2: { type: 'store', lat: 51.52, lng: -0.13, fulfils: ['pickup'] },
  S3: { type: 'store', lat: 51.53, lng: -0.14, fulfils: ['pickup'], acceptsTransfers: true },
  S4: { type: 'store', lat: 51.54, lng: -0.15, fulfils: ['pickup'] },
} as const;
export type Place = keyof typeof places;

export interface WorldNames {
  readonly id: (place: Place) => string;
  readonly carrier: (demoId: string) => string;
  readonly carrierSuffix: string;
  /** The world's own channels' ids (its channel A and B). */
  readonly channelIds: readonly string[];
}

export function dispatchWorld(
  /** The cloud's options, or a function of the world's names (its own sandbox carriers, scoped to its locations). */
  cloudOptions: LocalCloudOptions | ((names: WorldNames) => LocalCloudOptions) = {},
) {
  let cloud: LocalCloud;
  let sfn: SFNClient;
  const http = e2eHttp(() => cloud);
  const { api, expectStatus, waitFor } = http;
  const run = randomUUID().slice(0, 8);
  const id = (place: Place) => `${place}-DP-${run}`;
  /** This world's sandbox carrier of a demo carrier id (other suites share the table and the ids). */
  const carrier = (demoId: string) => `${demoId}-${run}`;
  const supplierId = `SUP-DP-${run}`;
  const supplierKey = `sup_${randomUUID()}`;
  /** The world's own sales channels (ids unique to the run, each with its key): `channels('A')`. */
  const channelNames = ['A', 'B'] as const;
  const channel = Object.fromEntries(
    channelNames.map((name) => [name, { id: `CH-${name}-${run}`, key: `chn_${randomUUID()}` }]),
  ) as Record<(typeof channelNames)[number], { id: string; key: string }>;
  const options =
    typeof cloudOptions === 'function'
      ? cloudOptions({ id, carrier, carrierSuffix: run, channelIds: Object.values(channel).map((c) => c.id) })
      : cloudOptions;
  const staffKey = Object.fromEntries(
    Object.keys(places).map((place) => [place, `stf_${randomUUID()}`]),
  ) as Record<Place, string>;

  async function start(settings: Partial<Record<Place, Record<string, unknown>>> = {}) {
    ({ cloud, sfn } = await startE2eCloud(
      [
        ...(Object.keys(places) as Place[]).map((place) => ({
          apiKey: staffKey[place],
          principalId: `staff:${id(place)}`,
          role: 'staff' as const,
          scope: id(place),
        })),
        ...Object.values(channel).map(({ id: channelId, key }) => ({
          apiKey: key,
          principalId: `channel:${channelId}`,
          role: 'channel' as const,
          scope: channelId,
        })),
        ...[
          {
            apiKey: supplierKey,
            principalId: `supplier:${supplierId}`,
            role: 'supplier' as const,
            scope: supplierId,
          },
        ],
      ],
      options,
    ));
    for (const place of Object.keys(places) as Place[])
      await expectStatus(
        api(`/locations/${id(place)}`, {
          method: 'PUT',
          key: cloud.keys.ops,
          body: { name: place, ...places[place], ...settings[place] },
        }),
        200,
      );
  }

  const sku = (name: string) => `SKU-DP-${run}-${name}`;

  async function stock(name: string, onHand: Partial<Record<Place, number>>) {
    for (const [place, units] of Object.entries(onHand))
      await expectStatus(
        api(`/locations/${id(place as Place)}/stock/${sku(name)}`, {
          method: 'PUT',
          key: cloud.keys.ops,
          body: { onHand: units, safetyStock: 0 },
        }),
        200,
      );
  }

  /** onHand / reserved / available of a SKU at a place, exactly. */
  async function expectStock(name: string, expected: Partial<Record<Place, [number, number, number]>>) {
    const inventory = await http.inventory(sku(name));
    for (const [place, [onHand, reserved, available]] of Object.entries(expected) as [Place, number[]][]) {
      const at = inventory.locations.find((entry) => entry.locationId === id(place));
      expect({ place, onHand: at?.onHand, reserved: at?.reserved, available: at?.available }).toEqual({
        place,
        onHand,
        reserved,
        available,
      });
    }
  }

  const orderView = async (orderId: string, key = cloud.keys.ops) =>
    (await expectStatus(api(`/orders/${orderId}`, { key }), 200)) as DispatchOrderView;

  /** The order as its channel sees it (pickup codes included). */
  const channelView = (orderId: string) => orderView(channelOrderIdOf(orderId), cloud.keys.channel);

  /** Waits until a shipment of the order at `place` is in `status`. */
  const shipmentIn = (orderId: string, place: Place, status: string, type?: string) =>
    waitFor(async () =>
      (await orderView(orderId)).shipments.find(
        (shipment) =>
          shipment.locationId === id(place) &&
          shipment.status === status &&
          (!type || shipment.type === type),
      ),
    );

  /** A staff step at `place`, expecting `status` back. */
  const step = async (place: Place, shipmentId: string, action: string, body: unknown, status = 200) =>
    expectStatus(
      api(`/shipments/${shipmentId}/${action}`, {
        method: 'POST',
        key: staffKey[place],
        ...(body === undefined ? {} : { body }),
      }),
      status,
    );

  const pickAll = (place: Place, shipment: ShipmentView) =>
    step(place, shipment.shipmentId, 'picked', { lines: shipment.lines });
  const pack = (place: Place, shipment: ShipmentView) =>
    step(place, shipment.shipmentId, 'packed', { parcels: [{ weightGrams: 800 }] });

  /** The shipment's dispatch execution, once it has ended: its status and the state it ended in. */
  const dispatchEnded = (shipmentId: string) =>
    waitFor(async () => {
      const described = await sfn.send(
        new DescribeExecutionCommand({
          executionArn: executionArnOf(stateMachineArn('dispatch'), shipmentId),
        }),
      );
      return described.status === 'RUNNING' ? undefined : described;
    });

  const pickupAt = (place: Place) => ({ type: 'pickup', storeId: id(place) });

  /** Scripts the sandbox carrier's bookings of a shipment (a cloud started with `carrierSandbox`). */
  async function script(carrierId: string, shipmentId: string, steps: SandboxScript) {
    const response = await fetch(`${cloud.endpoints.carriers}/sandbox/scripts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ carrierId, reference: shipmentId, script: steps }),
    });
    expect(response.status).toBe(204);
  }

  /** What the sandbox carrier knows of a delivery: its status and the webhooks it sent. */
  async function sandboxDelivery(carrierId: string, deliveryId: string) {
    const response = await fetch(`${cloud.endpoints.carriers}/${carrierId}/deliveries/${deliveryId}`);
    expect(response.status).toBe(200);
    return (await response.json()) as { status: string; reference: string; webhooks: unknown[] };
  }

  /** The world's supplier offers a SKU (its feed is applied before this returns). */
  async function supply(name: string, available: number) {
    await expectStatus(
      api(`/suppliers/${supplierId}/stock`, {
        method: 'POST',
        key: supplierKey,
        body: { feedSeq: Date.now(), items: [{ sku: sku(name), available, leadTimeDays: 2, unitCost: 3 }] },
      }),
      202,
    );
    await waitFor(async () => ((await http.inventory(sku(name))).suppliers.length > 0 ? true : undefined));
  }

  /** The supplier confirms the order's purchase order in full, and staff at `place` receive it all. */
  async function confirmAndReceive(orderId: string, place: Place) {
    const po = await waitFor(async () =>
      (await http.purchaseOrders(supplierId, supplierKey)).find((candidate) =>
        candidate.poId.startsWith(`${orderId}-`),
      ),
    );
    await expectStatus(
      api(`/suppliers/${supplierId}/purchase-orders/${po.poId}/confirm`, {
        method: 'POST',
        key: supplierKey,
        body: { lines: po.lines, eta: '2030-01-01' },
      }),
      200,
    );
    await expectStatus(
      api(`/locations/${id(place)}/receipts`, {
        method: 'POST',
        key: staffKey[place],
        body: { poId: po.poId, lines: po.lines },
      }),
      202,
    );
  }

  /**
   * A click-and-collect order of `lines` at `place` through `channel` (priced with `extra.currency`), picked,
   * packed and collected with the code the channel was given: answers its system-wide id.
   */
  async function collectedOrder(
    lines: { sku: string; qty: number; unitPrice?: number }[],
    how: {
      readonly channel: { id: string; key: string };
      readonly place?: Place;
      readonly extra?: Record<string, unknown>;
    },
  ) {
    const place = how.place ?? 'S1';
    const orderId = await http.placeOrder(lines, pickupAt(place), how.channel, how.extra);
    await pickAll(place, await shipmentIn(orderId, place, 'PICKING'));
    await pack(place, await shipmentIn(orderId, place, 'PACKING'));
    const ready = await shipmentIn(orderId, place, 'READY_FOR_PICKUP');
    const shown = await orderView(channelOrderIdOf(orderId), how.channel.key);
    const code = shown.shipments.find((shipment) => shipment.shipmentId === ready.shipmentId)?.pickupCode;
    await step(place, ready.shipmentId, 'collected', { pickupCode: code });
    await http.orderIn(orderId, 'COLLECTED');
    return orderId;
  }

  /** Local fault injection at a Task state, past its Retry budget (it fails there): answers the injected error. */
  async function injectFault(task: TaskState, phase: FaultPhase, cause: string): Promise<string> {
    const fault = faultFor(task);
    await expectStatus(
      api('/ops/faults', {
        method: 'PUT',
        key: cloud.keys.ops,
        body: { workflow: task.workflow, state: task.state, ...fault, phase, cause },
      }),
      200,
    );
    return fault.error;
  }

  /** Redrives a failed execution, over the ops API or straight over the Step Functions API. */
  async function redrive(workflow: string, executionId: string, over: 'ops API' | 'Step Functions API') {
    if (over === 'ops API')
      await expectStatus(
        api(`/ops/executions/${executionId}/redrive`, { method: 'POST', key: cloud.keys.ops }),
        202,
      );
    else
      await sfn.send(
        new RedriveExecutionCommand({ executionArn: executionArnOf(stateMachineArn(workflow), executionId) }),
      );
  }

  return {
    http,
    start,
    collectedOrder,
    injectFault,
    redrive,
    stop: () => cloud?.stop(),
    id,
    sku,
    stock,
    expectStock,
    orderView,
    channelView,
    shipmentIn,
    step,
    pickAll,
    pack,
    dispatchEnded,
    pickupAt,
    carrier,
    channel,
    script,
    sandboxDelivery,
    supply,
    confirmAndReceive,
    staffKey,
    get cloud() {
      return cloud;
    },
    get sfn() {
      return sfn;
    },
  };
}
