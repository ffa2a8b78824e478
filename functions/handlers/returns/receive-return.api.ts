import { createDocumentClient } from '../../adapters/dynamodb/client';
import { createStepFunctionsClient } from '../../adapters/sfn/client';
import { receiveReturn } from '../../app/receive-return';
import { returnView } from '../../app/return-views';
import { returnContracts } from '../../contracts/api-returns';
import { problemCodes } from '../../contracts/errors';
import { returnKeyFor } from '../../contracts/returns';
import { loadFunctionEnvironment } from '../../shared/env';
import { httpHandler } from '../../shared/http';
import { countMetric } from '../../shared/observability';
import { fieldErrorNamed, HttpProblem } from '../../shared/problem';

const environment = loadFunctionEnvironment('receiveReturn');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };
const sfn = createStepFunctionsClient();

/** Staff record a return's goods where they came in, unit by unit (docs/returns.md). */
export const handler = httpHandler(
  returnContracts['POST /returns/{returnId}/received'],
  async ({ params, body, principal }) => {
    // Any store takes returns, but staff only receive at their own location.
    if (principal.role === 'staff' && principal.scope !== body.locationId)
      throw new HttpProblem(
        403,
        problemCodes.forbiddenScope,
        `This API key cannot act for ${body.locationId}.`,
      );
    const key = returnKeyFor(principal, params.returnId);
    const result = key
      ? await receiveReturn({ table, sfn }, { ...key, body, actor: principal.principalId, now: new Date() })
      : ({ kind: 'not-found' } as const);
    switch (result.kind) {
      case 'not-found':
        throw new HttpProblem(404, problemCodes.returnNotFound, `Return ${params.returnId} does not exist.`);
      case 'conflict':
        throw new HttpProblem(409, problemCodes.returnState, result.reason);
      case 'location-refuses':
        throw new HttpProblem(
          422,
          problemCodes.returnStoreNotAccepting,
          `${body.locationId} does not take returns.`,
          [fieldErrorNamed('locationId', 'does not take returns')],
        );
      case 'mismatch':
        throw new HttpProblem(422, problemCodes.receiptMismatch, result.reason, [
          fieldErrorNamed(result.field, result.reason),
        ]);
      default:
        if (result.kind === 'received') countMetric('ReturnReceived');
        return { body: returnView(result.record, params.returnId, principal.role) };
    }
  },
);
