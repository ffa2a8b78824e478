import * as z from 'zod';
import { createDocumentClient } from '../../adapters/dynamodb/client';
import { createStepFunctionsClient } from '../../adapters/sfn/client';
import { disposeReturn } from '../../app/dispose-return';
import { closeReturn, settleReturnWait } from '../../app/return-steps';
import { loadFunctionEnvironment } from '../../shared/env';
import { taskHandler } from '../../shared/task';

const environment = loadFunctionEnvironment('returnStep');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };
const sfn = createStepFunctionsClient();

const inputSchema = z.object({
  orderId: z.string(),
  number: z.number().int().positive(),
  step: z.enum(['SettleWait', 'Dispose', 'CloseReturn']),
});

/** The returns workflow's Lambda steps (workflows/returns/returns.asl.json), each answering the return's step. */
export const handler = taskHandler(inputSchema, async (input) => {
  const target = { orderId: input.orderId, number: input.number, now: new Date() };
  if (input.step === 'SettleWait') return settleReturnWait(table, target);
  if (input.step === 'CloseReturn') return closeReturn(table, target);
  return disposeReturn(
    {
      table,
      sfn,
      fulfilmentStateMachineArn: environment.FULFILMENT_STATE_MACHINE_ARN,
      holdMinutes: environment.RESERVATION_HOLD_MINUTES,
    },
    target,
  );
});
