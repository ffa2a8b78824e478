import { readFileSync } from 'node:fs';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  RedriveExecutionCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionArn } from '../../../local/emulators/protocol/identity';
import type { StepFunctionsService } from '../../../local/emulators/stepfunctions/service';
import { createTestTable, dynamodbEndpoint } from '../../support/dynamodb';
import { arnOf, eventually, fail, historyOf, settled, startTestSfn, testInvoker, typesOf } from './harness';

/** Every path of the repository's fulfilment ASL, with small test functions behind its Lambda tasks. */
describe('workflows/fulfilment/fulfilment.asl.json on the local Step Functions service', () => {
  let service: StepFunctionsService;
  let sfn: SFNClient;
  let table: Awaited<ReturnType<typeof createTestTable>>;
  /** Per order: the outcomes ReserveStock returns, in order (last one repeats); 'transient' throws TransientError. */
  const plans = new Map<string, ('RESERVED' | 'BACKORDERED' | 'CANCELLED' | 'transient' | 'timeout')[]>();
  const invoker = testInvoker({
    reserveStock: (payload) => {
      const { orderId } = payload as { orderId: string };
      const plan = plans.get(orderId) ?? ['RESERVED'];
      const next = plan.length > 1 ? (plan.shift() as string) : (plan[0] as string);
      if (next === 'transient') fail('TransientError', 'inventory store throttled');
      // What Lambda reports for a function that ran past its timeout (overload, a slow dependency).
      if (next === 'timeout') fail('Sandbox.Timedout', 'Task timed out after 10.00 seconds');
      return { outcome: next, shortfall: next === 'BACKORDERED' ? 2 : 0 };
    },
    recordOrderStatus: (payload) => ({ recorded: payload }),
    // Cancelled between reservation and dispatch when the order id says so.
    createShipments: (payload) => {
      const { orderId } = payload as { orderId: string };
      return orderId.includes('cancel-before-dispatch')
        ? { outcome: 'CANCELLED', shipments: [] }
        : { outcome: 'DISPATCHING', shipments: [{ shipmentId: `${orderId}-0-0` }] };
    },
    requestProcurement: (payload) => ({
      executionArn: `procurement:${(payload as { orderId: string }).orderId}`,
    }),
  });
  const callsFor = (fn: string, orderId: string) =>
    invoker.calls.filter((c) => c.name === fn && (c.payload as { orderId: string }).orderId === orderId);

  beforeAll(async () => {
    table = await createTestTable();
    // The same ${Name} substitution CDK's definitionSubstitutions performs.
    const substitutions: Record<string, string> = {
      ReserveStockFunctionArn: functionArn('reserveStock'),
      CreateShipmentsFunctionArn: functionArn('createShipments'),
      RecordOrderStatusFunctionArn: functionArn('recordOrderStatus'),
      RequestProcurementFunctionArn: functionArn('requestProcurement'),
      TableName: table.tableName,
    };
    const definition = readFileSync('workflows/fulfilment/fulfilment.asl.json', 'utf8').replace(
      /\$\{(\w+)\}/g,
      (whole, name: string) => {
        const value = substitutions[name];
        if (value === undefined) throw new Error(`no substitution for ${whole}`);
        return value;
      },
    );
    ({ service, sfn } = await startTestSfn({
      stateMachines: [{ name: 'fulfilment', definition }],
      invoker,
      dynamodbEndpoint: dynamodbEndpoint(),
      retryIntervalScale: 0,
    }));
  });
  afterAll(async () => {
    await service?.close();
  });

  const start = async (orderId: string) =>
    (
      await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: arnOf('fulfilment'),
          name: orderId,
          input: JSON.stringify({ orderId, round: 0 }),
        }),
      )
    ).executionArn as string;
  const putOrder = (orderId: string, status = 'BACKORDERED') =>
    table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: { pk: { S: `ORDER#${orderId}` }, sk: { S: 'ORDER' }, status: { S: status } },
      }),
    );
  const parkedToken = (orderId: string) =>
    eventually(async () => {
      const item = await table.client.send(
        new GetItemCommand({
          TableName: table.tableName,
          Key: { pk: { S: `ORDER#${orderId}` }, sk: { S: 'ORDER' } },
        }),
      );
      return item.Item?.backorderTaskToken?.S;
    });
  /** The states a backordered run passes before it waits. */
  const untilParked = ['ReserveStock', 'IsReserved', 'RequestProcurement', 'AwaitBackorderAllocation'];
  const statesEntered = async (arn: string) =>
    (await historyOf(sfn, arn)).flatMap((e) =>
      e.stateEnteredEventDetails?.name ? [e.stateEnteredEventDetails.name] : [],
    );

  it('a Lambda timeout is retried like any transient fault: the task is idempotent, overload slows it down', async () => {
    plans.set('o-timeouts', ['timeout', 'timeout', 'transient', 'RESERVED']);
    const arn = await start('o-timeouts');
    expect((await settled(sfn, arn)).status).toBe('SUCCEEDED');
    expect(callsFor('reserveStock', 'o-timeouts').length).toBe(4);
  });

  it('cancelled between reservation and dispatch → Cancelled, no shipments', async () => {
    plans.set('o-cancel-before-dispatch', ['RESERVED']);
    const arn = await start('o-cancel-before-dispatch');
    expect((await settled(sfn, arn)).status).toBe('SUCCEEDED');
    expect(await statesEntered(arn)).toEqual([
      'ReserveStock',
      'IsReserved',
      'CreateShipments',
      'IsDispatching',
      'Cancelled',
    ]);
  });

  it('RESERVED → CreateShipments → ReadyForDispatch', async () => {
    plans.set('o-reserved', ['RESERVED']);
    const arn = await start('o-reserved');
    const described = await settled(sfn, arn);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output as string)).toEqual({
      orderId: 'o-reserved',
      round: 0,
      reservation: { outcome: 'RESERVED', shortfall: 0 },
      dispatch: { outcome: 'DISPATCHING', shipments: [{ shipmentId: 'o-reserved-0-0' }] },
    });
    expect(await statesEntered(arn)).toEqual([
      'ReserveStock',
      'IsReserved',
      'CreateShipments',
      'IsDispatching',
      'ReadyForDispatch',
    ]);
    expect(callsFor('createShipments', 'o-reserved')[0]?.payload).toEqual({
      orderId: 'o-reserved',
      round: 0,
    });
    expect(callsFor('reserveStock', 'o-reserved')[0]?.payload).toEqual({
      orderId: 'o-reserved',
      step: 'ReserveStock',
    });
  });

  it('BACKORDERED → parks the token on the order → SendTaskSuccess → ReserveStock again → CreateShipments', async () => {
    plans.set('o-backorder', ['BACKORDERED', 'RESERVED']);
    await putOrder('o-backorder');
    const arn = await start('o-backorder');
    const token = await parkedToken('o-backorder');
    await sfn.send(
      new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ allocated: true }) }),
    );
    const described = await settled(sfn, arn);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output as string)).toEqual({
      orderId: 'o-backorder',
      round: 0,
      reservation: { outcome: 'RESERVED', shortfall: 0 },
      procurement: { executionArn: 'procurement:o-backorder' },
      backorder: { allocated: true },
      dispatch: { outcome: 'DISPATCHING', shipments: [{ shipmentId: 'o-backorder-0-0' }] },
    });
    expect(await statesEntered(arn)).toEqual([
      ...untilParked,
      'ReserveStock',
      'IsReserved',
      'CreateShipments',
      'IsDispatching',
      'ReadyForDispatch',
    ]);
    expect(callsFor('reserveStock', 'o-backorder').length).toBe(2);
  });

  it('BACKORDERED → SendTaskFailure(Backorder.CannotBeProcured) → RejectOrder → Rejected', async () => {
    plans.set('o-reject', ['BACKORDERED']);
    await putOrder('o-reject');
    const arn = await start('o-reject');
    const token = await parkedToken('o-reject');
    await sfn.send(
      new SendTaskFailureCommand({
        taskToken: token,
        error: 'Backorder.CannotBeProcured',
        cause: 'supplier discontinued SKU',
      }),
    );
    const described = await settled(sfn, arn);
    expect(described.status).toBe('SUCCEEDED');
    expect(await statesEntered(arn)).toEqual([...untilParked, 'RejectOrder', 'Rejected']);
    expect(callsFor('recordOrderStatus', 'o-reject')).toEqual([
      {
        name: 'recordOrderStatus',
        payload: {
          orderId: 'o-reject',
          status: 'REJECTED',
          step: 'RejectOrder',
          reason: 'supplier discontinued SKU',
        },
      },
    ]);
  });

  it('BACKORDERED → SendTaskFailure(Order.Cancelled) → Cancelled', async () => {
    plans.set('o-cancel-waiting', ['BACKORDERED']);
    await putOrder('o-cancel-waiting');
    const arn = await start('o-cancel-waiting');
    const token = await parkedToken('o-cancel-waiting');
    await sfn.send(
      new SendTaskFailureCommand({
        taskToken: token,
        error: 'Order.Cancelled',
        cause: 'customer changed mind',
      }),
    );
    expect((await settled(sfn, arn)).status).toBe('SUCCEEDED');
    expect(await statesEntered(arn)).toEqual([...untilParked, 'Cancelled']);
    expect(callsFor('recordOrderStatus', 'o-cancel-waiting')).toEqual([]);
  });

  it('ReserveStock finds the order cancelled → Cancelled', async () => {
    plans.set('o-cancelled-early', ['CANCELLED']);
    const arn = await start('o-cancelled-early');
    expect((await settled(sfn, arn)).status).toBe('SUCCEEDED');
    expect(await statesEntered(arn)).toEqual(['ReserveStock', 'IsReserved', 'Cancelled']);
  });

  it('an order no longer BACKORDERED when the wait would park (cancelled meanwhile) fails the condition → ReserveStock re-reads it → Cancelled', async () => {
    plans.set('o-cancelled-before-park', ['BACKORDERED', 'CANCELLED']);
    await putOrder('o-cancelled-before-park', 'CANCELLED');
    const arn = await start('o-cancelled-before-park');
    expect((await settled(sfn, arn)).status).toBe('SUCCEEDED');
    expect(await statesEntered(arn)).toEqual([...untilParked, 'ReserveStock', 'IsReserved', 'Cancelled']);
    const item = await table.client.send(
      new GetItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: 'ORDER#o-cancelled-before-park' }, sk: { S: 'ORDER' } },
      }),
    );
    expect(item.Item?.backorderTaskToken).toBeUndefined();
  });

  it('transient ReserveStock faults retry, then fail at ReserveStock; redrive resumes there', async () => {
    const retries = (
      JSON.parse(readFileSync('workflows/fulfilment/fulfilment.asl.json', 'utf8')) as {
        States: { ReserveStock: { Retry: { ErrorEquals: string[]; MaxAttempts: number }[] } };
      }
    ).States.ReserveStock.Retry.find((retrier) => retrier.ErrorEquals.includes('TransientError'))
      ?.MaxAttempts as number;
    plans.set('o-flaky', [...Array.from({ length: retries + 1 }, () => 'transient' as const), 'RESERVED']);
    const arn = await start('o-flaky');
    const failed = await settled(sfn, arn);
    expect(failed).toMatchObject({ status: 'FAILED', error: 'TransientError' });
    expect(callsFor('reserveStock', 'o-flaky').length).toBe(retries + 1);
    await sfn.send(new RedriveExecutionCommand({ executionArn: arn }));
    const done = await settled(sfn, arn, 'SUCCEEDED');
    expect(done.redriveCount).toBe(1);
    expect(typesOf(await historyOf(sfn, arn))).toContain('ExecutionRedriven');
  });
});
