import { readFileSync } from 'node:fs';
import { GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  RedriveExecutionCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionArn } from '../../../local/emulators/protocol/identity';
import {
  type StepFunctionsService,
  startStepFunctionsService,
} from '../../../local/emulators/stepfunctions/service';
import { createTestTable, dynamodbEndpoint } from '../../support/dynamodb';
import { arnOf, eventually, fail, historyOf, settled, sfnClient, testInvoker } from './harness';

type Script = {
  /** Per CreatePurchaseOrder call: the supplier chosen, or undefined for "no supplier left". */
  suppliers: (string | undefined)[];
  /** Status the PO is written with (OPEN normally; CONFIRMED simulates a decision made before the park). */
  poStatus?: string;
  /** SettlePurchaseOrder's answers, in order. */
  settle?: string[];
  /** AllocateReceipt's `complete`, in order; 'transient' throws TransientError. */
  allocate?: (boolean | 'transient')[];
  notNeeded?: boolean;
  /** TimeoutSeconds of the supplier wait, per attempt (default 60). */
  timeouts?: number[];
};

type Demand =
  | { kind: 'backorder'; orderId: string; round: number }
  | { kind: 'replenishment'; sku: string; locationId: string; seq: number };

/** Scripts and PO ids are keyed by what the execution buys for: the order, or the replenished location. */
const keyOf = (demand: Demand) => (demand.kind === 'backorder' ? demand.orderId : demand.locationId);
const roundOf = (demand: Demand) => (demand.kind === 'backorder' ? demand.round : demand.seq);

/**
 * Every path of the repository's procurement ASL, with small test functions behind its Lambda tasks. The
 * states do not look at the kind of demand, so each path runs with a backorder; the replenishment tests show
 * the demand reaching every task unchanged on the paths a replenishment takes.
 */
describe('workflows/procurement/procurement.asl.json on the local Step Functions service', () => {
  let service: StepFunctionsService;
  let sfn: SFNClient;
  let table: Awaited<ReturnType<typeof createTestTable>>;
  const scripts = new Map<string, Script>();
  const script = (key: string) => scripts.get(key) as Script;
  const keyOfPayload = (payload: unknown) => keyOf((payload as { demand: Demand }).demand);
  const invoker = testInvoker({
    createPurchaseOrder: async (payload) => {
      const { demand, attempt, tried } = payload as { demand: Demand; attempt: number; tried: string[] };
      const key = keyOf(demand);
      const s = script(key);
      if (s.notNeeded)
        return { outcome: 'NOT_NEEDED', attempt, tried, poId: '', supplierId: '', supplierTimeoutSeconds: 1 };
      const supplierId = s.suppliers[attempt];
      if (!supplierId)
        return {
          outcome: 'NO_SUPPLIER',
          attempt,
          tried,
          poId: '',
          supplierId: '',
          supplierTimeoutSeconds: 1,
        };
      const poId = `${key}-${roundOf(demand)}-${attempt + 1}`;
      await table.client.send(
        new PutItemCommand({
          TableName: table.tableName,
          Item: {
            pk: { S: `PO#${poId}` },
            sk: { S: 'PO' },
            status: { S: s.poStatus ?? 'OPEN' },
            received: { M: {} },
            processed: { M: {} },
            version: { N: '1' },
          },
        }),
      );
      return {
        outcome: 'PO_CREATED',
        poId,
        supplierId,
        attempt: attempt + 1,
        tried: [...tried, supplierId],
        supplierTimeoutSeconds: s.timeouts?.[attempt] ?? 60,
      };
    },
    settlePurchaseOrder: (payload) => {
      const s = script(keyOfPayload(payload));
      return { decision: s.settle?.shift() ?? 'EXPIRED' };
    },
    allocateReceipt: (payload) => {
      const s = script(keyOfPayload(payload));
      const next = s.allocate?.shift() ?? true;
      if (next === 'transient') fail('TransientError', 'throttled');
      return { complete: next };
    },
    abandonBackorder: () => ({ abandoned: true }),
  });
  const calls = (fn: string, key: string) =>
    invoker.calls.filter((c) => c.name === fn && keyOfPayload(c.payload) === key);

  beforeAll(async () => {
    table = await createTestTable();
    const substitutions: Record<string, string> = {
      CreatePurchaseOrderFunctionArn: functionArn('createPurchaseOrder'),
      SettlePurchaseOrderFunctionArn: functionArn('settlePurchaseOrder'),
      AllocateReceiptFunctionArn: functionArn('allocateReceipt'),
      AbandonBackorderFunctionArn: functionArn('abandonBackorder'),
      TableName: table.tableName,
    };
    const definition = readFileSync('workflows/procurement/procurement.asl.json', 'utf8').replace(
      /\$\{(\w+)\}/g,
      (whole, name: string) => {
        const value = substitutions[name];
        if (value === undefined) throw new Error(`no substitution for ${whole}`);
        return value;
      },
    );
    service = await startStepFunctionsService({
      stateMachines: [{ name: 'procurement', definition }],
      invoker,
      dynamodbEndpoint: dynamodbEndpoint(),
      retryIntervalScale: 0,
    });
    sfn = sfnClient(service.url);
  });
  afterAll(async () => {
    await service?.close();
  });

  const startFor = async (demand: Demand, s: Script) => {
    scripts.set(keyOf(demand), s);
    return (
      await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: arnOf('procurement'),
          name: `${keyOf(demand)}-procure-${roundOf(demand)}`,
          input: JSON.stringify({ demand }),
        }),
      )
    ).executionArn as string;
  };
  /** A backorder of `orderId`, in procurement round 2. */
  const start = (orderId: string, s: Script) => startFor({ kind: 'backorder', orderId, round: 2 }, s);
  /** Replenishment 2 of SKU-R at `locationId`. */
  const replenishment = (locationId: string): Demand => ({
    kind: 'replenishment',
    sku: 'SKU-R',
    locationId,
    seq: 2,
  });
  const poItem = (poId: string) =>
    table.client
      .send(
        new GetItemCommand({ TableName: table.tableName, Key: { pk: { S: `PO#${poId}` }, sk: { S: 'PO' } } }),
      )
      .then((r) => r.Item);
  const parked = (poId: string, attribute: 'supplierTaskToken' | 'receiptTaskToken', after?: string) =>
    eventually(async () => {
      const token = (await poItem(poId))?.[attribute]?.S;
      return token && token !== after ? token : undefined;
    });
  /** What a receipt does to the PO: received moves ahead of processed (AllocateReceipt catches up). */
  const receive = (poId: string, qty: number) =>
    table.client.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: `PO#${poId}` }, sk: { S: 'PO' } },
        UpdateExpression: 'SET received = :r',
        ExpressionAttributeValues: { ':r': { M: { A: { N: String(qty) } } } },
      }),
    );
  /** What the confirm endpoint does: the PO becomes CONFIRMED, then the parked token is answered. */
  const confirm = async (poId: string, taskToken: string) => {
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: `PO#${poId}` }, sk: { S: 'PO' } },
        UpdateExpression: 'SET #s = :c',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':c': { S: 'CONFIRMED' } },
      }),
    );
    await sfn.send(
      new SendTaskSuccessCommand({ taskToken, output: JSON.stringify({ decision: 'CONFIRMED' }) }),
    );
  };
  const statesEntered = async (arn: string) =>
    (await historyOf(sfn, arn)).flatMap((e) =>
      e.stateEnteredEventDetails?.name ? [e.stateEnteredEventDetails.name] : [],
    );

  it('confirm → receipt → AllocateReceipt → Procured', async () => {
    const arn = await start('p-happy', { suppliers: ['s1'] });
    const poId = 'p-happy-2-1';
    const supplierToken = await parked(poId, 'supplierTaskToken');
    // Parking bumps the version: a supplier decision that read the PO before the park then fails its
    // version condition, re-reads and wakes this token, instead of confirming unseen (a lost wake-up).
    expect((await poItem(poId))?.version).toEqual({ N: '2' });
    await confirm(poId, supplierToken);
    const receiptToken = await parked(poId, 'receiptTaskToken');
    await sfn.send(new SendTaskSuccessCommand({ taskToken: receiptToken, output: '{"received":true}' }));
    expect((await settled(sfn, arn)).status).toBe('SUCCEEDED');
    expect(await statesEntered(arn)).toEqual([
      'Init',
      'CreatePurchaseOrder',
      'HasSupplier',
      'AwaitSupplierDecision',
      'IsConfirmed',
      'AwaitGoodsReceipt',
      'AllocateReceipt',
      'IsFullyReceived',
      'Procured',
    ]);
    expect(calls('createPurchaseOrder', 'p-happy')[0]?.payload).toEqual({
      demand: { kind: 'backorder', orderId: 'p-happy', round: 2 },
      attempt: 0,
      tried: [],
      step: 'CreatePurchaseOrder',
    });
  });

  it('a rejection moves to the next supplier; none left → AbandonBackorder → NotProcured', async () => {
    const arn = await start('p-reject', { suppliers: ['s1'] });
    const token = await parked('p-reject-2-1', 'supplierTaskToken');
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"decision":"REJECTED"}' }));
    expect((await settled(sfn, arn)).status).toBe('SUCCEEDED');
    expect(await statesEntered(arn)).toEqual([
      'Init',
      'CreatePurchaseOrder',
      'HasSupplier',
      'AwaitSupplierDecision',
      'IsConfirmed',
      'CreatePurchaseOrder',
      'HasSupplier',
      'AbandonBackorder',
      'NotProcured',
    ]);
    expect(calls('createPurchaseOrder', 'p-reject')[1]?.payload).toMatchObject({ attempt: 1, tried: ['s1'] });
    expect(calls('abandonBackorder', 'p-reject')).toHaveLength(1);
  });

  it('no answer within TimeoutSeconds → SettlePurchaseOrder (EXPIRED) → next supplier', async () => {
    const arn = await start('p-timeout', { suppliers: ['s1', 's2'], settle: ['EXPIRED'], timeouts: [1] });
    await confirm('p-timeout-2-2', await parked('p-timeout-2-2', 'supplierTaskToken'));
    const receipt = await parked('p-timeout-2-2', 'receiptTaskToken');
    await sfn.send(new SendTaskSuccessCommand({ taskToken: receipt, output: '{}' }));
    expect((await settled(sfn, arn)).status).toBe('SUCCEEDED');
    expect((await statesEntered(arn)).slice(0, 6)).toEqual([
      'Init',
      'CreatePurchaseOrder',
      'HasSupplier',
      'AwaitSupplierDecision',
      'SettlePurchaseOrder',
      'IsConfirmed',
    ]);
  }, 15_000);

  it('a decision made before the token was parked (condition fails) is read by SettlePurchaseOrder', async () => {
    const arn = await start('p-early', { suppliers: ['s1'], poStatus: 'CONFIRMED', settle: ['CONFIRMED'] });
    // The PO is CONFIRMED, so AwaitGoodsReceipt parks; a partial receipt loops back to wait again.
    const first = await parked('p-early-2-1', 'receiptTaskToken');
    (scripts.get('p-early') as Script).allocate = [false, true];
    await sfn.send(new SendTaskSuccessCommand({ taskToken: first, output: '{}' }));
    const second = await parked('p-early-2-1', 'receiptTaskToken', first);
    await sfn.send(new SendTaskSuccessCommand({ taskToken: second, output: '{}' }));
    expect((await settled(sfn, arn)).status).toBe('SUCCEEDED');
    expect(await statesEntered(arn)).toEqual([
      'Init',
      'CreatePurchaseOrder',
      'HasSupplier',
      'AwaitSupplierDecision',
      'SettlePurchaseOrder',
      'IsConfirmed',
      'AwaitGoodsReceipt',
      'AllocateReceipt',
      'IsFullyReceived',
      'AwaitGoodsReceipt',
      'AllocateReceipt',
      'IsFullyReceived',
      'Procured',
    ]);
  });

  it('a receipt booked before the token was parked goes straight to AllocateReceipt', async () => {
    const arn = await start('p-receipt-first', { suppliers: ['s1'] });
    const token = await parked('p-receipt-first-2-1', 'supplierTaskToken');
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: 'PO#p-receipt-first-2-1' }, sk: { S: 'PO' } },
        UpdateExpression: 'SET #s = :c',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':c': { S: 'CONFIRMED' } },
      }),
    );
    await receive('p-receipt-first-2-1', 3);
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"decision":"CONFIRMED"}' }));
    expect((await settled(sfn, arn)).status).toBe('SUCCEEDED');
    const history = await historyOf(sfn, arn);
    expect(history.find((e) => e.type === 'TaskFailed')?.taskFailedEventDetails?.error).toBe(
      'DynamoDb.ConditionalCheckFailedException',
    );
    expect((await statesEntered(arn)).slice(-4)).toEqual([
      'AwaitGoodsReceipt',
      'AllocateReceipt',
      'IsFullyReceived',
      'Procured',
    ]);
  });

  it('an order no longer backordered → NotNeeded', async () => {
    const arn = await start('p-not-needed', { suppliers: [], notNeeded: true });
    expect((await settled(sfn, arn)).status).toBe('SUCCEEDED');
    expect(await statesEntered(arn)).toEqual(['Init', 'CreatePurchaseOrder', 'HasSupplier', 'NotNeeded']);
  });

  it('transient AllocateReceipt faults retry, then fail at AllocateReceipt; redrive finishes', async () => {
    const retries = (
      JSON.parse(readFileSync('workflows/procurement/procurement.asl.json', 'utf8')) as {
        States: { AllocateReceipt: { Retry: { ErrorEquals: string[]; MaxAttempts: number }[] } };
      }
    ).States.AllocateReceipt.Retry.find((retrier) => retrier.ErrorEquals.includes('TransientError'))
      ?.MaxAttempts as number;
    const arn = await start('p-flaky', {
      suppliers: ['s1'],
      poStatus: 'CONFIRMED',
      settle: ['CONFIRMED'],
      allocate: [...Array.from({ length: retries + 1 }, () => 'transient' as const), true],
    });
    const token = await parked('p-flaky-2-1', 'receiptTaskToken');
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }));
    const failed = await settled(sfn, arn);
    expect(failed).toMatchObject({ status: 'FAILED', error: 'TransientError' });
    expect((await statesEntered(arn)).at(-1)).toBe('AllocateReceipt');
    await sfn.send(new RedriveExecutionCommand({ executionArn: arn }));
    expect((await settled(sfn, arn, 'SUCCEEDED')).redriveCount).toBe(1);
    expect(calls('allocateReceipt', 'p-flaky')).toHaveLength(retries + 2);
  });

  it('a replenishment: confirm → receipt → Procured, its demand reaching every task unchanged', async () => {
    const demand = replenishment('r-happy');
    const arn = await startFor(demand, { suppliers: ['s1'] });
    const poId = 'r-happy-2-1';
    await confirm(poId, await parked(poId, 'supplierTaskToken'));
    await sfn.send(
      new SendTaskSuccessCommand({ taskToken: await parked(poId, 'receiptTaskToken'), output: '{}' }),
    );
    expect((await settled(sfn, arn)).status).toBe('SUCCEEDED');
    expect((await statesEntered(arn)).at(-1)).toBe('Procured');
    expect(calls('createPurchaseOrder', 'r-happy').map((c) => c.payload)).toEqual([
      { demand, attempt: 0, tried: [], step: 'CreatePurchaseOrder' },
    ]);
    expect(calls('allocateReceipt', 'r-happy').map((c) => c.payload)).toEqual([
      { demand, poId, step: 'AllocateReceipt' },
    ]);
  });

  it('a replenishment whose supplier rejects and none is left → AbandonBackorder with the demand → NotProcured', async () => {
    const demand = replenishment('r-reject');
    const arn = await startFor(demand, { suppliers: ['s1'], settle: ['REJECTED'], timeouts: [1] });
    expect((await settled(sfn, arn)).status).toBe('SUCCEEDED');
    expect((await statesEntered(arn)).slice(-6)).toEqual([
      'SettlePurchaseOrder',
      'IsConfirmed',
      'CreatePurchaseOrder',
      'HasSupplier',
      'AbandonBackorder',
      'NotProcured',
    ]);
    expect(calls('settlePurchaseOrder', 'r-reject').map((c) => c.payload)).toEqual([
      { demand, poId: 'r-reject-2-1', step: 'SettlePurchaseOrder' },
    ]);
    expect(calls('abandonBackorder', 'r-reject').map((c) => c.payload)).toEqual([
      { demand, step: 'AbandonBackorder' },
    ]);
  }, 15_000);

  it('a replenishment no longer needed (stock counted up, or superseded) → NotNeeded', async () => {
    const arn = await startFor(replenishment('r-not-needed'), { suppliers: [], notNeeded: true });
    expect((await settled(sfn, arn)).status).toBe('SUCCEEDED');
    expect(await statesEntered(arn)).toEqual(['Init', 'CreatePurchaseOrder', 'HasSupplier', 'NotNeeded']);
  });
});
