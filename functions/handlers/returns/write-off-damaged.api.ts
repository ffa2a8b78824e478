import { createDocumentClient } from '../../adapters/dynamodb/client';
import { writeOffDamaged } from '../../adapters/dynamodb/damaged-stock';
import { returnContracts } from '../../contracts/api-returns';
import { problemCodes } from '../../contracts/errors';
import { loadFunctionEnvironment } from '../../shared/env';
import { httpHandler } from '../../shared/http';
import { requireIdempotencyKey } from '../../shared/idempotency';
import { fieldErrorNamed, HttpProblem } from '../../shared/problem';

const environment = loadFunctionEnvironment('writeOffDamaged');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

/** Staff (of that location) or ops clear damaged units with a reason; the same Idempotency-Key is a repeat. */
export const handler = httpHandler(
  returnContracts['POST /locations/{locationId}/damaged/{sku}/write-off'],
  async ({ params, body, principal, headers }) => {
    const idempotencyKey = requireIdempotencyKey(headers);
    const result = await writeOffDamaged(table, {
      ...params,
      ...body,
      actor: principal.principalId,
      idempotencyKey,
      now: new Date(),
    });
    if (result.kind === 'too-many')
      throw new HttpProblem(
        422,
        problemCodes.damagedBelowWriteOff,
        `${params.locationId} holds fewer than ${body.qty} damaged × ${params.sku}.`,
        [fieldErrorNamed('qty', 'more than the damaged figure')],
      );
    return {
      body: { locationId: params.locationId, sku: params.sku, writtenOff: body.qty, damaged: result.damaged },
    };
  },
);
