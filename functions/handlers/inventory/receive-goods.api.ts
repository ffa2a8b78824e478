import { createDocumentClient } from '../../adapters/dynamodb/client';
import { receiveGoods } from '../../adapters/dynamodb/procurement/receive-goods';
import { sendTaskSuccess } from '../../adapters/sfn/callbacks';
import { createStepFunctionsClient } from '../../adapters/sfn/client';
import { inventoryContracts } from '../../contracts/api-inventory';
import { problemCodes } from '../../contracts/errors';
import { loadFunctionEnvironment } from '../../shared/env';
import { httpHandler } from '../../shared/http';
import { HttpProblem } from '../../shared/problem';

const environment = loadFunctionEnvironment('receiveGoods');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };
const sfn = createStepFunctionsClient();

/** Books the goods in, then wakes the procurement workflow to share them out (or it finds them when it parks). */
export const handler = httpHandler(
  inventoryContracts['POST /locations/{locationId}/receipts'],
  async ({ params, body, principal }) => {
    const result = await receiveGoods(table, {
      locationId: params.locationId,
      poId: body.poId,
      lines: body.lines,
      ...(body.receiptId ? { receiptId: body.receiptId } : {}),
      actor: principal.principalId,
      now: new Date(),
    });
    if (result.kind === 'not-found') {
      throw new HttpProblem(
        404,
        problemCodes.purchaseOrderNotFound,
        `Purchase order ${body.poId} does not exist.`,
      );
    }
    if (result.kind === 'conflict')
      throw new HttpProblem(409, problemCodes.purchaseOrderState, result.reason);
    if (result.token) await sendTaskSuccess(sfn, result.token, { received: true });
    return { body: { poId: result.po.poId, status: result.po.status, received: body.lines } };
  },
);
