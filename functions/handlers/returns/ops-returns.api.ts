import { createDocumentClient } from '../../adapters/dynamodb/client';
import { InvalidReturnPageToken, listReturns } from '../../adapters/dynamodb/return-lists';
import { returnView } from '../../app/return-views';
import { returnContracts } from '../../contracts/api-returns';
import { loadFunctionEnvironment } from '../../shared/env';
import { httpHandler } from '../../shared/http';
import { pageTokenProblem } from '../../shared/problem';

const environment = loadFunctionEnvironment('opsReturns');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

/** Ops: the returns in one status, or those whose refund needs attention (docs/returns.md). */
export const handler = httpHandler(returnContracts['GET /ops/returns'], async ({ query, principal }) => {
  try {
    const page = await listReturns(table, { ...query, attention: query.attention === 'true' });
    return {
      body: {
        items: page.items.map((record) => returnView(record, record.returnId, principal.role)),
        ...(page.nextToken ? { nextToken: page.nextToken } : {}),
      },
    };
  } catch (error) {
    if (error instanceof InvalidReturnPageToken) throw pageTokenProblem(error.message);
    throw error;
  }
});
