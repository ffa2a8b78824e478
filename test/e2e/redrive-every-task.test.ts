import { randomUUID } from 'node:crypto';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableRef } from '../../functions/adapters/dynamodb/client';
import { listBackorders } from '../../functions/adapters/dynamodb/procurement/backorders';
import { listHolds } from '../../functions/adapters/dynamodb/reservations';
import { executionArnOf } from '../../functions/adapters/sfn/executions';
import { workflows } from '../../functions/contracts/system';
import type { LocalCloud } from '../../local/cloud';
import { stateMachineArn } from '../../local/emulators/protocol/identity';
import type { FaultPhase } from '../../local/emulators/stepfunctions/fault-injection';
import { e2eHttp, type FailedExecution, type PurchaseOrderView, startE2eCloud } from '../support/e2e-http';
import { taskStates as allTaskStates, faultFor, keyOf, modelledErrors } from '../support/workflow-tasks';

/**
 * Redrive safety (docs/operations.md, workflow rules 1–2), for every Task state of every workflow: a fault past the state's Retry
 * budget fails the execution *at that state*; operations clear it and redrive (over the API or the Step
 * Functions API); the order then completes and every effect (stock, holds, purchase orders, backorders,
 * timeline) exists exactly once. Faults fire `after` the task's resource ran wherever that is possible: the
 * writes land and the task still fails, so the redrive runs the task a second time and would duplicate any
 * effect that is not idempotent.
 *
 * The Task states are read from the ASL files, so a state added to a workflow fails this suite (naming it)
 * until it has a scenario. Scenarios run one after another on one cloud: faults are global per state.
 * The cloud shares table `main` with other suites, so every id is unique to this run.
 */

// ------------------------------------------------------------------------------------------ the workflows

/**
 * Dispatch's and returns' Task states have their own suites (redrive-dispatch.test.ts, redrive-returns.test.ts):
 * their paths are about shipments and returns.
 */
const coveredElsewhere = ['dispatch', 'returns'];
const taskStates = allTaskStates.filter((task) => !coveredElsewhere.includes(task.workflow));
type WorkflowName = keyof typeof workflows;

// ------------------------------------------------------------------------------------------ the world

let cloud: LocalCloud;
let sfn: SFNClient;
let table: TableRef;
const {
  api,
  expectStatus,
  waitFor,
  order: orderView,
  orderIn,
  placeOrder,
  purchaseOrders,
  inventory,
  failedExecutions,
} = e2eHttp(() => cloud);
const run = randomUUID().slice(0, 8);
const warehouse = `WH-RD-${run}`;
const supplier = `SUP-RD-${run}`;
const keys = { staff: `stf_${randomUUID()}`, supplier: `sup_${randomUUID()}` };
/** Each scenario has its own SKU: backorders queue per SKU, so scenarios never share stock or a FIFO queue. */
/** One SKU per (state, channel): every run has its own stock, supplier feed and purchase orders. */
const skuOf = (key: string, channel: Channel) =>
  `SKU-${run}-${key.replace('/', '-')}-${channel === 'ops API' ? 'ops' : 'sfn'}`;

// ------------------------------------------------------------------------------------------ the paths

interface Effects {
  status: string;
  stock: { onHand: number; reserved: number; available: number };
  holds: { qty: number; status: string }[];
  purchaseOrders: { status: string; qty: number }[];
  backorders: { qty: number; allocated: number; status: string }[];
  /** How many times each timeline entry (event, else status) appears: exactly. */
  timeline: Record<string, number>;
  procurement: boolean;
}

/**
 * The three ways an order goes through the Task states. `onHand` is the stock before the order, `qty` what
 * it asks for; a supplied SKU has a supplier able to deliver the whole shortfall.
 */
const paths = {
  /** Enough stock: reserved at once. */
  inStock: {
    onHand: 3,
    qty: 3,
    supplied: false,
    effects: {
      status: 'PICKING',
      stock: { onHand: 3, reserved: 3, available: 0 },
      holds: [{ qty: 3, status: 'HELD' }],
      purchaseOrders: [],
      backorders: [],
      timeline: { ACCEPTED: 1, RESERVED: 1, PICKING: 1 },
      procurement: false,
    },
  },
  /** 1 held, 2 bought from the supplier, received, allocated → RESERVED, then its shipment → PICKING. */
  backorder: {
    onHand: 1,
    qty: 3,
    supplied: true,
    effects: {
      status: 'PICKING',
      stock: { onHand: 3, reserved: 3, available: 0 },
      holds: [{ qty: 3, status: 'HELD' }],
      purchaseOrders: [{ status: 'RECEIVED', qty: 2 }],
      backorders: [{ qty: 2, allocated: 2, status: 'RESUMED' }],
      timeline: {
        ACCEPTED: 1,
        BACKORDERED: 1,
        BACKORDER_CREATED: 1,
        PO_CREATED: 1,
        PO_CONFIRMED: 1,
        PO_RECEIVED: 1,
        BACKORDER_ALLOCATED: 1,
        BACKORDER_RESUMED: 1,
        RESERVED: 1,
        PICKING: 1,
      },
      procurement: true,
    },
  },
  /** 1 held, nobody supplies the SKU: the backorder is withdrawn, the order REJECTED and its hold released. */
  noSupplier: {
    onHand: 1,
    qty: 2,
    supplied: false,
    effects: {
      status: 'REJECTED',
      stock: { onHand: 1, reserved: 0, available: 1 },
      holds: [{ qty: 1, status: 'RELEASED' }],
      purchaseOrders: [],
      backorders: [{ qty: 1, allocated: 0, status: 'WITHDRAWN' }],
      timeline: {
        ACCEPTED: 1,
        BACKORDERED: 1,
        BACKORDER_CREATED: 1,
        BACKORDER_WITHDRAWN: 1,
        REJECTED: 1,
      },
      procurement: true,
    },
  },
} satisfies Record<string, { onHand: number; qty: number; supplied: boolean; effects: Effects }>;

/** The step each timeline entry must name (a prefix: per-SKU and per-PO steps append `#…`). */
const stepOf: Record<string, string> = {
  ACCEPTED: 'CreateOrder',
  BACKORDERED: 'ReserveStock',
  RESERVED: 'ReserveStock',
  PICKING: 'CreateShipments',
  REJECTED: 'RejectOrder',
  BACKORDER_CREATED: 'CreatePurchaseOrder',
  PO_CREATED: 'CreatePurchaseOrder',
  PO_CONFIRMED: 'ConfirmPurchaseOrder',
  PO_RECEIVED: 'ReceiveGoods',
  BACKORDER_ALLOCATED: 'AllocateReceipt',
  BACKORDER_RESUMED: 'AllocateReceipt',
  BACKORDER_WITHDRAWN: 'AbandonBackorder',
};

// ------------------------------------------------------------------------------------------ the steps

const channels = ['ops API', 'Step Functions API'] as const;
type Channel = (typeof channels)[number];

/** One scenario's order, and the steps that move it along over HTTP. */
class OrderRun {
  orderId = '';

  constructor(
    readonly sku: string,
    readonly path: (typeof paths)[keyof typeof paths],
  ) {}

  /** Errors injected into this order's executions: the only failures (besides modelled ones) allowed. */
  readonly injected = new Set<string>();

  async inject(fault: {
    workflow: string;
    state: string;
    error: string;
    times: number;
    phase: FaultPhase;
    cause: string;
  }): Promise<void> {
    this.injected.add(fault.error);
    await expectStatus(api('/ops/faults', { method: 'PUT', key: cloud.keys.ops, body: fault }), 200);
  }

  async place(): Promise<void> {
    this.orderId = await placeOrder([{ sku: this.sku, qty: this.path.qty }]);
  }

  async purchaseOrder(): Promise<PurchaseOrderView> {
    return waitFor(async () => (await this.purchaseOrders())[0]);
  }

  async purchaseOrders(): Promise<PurchaseOrderView[]> {
    return (await purchaseOrders(supplier, keys.supplier)).filter((po) =>
      po.poId.startsWith(`${this.orderId}-`),
    );
  }

  /** The supplier confirms the whole purchase order. */
  async confirm(): Promise<void> {
    const po = await this.purchaseOrder();
    await expectStatus(
      api(`/suppliers/${supplier}/purchase-orders/${po.poId}/confirm`, {
        method: 'POST',
        key: keys.supplier,
        body: { lines: po.lines, eta: '2026-12-01' },
      }),
      200,
    );
  }

  /** The warehouse receives everything confirmed. */
  async receive(): Promise<void> {
    const po = await this.purchaseOrder();
    await expectStatus(
      api(`/locations/${warehouse}/receipts`, {
        method: 'POST',
        key: keys.staff,
        body: { poId: po.poId, lines: po.lines },
      }),
      202,
    );
  }

  /** This order's failed execution of `workflow`, once it has failed at `state` (as ops see it). */
  failedAt(workflow: WorkflowName, state: string): Promise<FailedExecution> {
    return waitFor(async () =>
      (await failedExecutions()).find(
        (item) =>
          item.workflow === workflow &&
          item.failedState === state &&
          // Fulfilment is named after the order, procurement `<orderId>-procure-<round>`.
          item.executionId.startsWith(workflow === 'fulfilment' ? this.orderId : `${this.orderId}-procure-`),
      ),
    );
  }

  async redrive(execution: FailedExecution, channel: Channel): Promise<void> {
    if (channel === 'ops API') {
      await expectStatus(
        api(`/ops/executions/${execution.executionId}/redrive`, { method: 'POST', key: cloud.keys.ops }),
        202,
      );
    } else {
      await sfn.send(new RedriveExecutionCommand({ executionArn: arnOf(execution) }));
    }
  }

  /**
   * Waits until fulfilment (named after the order) has parked its task token at `state`. Needed where an
   * answer would reach a redriven fulfilment before it waits again: AllocateReceipt's resume would then use
   * up its (scaled to zero) Backorder.NotYetParked retries.
   */
  async fulfilmentParkedAt(state: string): Promise<void> {
    const executionArn = executionArnOf(stateMachineArn('fulfilment'), this.orderId);
    await waitFor(async () => {
      const history = await sfn.send(
        new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 50 }),
      );
      // Newest first: the token was submitted after the latest state entered, and that state is `state`.
      let submitted = false;
      for (const event of history.events ?? []) {
        if (event.type === 'TaskSubmitted') submitted = true;
        if (event.type === 'TaskStateEntered')
          return event.stateEnteredEventDetails?.name === state && submitted ? true : undefined;
      }
      return undefined;
    });
  }
}

const arnOf = (execution: { workflow: string; executionId: string }) =>
  executionArnOf(stateMachineArn(execution.workflow), execution.executionId);

const clearFaults = () => expectStatus(api('/ops/faults', { method: 'DELETE', key: cloud.keys.ops }), 204);

// ------------------------------------------------------------------------------------------ the scenarios

interface Scenario {
  path: keyof typeof paths;
  /**
   * `after` wherever the task has an effect to repeat; `before` only where the resource must not run (a
   * scenario may say why).
   */
  phase: FaultPhase;
  /**
   * Moves the order until the faulted state is reached (the fault then fails the execution there); a
   * prelude that redrives uses the other `channel`.
   */
  reach(order: OrderRun, channel: Channel): Promise<void>;
  /** What happens while the execution is failed (an answer it has to pick up after the redrive). */
  whileFailed?(order: OrderRun): Promise<void>;
  /** The rest of the way, after the redrive. */
  finish?(order: OrderRun): Promise<void>;
  /** Redrives of the faulted execution in all (a prelude may fail and redrive it once more). */
  redrives?: number;
}

/** Confirm and receive: the supplier's and the warehouse's part of the backorder path. */
const confirmAndReceive = async (order: OrderRun) => {
  await order.confirm();
  await order.receive();
};

/** Fulfilment was failed while procurement went on: it must wait again before the receipt resumes it. */
const afterFulfilmentWaits = async (order: OrderRun) => {
  await order.fulfilmentParkedAt('AwaitBackorderAllocation');
  await confirmAndReceive(order);
};

const place = (order: OrderRun) => order.place();

/** Keyed by `<workflow>/<state>`; every Task state of every workflow must have one. */
const scenarios: Record<string, Scenario> = {
  // The reservation is committed, then the task fails: the redrive must not reserve the units again.
  'fulfilment/ReserveStock': { path: 'inStock', phase: 'after', reach: place },
  // The shipments and the order's move to PICKING are written, then the task fails: the redrive must find
  // them (deterministic ids) and write no second round or timeline entry.
  'fulfilment/CreateShipments': { path: 'inStock', phase: 'after', reach: place },
  // Procurement is started, then the task fails: the redrive must not start a second procurement.
  'fulfilment/RequestProcurement': {
    path: 'backorder',
    phase: 'after',
    reach: place,
    finish: afterFulfilmentWaits,
  },
  // The token is parked, then the task fails: the redrive parks a live one, which the allocation answers.
  'fulfilment/AwaitBackorderAllocation': {
    path: 'backorder',
    phase: 'after',
    reach: place,
    finish: afterFulfilmentWaits,
  },
  // The order is rejected and its hold released, then the task fails: nothing is released twice.
  'fulfilment/RejectOrder': { path: 'noSupplier', phase: 'after', reach: place },
  // Backorder and purchase order are written, then the task fails: the redrive finds them.
  'procurement/CreatePurchaseOrder': {
    path: 'backorder',
    phase: 'after',
    reach: place,
    finish: confirmAndReceive,
  },
  // The token is parked on the PO, then the task fails; the supplier confirms meanwhile (the stale token is
  // refused): the redriven wait fails its condition and SettlePurchaseOrder reads the decision.
  'procurement/AwaitSupplierDecision': {
    path: 'backorder',
    phase: 'after',
    reach: place,
    whileFailed: (order) => order.confirm(),
    finish: (order) => order.receive(),
  },
  // Settle runs only when the wait could not park (timeout, or a decision before the park). Prelude: the
  // wait fails before parking, the supplier confirms, a redrive fails the park's condition → Settle.
  'procurement/SettlePurchaseOrder': {
    path: 'backorder',
    phase: 'after',
    redrives: 2,
    reach: async (order, channel) => {
      const wait = taskStates.find((task) => keyOf(task) === 'procurement/AwaitSupplierDecision');
      if (!wait) throw new Error('procurement has no AwaitSupplierDecision any more: rewrite this prelude');
      await order.inject({
        ...faultFor(wait),
        workflow: 'procurement',
        state: wait.state,
        phase: 'before',
        cause: 'prelude',
      });
      await order.place();
      const failed = await order.failedAt('procurement', wait.state);
      await order.confirm();
      await order.redrive(failed, channel === 'ops API' ? 'Step Functions API' : 'ops API');
    },
    finish: (order) => order.receive(),
  },
  // The token is parked (and the PO version bumped), then the task fails; the goods arrive meanwhile: the
  // redriven wait fails its condition and goes straight to AllocateReceipt.
  'procurement/AwaitGoodsReceipt': {
    path: 'backorder',
    phase: 'after',
    reach: async (order) => {
      await order.place();
      await order.confirm();
    },
    whileFailed: (order) => order.receive(),
  },
  // Goods are shared out and the order resumed (it reaches RESERVED), then the task fails: the redrive
  // shares nothing twice and resumes nobody again.
  'procurement/AllocateReceipt': {
    path: 'backorder',
    phase: 'after',
    reach: async (order) => {
      await order.place();
      await confirmAndReceive(order);
    },
  },
  // Fulfilment is told (it rejects the order) and the backorder withdrawn, then the task fails.
  'procurement/AbandonBackorder': { path: 'noSupplier', phase: 'after', reach: place },
};

// ------------------------------------------------------------------------------------------ the checks

async function expectExactlyOnce(order: OrderRun, effects: Effects): Promise<void> {
  const { orderId, sku } = order;
  const view = await orderView(orderId);
  expect(view.status).toBe(effects.status);
  expect((await inventory(sku)).locations).toEqual([
    expect.objectContaining({ locationId: warehouse, ...effects.stock }),
  ]);
  expect(
    (await listHolds(table, orderId)).map((hold) => ({
      sku: hold.sku,
      locationId: hold.locationId,
      qty: hold.qty,
      status: hold.status,
    })),
  ).toEqual(effects.holds.map((hold) => ({ sku, locationId: warehouse, ...hold })));
  if (effects.status === 'PICKING')
    expect(view.allocations).toEqual([{ sku, qty: effects.stock.reserved, locationId: warehouse }]);
  expect((await order.purchaseOrders()).map((po) => ({ status: po.status, lines: po.lines }))).toEqual(
    effects.purchaseOrders.map((po) => ({ status: po.status, lines: [{ sku, qty: po.qty }] })),
  );
  expect(
    (await listBackorders(table, orderId)).map((backorder) => ({
      sku: backorder.sku,
      qty: backorder.qty,
      allocated: backorder.allocated,
      status: backorder.status,
    })),
  ).toEqual(effects.backorders.map((backorder) => ({ sku, ...backorder })));

  const labels = view.timeline.map((entry) => entry.event ?? entry.status ?? '?');
  const counts: Record<string, number> = {};
  for (const label of labels) counts[label] = (counts[label] ?? 0) + 1;
  expect(counts).toEqual(effects.timeline);
  for (const entry of view.timeline) {
    const label = entry.event ?? entry.status ?? '?';
    expect(entry.actor, label).not.toBe('');
    expect(entry.step.startsWith(stepOf[label] ?? '?'), `${label} at step ${entry.step}`).toBe(true);
  }
}

/**
 * Apart from the injected fault and modelled outcomes, no task of the execution failed: a re-run that only
 * succeeds after its own retries (say, Backorder.NotYetParked until another workflow catches up) is not
 * idempotent, it is lucky.
 */
async function expectNoOtherFailures(
  execution: { workflow: string; executionId: string },
  injected: ReadonlySet<string>,
) {
  const allowed = new Set([...modelledErrors(execution.workflow), ...injected]);
  const events = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: arnOf(execution), maxResults: 1000, nextToken }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const errors = events.flatMap((event) => {
    const error = (event.lambdaFunctionFailedEventDetails ?? event.taskFailedEventDetails)?.error;
    return error === undefined || allowed.has(error) ? [] : [error];
  });
  expect(errors, `unexpected task failures in ${execution.executionId}`).toEqual([]);
}

/**
 * Every execution of the order SUCCEEDED, and procurement ran exactly once if the path needs it: round 2, the
 * order's version once it is BACKORDERED.
 */
async function expectSucceeded(order: OrderRun, effects: Effects): Promise<void> {
  const procurementIds = effects.procurement ? [`${order.orderId}-procure-2`] : [];
  const executions = [
    { workflow: 'fulfilment', executionId: order.orderId },
    ...procurementIds.map((executionId) => ({ workflow: 'procurement', executionId })),
  ];
  for (const execution of executions) {
    await waitFor(async () => {
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn: arnOf(execution) }));
      if (described.status === 'FAILED' || described.status === 'ABORTED')
        throw new Error(
          `${execution.executionId}: ${described.status} ${described.error} ${described.cause}`,
        );
      return described.status === 'SUCCEEDED' ? true : undefined;
    }).catch(async (error: unknown) => {
      throw new Error(`${String(error)}; failed: ${JSON.stringify(await failedExecutions())}`);
    });
    await expectNoOtherFailures(execution, order.injected);
  }
  const listed = await sfn.send(
    new ListExecutionsCommand({ stateMachineArn: stateMachineArn('procurement'), maxResults: 1000 }),
  );
  expect(
    (listed.executions ?? [])
      .map((execution) => execution.name ?? '')
      .filter((name) => name.startsWith(`${order.orderId}-`)),
  ).toEqual(procurementIds);
}

// ------------------------------------------------------------------------------------------ the suite

beforeAll(async () => {
  ({ cloud, sfn, table } = await startE2eCloud([
    { apiKey: keys.staff, principalId: `staff:${warehouse}`, role: 'staff', scope: warehouse },
    { apiKey: keys.supplier, principalId: `supplier:${supplier}`, role: 'supplier', scope: supplier },
  ]));
  const ops = cloud.keys.ops;
  await expectStatus(
    api(`/locations/${warehouse}`, {
      method: 'PUT',
      key: ops,
      body: { type: 'warehouse', name: 'Redrive', lat: 51.5, lng: -0.1, fulfils: ['delivery'] },
    }),
    200,
  );
  const stocked = Object.entries(scenarios).flatMap(([key, scenario]) =>
    channels.map((channel) => ({ sku: skuOf(key, channel), path: paths[scenario.path] })),
  );
  for (const { sku, path } of stocked) {
    await expectStatus(
      api(`/locations/${warehouse}/stock/${sku}`, {
        method: 'PUT',
        key: ops,
        body: { onHand: path.onHand, safetyStock: 0 },
      }),
      200,
    );
  }
  const supplied = stocked.filter(({ path }) => path.supplied).map(({ sku }) => sku);
  await expectStatus(
    api(`/suppliers/${supplier}/stock`, {
      method: 'POST',
      key: keys.supplier,
      body: {
        feedSeq: 1,
        items: supplied.map((sku) => ({ sku, available: 50, leadTimeDays: 2, unitCost: 2 })),
      },
    }),
    202,
  );
  for (const sku of supplied)
    await waitFor(async () => ((await inventory(sku)).suppliers.length === 1 ? true : undefined));
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
});

describe('redrive safety: every Task state fails there, is redriven and has every effect exactly once', () => {
  it('has a scenario for every Task state of every workflow, and none for a state that is gone', () => {
    // Every workflow's Task states are covered here, or by the suite named in coveredElsewhere.
    expect(
      Object.keys(workflows).filter((workflow) => !taskStates.some((task) => task.workflow === workflow)),
    ).toEqual(coveredElsewhere);
    const tasks = taskStates.map(keyOf);
    expect(
      tasks.filter((key) => !(key in scenarios)),
      'Task states without a redrive scenario',
    ).toEqual([]);
    expect(
      Object.keys(scenarios).filter((key) => !tasks.includes(key)),
      'scenarios for states that are not Tasks',
    ).toEqual([]);
  });

  // Each state twice: redriven by the project's ops API and by the Step Functions API (console, CLI, SDK).
  for (const [task, channel] of taskStates.flatMap((task) =>
    channels.map((channel) => [task, channel] as const),
  )) {
    const key = keyOf(task);
    it(`${key}: fault ${scenarios[key]?.phase ?? '?'} its resource, redrive over the ${channel}`, async () => {
      const scenario = scenarios[key];
      if (!scenario) throw new Error(`no redrive scenario for Task state ${key}: add one to \`scenarios\``);
      const order = new OrderRun(skuOf(key, channel), paths[scenario.path]);
      const fault = faultFor(task);
      const cause = `injected at ${key} (redrive test)`;
      await order.inject({
        workflow: task.workflow,
        state: task.state,
        ...fault,
        phase: scenario.phase,
        cause,
      });

      await scenario.reach(order, channel);
      const failed = await order.failedAt(task.workflow, task.state);
      expect(failed).toMatchObject({
        workflow: task.workflow,
        failedState: task.state,
        error: fault.error,
        cause,
        // Fulfilment's input is the order; procurement's is its demand, here the order's backorder.
        input:
          task.workflow === 'procurement'
            ? { demand: expect.objectContaining({ kind: 'backorder', orderId: order.orderId }) }
            : expect.objectContaining({ orderId: order.orderId }),
      });
      await clearFaults();
      await scenario.whileFailed?.(order);
      await order.redrive(failed, channel);
      await scenario.finish?.(order);

      const effects: Effects = paths[scenario.path].effects;
      await orderIn(order.orderId, effects.status);
      await expectSucceeded(order, effects);
      const redriven = await sfn.send(new DescribeExecutionCommand({ executionArn: arnOf(failed) }));
      expect(redriven.redriveCount).toBe(scenario.redrives ?? 1);
      await expectExactlyOnce(order, effects);
    }, 120_000);
  }
});
