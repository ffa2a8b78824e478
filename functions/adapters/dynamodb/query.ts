import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { callAws } from '../errors';
import type { TableRef } from './client';

/** Every item a Query matches, following `LastEvaluatedKey` page by page. */
export async function queryAll(
  table: TableRef,
  operation: string,
  input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const exclusiveStartKey = startKey;
    const page = await callAws(operation, () =>
      table.document.send(
        new QueryCommand({ ...input, TableName: table.tableName, ExclusiveStartKey: exclusiveStartKey }),
      ),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}
