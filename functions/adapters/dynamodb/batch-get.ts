import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { callAws } from '../errors';
import type { TableRef } from './client';

/** BatchGetItem's limit of keys per request. */
const batchGetLimit = 100;

type Key = Record<string, unknown>;

/**
 * Items by key (absent keys are simply missing), 100 keys per request, retrying the keys DynamoDB leaves
 * unprocessed. `consistentRead` for reads that plan conditional writes.
 */
export async function batchGetItems(
  table: TableRef,
  operation: string,
  itemKeys: readonly Key[],
  options: { readonly consistentRead?: boolean } = {},
): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  for (let start = 0; start < itemKeys.length; start += batchGetLimit) {
    let pending: readonly Key[] = itemKeys.slice(start, start + batchGetLimit);
    while (pending.length > 0) {
      const request = {
        [table.tableName]: {
          Keys: [...pending],
          ...(options.consistentRead ? { ConsistentRead: true } : {}),
        },
      };
      const response = await callAws(operation, () =>
        table.document.send(new BatchGetCommand({ RequestItems: request })),
      );
      found.push(...(response.Responses?.[table.tableName] ?? []));
      pending = response.UnprocessedKeys?.[table.tableName]?.Keys ?? [];
    }
  }
  return found;
}
