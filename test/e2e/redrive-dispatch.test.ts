import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionArnOf } from '../../functions/adapters/sfn/executions';
import { stateMachineArn } from '../../local/emulators/protocol/identity';
import type { FaultPhase } from '../../local/emulators/stepfunctions/fault-injection';
import type { SandboxScript } from '../../local/sandbox/journeys';
import { dispatchWorld, type Place, type ShipmentView } from '../support/dispatch-world';
import type { FailedExecution } from '../support/e2e-http';
import { faultFor, keyOf, modelledErrors, type TaskState, taskStates } from '../support/workflow-tasks';

/**
 * Redrive safety of the dispatch workflow (docs/operations.md), for every one of its Task states: a fault
 * past the state's Retry budget fails the shipment's execution *at that state*; while it is failed, staff
 * carry on (their answers find a stale token); operations redrive it (over the ops API, and over the Step
 * Functions API); the shipment then ends where the staff took it, and every effect (stock, shipment events,
 * timeline, executions) exists exactly once. Faults fire `after` the resource ran: a wait's token is parked
 * and then abandoned, a Lambda's writes land and the task still fails.
 */
const world = dispatchWorld(({ id, carrierSuffix }) => ({
  carrierSandbox: { tickMs: 150, origins: [id('WH')], idSuffix: carrierSuffix },
}));
const parcelCarrier = world.carrier('CARRIER-SPEEDY');
const { http, id, sku, stock, expectStock, orderView, channelView, shipmentIn, step, pickAll, pack } = world;
const { api, expectStatus, waitFor, placeOrder, orderIn, failedExecutions } = http;
const dispatchTasks = taskStates.filter((task) => task.workflow === 'dispatch');
const channels = ['ops API', 'Step Functions API'] as const;
type Channel = (typeof channels)[number];
let sfn: SFNClient;

// ------------------------------------------------------------------------------------------ the paths

/** A staff step of a path, on the order's shipments as they are when it runs. */
type Step = (orderId: string, sku: string) => Promise<unknown>;

const at = (place: Place, status: string, type?: string) => (orderId: string) =>
  shipmentIn(orderId, place, status, type);
const picked =
  (place: Place, type?: string): Step =>
  async (orderId) =>
    pickAll(place, await at(place, 'PICKING', type)(orderId));
const packed =
  (place: Place, type?: string): Step =>
  async (orderId) =>
    pack(place, await at(place, 'PACKING', type)(orderId));
const collected =
  (place: Place): Step =>
  async (orderId) => {
    const ready = await at(place, 'READY_FOR_PICKUP', 'pickup')(orderId);
    const code = (await channelView(orderId)).shipments.find(
      (s) => s.shipmentId === ready.shipmentId,
    )?.pickupCode;
    return step(place, ready.shipmentId, 'collected', { pickupCode: code });
  };

/** Packs the shipment at `place` after scripting its parcel carrier's booking (the sandbox's script). */
const scriptedPack =
  (place: Place, steps: SandboxScript): Step =>
  async (orderId) => {
    const packing = await at(place, 'PACKING')(orderId);
    await world.script(parcelCarrier, packing.shipmentId, steps);
    return pack(place, packing);
  };
/** The sandbox carrier delivers it by itself: this waits for it. */
const delivered =
  (place: Place): Step =>
  (orderId) =>
    at(place, 'DELIVERED')(orderId);
/** The shipment at `place` once `ready` holds of it (its booking as the order view shows it). */
const bookingAt = (place: Place, orderId: string, ready: (shipment: BookedView) => boolean) =>
  waitFor(async () =>
    ((await orderView(orderId)).shipments as BookedView[]).find(
      (shipment) => shipment.locationId === id(place) && ready(shipment),
    ),
  );
type BookedView = ShipmentView & {
  attention?: unknown;
  booking?: { deliveryId: string; cancelledAt?: string };
};

/** The journey of a parcel booked with the sandbox carrier, as the shipment's events record it. */
const bookedJourney = ['PACKED', 'PACKED', 'PACKED', 'HANDED_OVER', 'HANDED_OVER', 'DELIVERED'];
const deliveredTimeline = { ACCEPTED: 1, RESERVED: 1, PICKING: 1, PACKED: 1, IN_TRANSIT: 1, DELIVERED: 1 };

interface Path {
  readonly stock: Partial<Record<Place, number>>;
  readonly qty: number;
  readonly pickupAt?: Place;
  readonly steps: readonly Step[];
  /** Order status, then each shipment's statuses in order, and the exact stock, at the end. */
  readonly status: string;
  readonly shipments: readonly { place: Place; type: string; statuses: string[] }[];
  readonly finalStock: Partial<Record<Place, [number, number, number]>>;
  /** Timeline entries (event, else status) and how often each appears: exactly. */
  readonly timeline: Record<string, number>;
}

const paths = {
  /** Booked with the sandbox parcel carrier, which picks it up and delivers it. */
  delivery: {
    stock: { WH: 5 },
    qty: 2,
    steps: [picked('WH'), packed('WH'), delivered('WH')],
    status: 'DELIVERED',
    shipments: [{ place: 'WH', type: 'delivery', statuses: ['PICKING', 'PACKING', ...bookedJourney] }],
    finalStock: { WH: [3, 0, 3] },
    timeline: deliveredTimeline,
  },
  /** The carrier picks it up a second after booking (the wait for it is parked well before). */
  slowPickup: {
    stock: { WH: 5 },
    qty: 1,
    steps: [picked('WH'), scriptedPack('WH', { delaySeconds: 1 }), delivered('WH')],
    status: 'DELIVERED',
    shipments: [{ place: 'WH', type: 'delivery', statuses: ['PICKING', 'PACKING', ...bookedJourney] }],
    finalStock: { WH: [4, 0, 4] },
    timeline: deliveredTimeline,
  },
  /** The only parcel carrier declines: the shipment needs attention until ops rebook it. */
  attention: {
    stock: { WH: 5 },
    qty: 1,
    steps: [
      picked('WH'),
      scriptedPack('WH', { declines: 1 }),
      async (orderId) => {
        const stranded = await bookingAt('WH', orderId, (shipment) => shipment.attention !== undefined);
        return expectStatus(
          api(`/ops/shipments/${stranded.shipmentId}/rebook`, { method: 'POST', key: world.cloud.keys.ops }),
          200,
        );
      },
      delivered('WH'),
    ],
    status: 'DELIVERED',
    shipments: [
      {
        place: 'WH',
        type: 'delivery',
        statuses: ['PICKING', 'PACKING', 'PACKED', 'PACKED', 'PACKED', 'PACKED', ...bookedJourney.slice(1)],
      },
    ],
    finalStock: { WH: [4, 0, 4] },
    timeline: deliveredTimeline,
  },
  /** Booked, then the order is cancelled before the (late) pick-up: the booking is cancelled too. */
  cancelled: {
    stock: { WH: 5 },
    qty: 2,
    steps: [
      picked('WH'),
      scriptedPack('WH', { delaySeconds: 600 }),
      async (orderId) => {
        await bookingAt('WH', orderId, (shipment) => shipment.booking !== undefined);
        return expectStatus(
          api(`/orders/${orderId}/cancel`, { method: 'POST', key: world.cloud.keys.ops }),
          202,
        );
      },
      async (orderId) => {
        const shipment = await bookingAt('WH', orderId, (candidate) => !!candidate.booking?.cancelledAt);
        const atCarrier = await world.sandboxDelivery(parcelCarrier, shipment.booking?.deliveryId ?? '');
        expect(atCarrier.status).toBe('cancelled');
      },
    ],
    status: 'CANCELLED',
    shipments: [
      {
        place: 'WH',
        type: 'delivery',
        statuses: ['PICKING', 'PACKING', 'PACKED', 'PACKED', 'PACKED', 'CANCELLED', 'CANCELLED'],
      },
    ],
    finalStock: { WH: [5, 0, 5] },
    timeline: { ACCEPTED: 1, RESERVED: 1, PICKING: 1, PACKED: 1, CANCELLED: 1 },
  },
  pickup: {
    stock: { S1: 3 },
    qty: 1,
    pickupAt: 'S1',
    steps: [picked('S1'), packed('S1'), collected('S1')],
    status: 'COLLECTED',
    shipments: [
      { place: 'S1', type: 'pickup', statuses: ['PICKING', 'PACKING', 'READY_FOR_PICKUP', 'COLLECTED'] },
    ],
    finalStock: { S1: [2, 0, 2] },
    timeline: { ACCEPTED: 1, RESERVED: 1, PICKING: 1, READY_FOR_PICKUP: 1, COLLECTED: 1 },
  },
  transfer: {
    stock: { WH: 4 },
    qty: 2,
    pickupAt: 'S3',
    steps: [
      picked('WH', 'transfer'),
      packed('WH', 'transfer'),
      async (orderId) =>
        step('S3', (await at('WH', 'IN_TRANSFER', 'transfer')(orderId)).shipmentId, 'received', undefined),
      packed('S3', 'pickup'),
      collected('S3'),
    ],
    status: 'COLLECTED',
    shipments: [
      { place: 'WH', type: 'transfer', statuses: ['PICKING', 'PACKING', 'IN_TRANSFER', 'RECEIVED'] },
      {
        place: 'S3',
        type: 'pickup',
        statuses: ['AWAITING_TRANSFER', 'PACKING', 'READY_FOR_PICKUP', 'COLLECTED'],
      },
    ],
    finalStock: { WH: [2, 0, 2] },
    timeline: { ACCEPTED: 1, RESERVED: 1, PICKING: 1, READY_FOR_PICKUP: 1, COLLECTED: 1 },
  },
  /** S1 refuses (out of stock): re-routed to S2, collected there. */
  reroute: {
    stock: { S1: 2, S2: 2 },
    qty: 2,
    pickupAt: 'S1',
    steps: [
      async (orderId) =>
        step('S1', (await at('S1', 'PICKING')(orderId)).shipmentId, 'reject', { reason: 'out_of_stock' }),
      picked('S2'),
      packed('S2'),
      collected('S2'),
    ],
    status: 'COLLECTED',
    shipments: [
      { place: 'S1', type: 'pickup', statuses: ['PICKING', 'REJECTED', 'REJECTED'] },
      { place: 'S2', type: 'pickup', statuses: ['PICKING', 'PACKING', 'READY_FOR_PICKUP', 'COLLECTED'] },
    ],
    finalStock: { S1: [0, 0, 0], S2: [0, 0, 0] },
    timeline: {
      ACCEPTED: 1,
      RESERVED: 2,
      PICKING: 2,
      STOCK_CORRECTED: 1,
      REROUTED: 1,
      READY_FOR_PICKUP: 1,
      COLLECTED: 1,
    },
  },
} satisfies Record<string, Path>;

// ------------------------------------------------------------------------------------------ the scenarios

interface Scenario {
  readonly path: keyof typeof paths;
  /** Which shipment's execution the fault fails: at this place, of this type. */
  readonly shipment: { place: Place; type: string };
  /** Steps done before the execution fails there. */
  readonly before: number;
  /** Steps done while it is failed (answers its redriven wait must pick up from the shipment). */
  readonly whileFailed: number;
  readonly phase: FaultPhase;
  /** A prelude that fails and redrives the execution once already (then `redrives` is 2). */
  readonly prelude?: (run: ScenarioRun) => Promise<void>;
  readonly redrives?: number;
}

const scenarios: Record<string, Scenario> = {
  // A parked token abandoned; staff pick meanwhile: the redriven wait cannot park (PACKING) and settles.
  'dispatch/AwaitPick': {
    path: 'delivery',
    shipment: { place: 'WH', type: 'delivery' },
    before: 0,
    whileFailed: 1,
    phase: 'after',
  },
  'dispatch/AwaitPack': {
    path: 'delivery',
    shipment: { place: 'WH', type: 'delivery' },
    before: 1,
    whileFailed: 1,
    phase: 'after',
  },
  // Parked for the carrier's pick-up, then failed: the carrier picks it up meanwhile (the webhook finds a stale
  // token), and the redriven wait cannot park: SettleStep answers HANDED_OVER (or DELIVERED).
  'dispatch/AwaitHandover': {
    path: 'slowPickup',
    shipment: { place: 'WH', type: 'delivery' },
    before: 2,
    whileFailed: 0,
    phase: 'after',
  },
  // Booked and recorded, then the task fails: the redrive finds the booking and books nothing twice (one
  // delivery at the carrier), while the carrier goes on delivering.
  'dispatch/BookCarrier': {
    path: 'delivery',
    shipment: { place: 'WH', type: 'delivery' },
    before: 2,
    whileFailed: 0,
    phase: 'after',
  },
  // Waiting for ops, failed; ops rebook meanwhile: the redriven wait cannot park and BookCarrier books.
  'dispatch/AwaitRebook': {
    path: 'attention',
    shipment: { place: 'WH', type: 'delivery' },
    before: 2,
    whileFailed: 1,
    phase: 'after',
  },
  // The booking is cancelled with the carrier and recorded, then the task fails: the redrive cancels nothing twice.
  'dispatch/CancelBooking': {
    path: 'cancelled',
    shipment: { place: 'WH', type: 'delivery' },
    before: 3,
    whileFailed: 0,
    phase: 'after',
  },
  'dispatch/AwaitCollection': {
    path: 'pickup',
    shipment: { place: 'S1', type: 'pickup' },
    before: 2,
    whileFailed: 1,
    phase: 'after',
  },
  // The pickup waits for its transfer: redriven, it parks again and the arrival wakes it.
  'dispatch/AwaitTransfers': {
    path: 'transfer',
    shipment: { place: 'S3', type: 'pickup' },
    before: 0,
    whileFailed: 0,
    phase: 'after',
  },
  'dispatch/AwaitArrival': {
    path: 'transfer',
    shipment: { place: 'WH', type: 'transfer' },
    before: 2,
    whileFailed: 1,
    phase: 'after',
  },
  // Settle runs when a wait could not park. Prelude: the pick wait fails before parking, staff pick, a
  // redrive fails the park's condition → SettleStep, which is faulted after it answered.
  'dispatch/SettleStep': {
    path: 'delivery',
    shipment: { place: 'WH', type: 'delivery' },
    before: 0,
    whileFailed: 0,
    phase: 'after',
    redrives: 2,
    prelude: async (run) => {
      const wait = dispatchTasks.find((task) => task.state === 'AwaitPick');
      if (!wait) throw new Error('dispatch has no AwaitPick any more: rewrite this prelude');
      await run.inject(wait, 'before', 'prelude');
      await run.place();
      const failed = await run.failedAt('AwaitPick');
      await run.doSteps(1);
      await run.redrive(failed, run.channel === 'ops API' ? 'Step Functions API' : 'ops API');
    },
  },
  // The re-route is written and fulfilment round 1 started, then the task fails: the redrive starts
  // nothing twice and writes no second re-route.
  'dispatch/Reroute': {
    path: 'reroute',
    shipment: { place: 'S1', type: 'pickup' },
    before: 1,
    whileFailed: 0,
    phase: 'after',
  },
};

// ------------------------------------------------------------------------------------------ one run

class ScenarioRun {
  orderId = '';
  done = 0;
  readonly injected = new Set<string>();

  constructor(
    readonly name: string,
    readonly scenario: Scenario,
    readonly channel: Channel,
  ) {}

  get path(): Path {
    return paths[this.scenario.path];
  }

  get item() {
    return `${this.scenario.path}-${this.name.replace('dispatch/', '')}-${this.channel === 'ops API' ? 'ops' : 'sfn'}`;
  }

  async inject(task: TaskState, phase: FaultPhase, cause: string) {
    this.injected.add(await world.injectFault(task, phase, cause));
  }

  async place() {
    await stock(this.item, this.path.stock);
    const fulfilment = this.path.pickupAt ? world.pickupAt(this.path.pickupAt) : undefined;
    this.orderId = await placeOrder(
      [{ sku: sku(this.item), qty: this.path.qty }],
      ...(fulfilment ? [fulfilment] : []),
    );
  }

  async doSteps(count: number) {
    for (const next of this.path.steps.slice(this.done, this.done + count))
      await next(this.orderId, sku(this.item));
    this.done += count;
  }

  /** The failing shipment's execution (named after it), once failed at `state`. */
  failedAt(state: string): Promise<FailedExecution> {
    return waitFor(async () => {
      const shipment = (await orderView(this.orderId)).shipments.find(
        (s) => s.locationId === id(this.scenario.shipment.place) && s.type === this.scenario.shipment.type,
      );
      if (!shipment) return undefined;
      return (await failedExecutions()).find(
        (item) =>
          item.workflow === 'dispatch' &&
          item.failedState === state &&
          item.executionId === shipment.shipmentId,
      );
    });
  }

  redrive(execution: FailedExecution, channel: Channel) {
    return world.redrive('dispatch', execution.executionId, channel);
  }
}

const arnOf = (shipmentId: string) => executionArnOf(stateMachineArn('dispatch'), shipmentId);

// ------------------------------------------------------------------------------------------ the checks

async function expectExactlyOnce(run: ScenarioRun, shipments: ShipmentView[]) {
  const { path } = run;
  const order = await orderView(run.orderId);
  expect(order.status).toBe(path.status);
  expect(
    shipments.map((s) => ({
      locationId: s.locationId,
      type: s.type,
      statuses: s.events.map((e) => e.status),
    })),
  ).toEqual(path.shipments.map((s) => ({ locationId: id(s.place), type: s.type, statuses: s.statuses })));
  const counts: Record<string, number> = {};
  for (const entry of order.timeline) {
    const label = entry.event ?? entry.status ?? '?';
    counts[label] = (counts[label] ?? 0) + 1;
  }
  expect(counts).toEqual(path.timeline);
  await expectStock(run.item, path.finalStock);
}

/** Every dispatch execution of the order SUCCEEDED, failing only where it was faulted or by design. */
async function expectSucceeded(run: ScenarioRun, shipments: ShipmentView[]) {
  const allowed = new Set([...modelledErrors('dispatch'), ...run.injected]);
  for (const shipment of shipments) {
    const executionArn = arnOf(shipment.shipmentId);
    await waitFor(async () => {
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (described.status === 'FAILED') throw new Error(`${shipment.shipmentId} FAILED: ${described.error}`);
      return described.status === 'SUCCEEDED' ? true : undefined;
    });
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
    const errors = (history.events ?? []).flatMap((event) => {
      const error = (event.lambdaFunctionFailedEventDetails ?? event.taskFailedEventDetails)?.error;
      return error === undefined || allowed.has(error) ? [] : [error];
    });
    expect(errors, `unexpected task failures in ${shipment.shipmentId}`).toEqual([]);
  }
  // One execution per shipment, and re-route rounds started once each.
  const listed = await sfn.send(
    new ListExecutionsCommand({ stateMachineArn: stateMachineArn('fulfilment'), maxResults: 1000 }),
  );
  const rounds = (listed.executions ?? []).filter((e) => e.name?.startsWith(`${run.orderId}-reroute-`));
  expect(rounds.map((e) => e.name)).toEqual(
    run.scenario.path === 'reroute' ? [`${run.orderId}-reroute-1`] : [],
  );
}

// ------------------------------------------------------------------------------------------ the suite

beforeAll(async () => {
  await world.start();
  sfn = world.sfn;
}, 120_000);

afterAll(async () => {
  await world.stop();
});

describe('redrive safety of dispatch: every Task state fails there, is redriven and has every effect exactly once', () => {
  it('has a scenario for every Task state of the dispatch workflow, and none for a state that is gone', () => {
    const tasks = dispatchTasks.map(keyOf);
    expect(tasks.filter((key) => !(key in scenarios))).toEqual([]);
    expect(Object.keys(scenarios).filter((key) => !tasks.includes(key))).toEqual([]);
  });

  for (const [task, channel] of dispatchTasks.flatMap((task) =>
    channels.map((channel) => [task, channel] as const),
  )) {
    const key = keyOf(task);
    it(`${key}: fault after its resource, redrive over the ${channel}`, async () => {
      const scenario = scenarios[key];
      if (!scenario) throw new Error(`no redrive scenario for Task state ${key}: add one to \`scenarios\``);
      const run = new ScenarioRun(key, scenario, channel);
      if (scenario.prelude) {
        await run.inject(task, scenario.phase, `injected at ${key}`);
        await scenario.prelude(run);
      } else {
        await run.inject(task, scenario.phase, `injected at ${key}`);
        await run.place();
        await run.doSteps(scenario.before);
      }
      const failed = await run.failedAt(task.state);
      expect(failed).toMatchObject({
        workflow: 'dispatch',
        failedState: task.state,
        error: faultFor(task).error,
      });
      await expectStatus(api('/ops/faults', { method: 'DELETE', key: world.cloud.keys.ops }), 204);
      await run.doSteps(scenario.whileFailed);
      await run.redrive(failed, channel);
      await run.doSteps(run.path.steps.length - run.done);

      await orderIn(run.orderId, run.path.status);
      const { shipments } = await orderView(run.orderId);
      await expectSucceeded(run, shipments);
      const redriven = await sfn.send(
        new DescribeExecutionCommand({ executionArn: arnOf(failed.executionId) }),
      );
      expect(redriven.redriveCount).toBe(scenario.redrives ?? 1);
      await expectExactlyOnce(run, (await orderView(run.orderId)).shipments);
    }, 120_000);
  }
});
