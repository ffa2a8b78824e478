import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionArnOf } from '../../functions/adapters/sfn/executions';
import { stateMachineArn } from '../../local/emulators/protocol/identity';
import type { FaultPhase } from '../../local/emulators/stepfunctions/fault-injection';
import { dispatchWorld } from '../support/dispatch-world';
import { channelOrderIdOf, type FailedExecution } from '../support/e2e-http';
import { deliveryTo } from '../support/fixtures';
import { faultFor, keyOf, modelledErrors, type TaskState, taskStates } from '../support/workflow-tasks';

/**
 * Redrive safety of the returns workflow (docs/operations.md), for every one of its Task states, with the
 * fault both before the state's resource runs and after it did (its writes landed, or its token was parked
 * and abandoned): the return's execution fails *at that state*; people carry on meanwhile (their answers
 * find a stale token); operations redrive it (over the ops API, or the Step Functions API); the return then
 * ends CLOSED with every effect exactly once: the stock and damaged figures, the refund asked once, the
 * return's and the order's timelines.
 */
const world = dispatchWorld(({ id: idOf, carrierSuffix }) => ({
  // A courier return goes to S1, and the sandbox couriers collect for S1 only (the table is shared).
  carrierSandbox: { tickMs: 150, origins: [idOf('S1')], idSuffix: carrierSuffix },
}));
const { http, sku, stock, orderView, channel, staffKey, id } = world;
const { api, expectStatus, waitFor, failedExecutions } = http;
const returnTasks = taskStates.filter((task) => task.workflow === 'returns');
const unitPrice = 1250;

const pickupAddress = { ...deliveryTo, lat: 51.515, lng: -0.11 };

/**
 * What people do, in order: ask for the return (brought to S2, or collected by a courier for S1), receive
 * it there (a courier's parcel once it arrived), and the channel refunds it.
 */
const steps: readonly ((run: Run) => Promise<unknown>)[] = [
  async (run) => {
    const how = run.courier
      ? { method: 'courier_pickup', pickupAddress, storeId: id('S1') }
      : { method: 'store_dropoff' };
    const accepted = (await expectStatus(
      api(`/orders/${channelOrderIdOf(run.orderId)}/returns`, {
        method: 'POST',
        key: channel.A.key,
        headers: { 'idempotency-key': `redrive-${run.item}` },
        body: { lines: [{ sku: sku(run.item), qty: 2, reason: 'damaged' }], ...how },
      }),
      202,
    )) as { returnId: string };
    expect(accepted.returnId).toBe(`${channelOrderIdOf(run.orderId)}-r1`);
  },
  async (run) => {
    if (run.courier)
      await waitFor(async () => ((await readReturn(run)).pickup?.arrivedAt ? true : undefined));
    return expectStatus(
      api(`/returns/${run.returnId}/received`, {
        method: 'POST',
        key: staffKey[run.receivedAt],
        body: {
          locationId: id(run.receivedAt),
          lines: [
            { sku: sku(run.item), qty: 1, condition: 'resellable' },
            { sku: sku(run.item), qty: 1, condition: 'damaged' },
          ],
        },
      }),
      200,
    );
  },
  async (run) => {
    // The refund is asked by the workflow: answered once it is.
    await waitFor(async () => ((await readReturn(run)).status === 'REFUND_PENDING' ? true : undefined));
    return expectStatus(
      api(`/returns/${channelOrderIdOf(run.orderId)}-r1/refund`, {
        method: 'POST',
        key: channel.A.key,
        body: { status: 'succeeded', reference: `pay-${run.item}` },
      }),
      200,
    );
  },
];

interface Scenario {
  /** The return is collected by a courier (booked by BookPickup), not brought to a store. */
  readonly courier?: boolean;
  /** Steps done before the execution fails at the state, and while it is failed. */
  readonly before: number;
  readonly whileFailed: number;
  /** A prelude that fails and redrives the execution once already (then it is redriven twice). */
  readonly prelude?: (run: Run) => Promise<void>;
}

/** The scenarios of each Task state, by phase (the fault before the resource runs, or after it did). */
const scenarios: Record<string, Partial<Record<FaultPhase, Scenario>>> = {
  // Failed before or after parking; the goods come meanwhile: the redriven wait cannot park and settles.
  'returns/AwaitDropOff': { before: { before: 1, whileFailed: 1 }, after: { before: 1, whileFailed: 1 } },
  // Settle runs when a wait could not park. Prelude: the drop-off wait fails before parking, the goods come,
  // a redrive fails the park's condition → SettleWait, which fails (before or after it read the return).
  'returns/SettleWait': {
    before: { before: 0, whileFailed: 0, prelude: settlePrelude },
    after: { before: 0, whileFailed: 0, prelude: settlePrelude },
  },
  // The units are put away, shared out and the refund asked, then the task fails: the redrive does none twice.
  'returns/Dispose': { before: { before: 2, whileFailed: 0 }, after: { before: 2, whileFailed: 0 } },
  // Failed while waiting for the refund; the channel answers meanwhile: the redrive settles and closes.
  'returns/AwaitRefund': { before: { before: 2, whileFailed: 1 }, after: { before: 2, whileFailed: 1 } },
  'returns/CloseReturn': { before: { before: 3, whileFailed: 0 }, after: { before: 3, whileFailed: 0 } },
  // Booked with the carrier and recorded, then the task fails: the redrive books nothing twice (the courier,
  // meanwhile, collects and delivers it).
  'returns/BookPickup': {
    before: { courier: true, before: 1, whileFailed: 0 },
    after: { courier: true, before: 1, whileFailed: 0 },
  },
};

async function settlePrelude(run: Run) {
  const wait = returnTasks.find((task) => task.state === 'AwaitDropOff');
  if (!wait) throw new Error('returns has no AwaitDropOff any more: rewrite this prelude');
  await run.inject(wait, 'before', 'prelude');
  await run.doSteps(1);
  const failed = await run.failedAt('AwaitDropOff');
  await run.doSteps(1);
  await run.redrive(failed, 'Step Functions API');
}

class Run {
  orderId = '';
  done = 0;
  readonly injected = new Set<string>();

  constructor(
    readonly item: string,
    readonly channel: 'ops API' | 'Step Functions API',
    readonly courier = false,
  ) {}

  /** Where the goods are received: the courier's destination, or the store they are brought to. */
  get receivedAt() {
    return this.courier ? ('S1' as const) : ('S2' as const);
  }

  /** The return as staff and ops name it: the system-wide order id, then its number. */
  get returnId() {
    return `${this.orderId}-r1`;
  }

  async inject(task: TaskState, phase: FaultPhase, cause: string) {
    this.injected.add(await world.injectFault(task, phase, cause));
  }

  /** Two units bought at S1 and collected: what the return brings back. */
  async collected() {
    await stock(this.item, { S1: 2 });
    this.orderId = await world.collectedOrder([{ sku: sku(this.item), qty: 2, unitPrice }], {
      channel: channel.A,
      extra: { currency: 'EUR' },
    });
  }

  async doSteps(count: number) {
    for (const next of steps.slice(this.done, this.done + count)) await next(this);
    this.done += count;
  }

  failedAt(state: string): Promise<FailedExecution> {
    return waitFor(async () =>
      (await failedExecutions()).find(
        (item) =>
          item.workflow === 'returns' && item.failedState === state && item.executionId === this.returnId,
      ),
    );
  }

  redrive(execution: FailedExecution, channel: Run['channel']) {
    return world.redrive('returns', execution.executionId, channel);
  }
}

interface ReturnView {
  status: string;
  pickup?: { carrierId?: string; trackingNumber?: string; arrivedAt?: string };
  refund?: { amount?: number; status: string; reference?: string };
  timeline: { status: string; step: string }[];
}
const readReturn = async (run: Run) =>
  (await expectStatus(api(`/returns/${run.returnId}`, { key: world.cloud.keys.ops }), 200)) as ReturnView;

/** Every effect once: the return's life, the refund, S2's shelf and damaged figure, the order's timeline. */
async function expectExactlyOnce(run: Run) {
  const closed = await waitFor(async () => {
    const current = await readReturn(run);
    return current.status === 'CLOSED' ? current : undefined;
  });
  // The courier's steps (one booking: asked, then booked) come before the receipt.
  const courierSteps = [
    'BookPickup',
    'BookPickup',
    'Courier.picked_up',
    'Courier.out_for_delivery',
    'Courier.delivered',
  ];
  expect(closed.timeline.map((entry) => entry.step)).toEqual([
    'RequestReturn',
    ...(run.courier ? courierSteps : []),
    'ReceiveReturn',
    'Dispose',
    'RefundSucceeded',
    'CloseReturn',
  ]);
  expect(closed.refund).toMatchObject({
    amount: 2 * unitPrice,
    status: 'succeeded',
    reference: `pay-${run.item}`,
  });
  const at = (await http.inventory(sku(run.item))).locations.find(
    (entry) => entry.locationId === id(run.receivedAt),
  ) as { onHand: number; reserved: number; available: number; damaged: number } | undefined;
  expect([at?.onHand, at?.reserved, at?.available, at?.damaged]).toEqual([1, 0, 1, 1]);
  const order = await orderView(run.orderId);
  expect(order.status).toBe('RETURNED');
  const returnEntries = order.timeline.flatMap((entry) =>
    entry.event?.startsWith('RETURN') ? [entry.event] : [],
  );
  // A courier return adds its booking (one entry: asked and booked at the same moment) and three carrier events.
  const carried = run.courier ? ['RETURN_REQUESTED', ...Array<string>(3).fill('RETURN_IN_TRANSIT')] : [];
  expect(returnEntries.sort()).toEqual(
    [
      'RETURN_REQUESTED',
      'RETURN_RECEIVED',
      'RETURN_REFUND_PENDING',
      'RETURN_REFUNDED',
      'RETURN_CLOSED',
      ...carried,
    ].sort(),
  );
}

/** The return's one execution SUCCEEDED, failing only where it was faulted or by design. */
async function expectSucceeded(run: Run) {
  const executionArn = executionArnOf(stateMachineArn('returns'), run.returnId);
  await waitFor(async () => {
    const described = await world.sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (described.status === 'FAILED') throw new Error(`${run.returnId} FAILED: ${described.error}`);
    return described.status === 'SUCCEEDED' ? true : undefined;
  });
  const allowed = new Set([...modelledErrors('returns'), ...run.injected]);
  const history = await world.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  const errors = (history.events ?? []).flatMap((event) => {
    const error = (event.lambdaFunctionFailedEventDetails ?? event.taskFailedEventDetails)?.error;
    return error === undefined || allowed.has(error) ? [] : [error];
  });
  expect(errors).toEqual([]);
  const listed = await world.sfn.send(
    new ListExecutionsCommand({ stateMachineArn: stateMachineArn('returns'), maxResults: 1000 }),
  );
  expect((listed.executions ?? []).filter((execution) => execution.name === run.returnId)).toHaveLength(1);
}

beforeAll(async () => {
  await world.start();
}, 120_000);

afterAll(async () => {
  await world.stop();
});

describe('redrive safety of returns: every Task state fails there, is redriven and has every effect exactly once', () => {
  it('has scenarios for every Task state of the returns workflow, both phases, and none for a state that is gone', () => {
    const tasks = returnTasks.map(keyOf);
    expect(tasks.filter((key) => !scenarios[key]?.before || !scenarios[key]?.after)).toEqual([]);
    expect(Object.keys(scenarios).filter((key) => !tasks.includes(key))).toEqual([]);
  });

  for (const task of returnTasks)
    for (const phase of ['before', 'after'] as const) {
      const key = keyOf(task);
      // Both redrive channels are exercised: the ops API for faults after the effect, the SFN API for the rest.
      const channel = phase === 'after' ? 'ops API' : 'Step Functions API';
      it(`${key}: fault ${phase} its resource, redrive over the ${channel}`, async () => {
        const scenario = scenarios[key]?.[phase];
        if (!scenario) throw new Error(`no redrive scenario for Task state ${key} (${phase})`);
        const run = new Run(`${task.state}-${phase}`, channel, scenario.courier);
        await run.collected();
        await run.inject(task, phase, `injected at ${key}`);
        if (scenario.prelude) await scenario.prelude(run);
        else await run.doSteps(scenario.before);
        const failed = await run.failedAt(task.state);
        expect(failed).toMatchObject({
          workflow: 'returns',
          failedState: task.state,
          error: faultFor(task).error,
        });
        await expectStatus(api('/ops/faults', { method: 'DELETE', key: world.cloud.keys.ops }), 204);
        await run.doSteps(scenario.whileFailed);
        await run.redrive(failed, channel);
        await run.doSteps(steps.length - run.done);
        await expectSucceeded(run);
        await expectExactlyOnce(run);
        const redriven = await world.sfn.send(
          new DescribeExecutionCommand({
            executionArn: executionArnOf(stateMachineArn('returns'), run.returnId),
          }),
        );
        expect(redriven.redriveCount).toBe(scenario.prelude ? 2 : 1);
      }, 120_000);
    }
});
