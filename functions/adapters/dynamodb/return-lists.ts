import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { keys } from '../../contracts/keys';
import type { ReturnStatus } from '../../contracts/returns';
import { callAws } from '../errors';
import { batchGetItems } from './batch-get';
import type { TableRef } from './client';
import { type ReturnRecord, returnRecordSchema } from './returns';
import { decodePageToken, InvalidTaskPageToken, queryIndexPage } from './shipment-lists';

/** A page token of the by-status listing: the last key there, checked to be one of that status's. */
const statusTokenSchema = z.strictObject({
  pk: z.string().startsWith('ORDER#'),
  sk: z.string().startsWith(keys.orderReturnPrefix),
  gsi2pk: z.string(),
  gsi2sk: z.string(),
});

export { InvalidTaskPageToken as InvalidReturnPageToken };

/**
 * Returns for operations (docs/returns.md), a page at a time: those in one status, longest unchanged first
 * (through the keys-only gsi2, then read in one batch), or those whose refund the channel reported failed
 * (through the sparse gsi1 attention partition). Never a scan.
 */
export async function listReturns(
  table: TableRef,
  query: {
    readonly status?: ReturnStatus | undefined;
    readonly attention: boolean;
    readonly limit: number;
    readonly nextToken?: string | undefined;
  },
): Promise<{ items: ReturnRecord[]; nextToken?: string }> {
  const page = { limit: query.limit, ...(query.nextToken ? { nextToken: query.nextToken } : {}) };
  if (query.attention) {
    const found = await queryIndexPage(table, keys.returnAttentionPartition, page, 'listReturnAttention');
    const items = found.items
      .map((item) => returnRecordSchema.parse(item))
      .filter((record) => record.status === 'REFUND_PENDING' && record.refundState === 'failed')
      .filter((record) => !query.status || record.status === query.status);
    return { items, ...(found.nextToken ? { nextToken: found.nextToken } : {}) };
  }
  const partition = keys.returnsByStatusPartition(query.status ?? 'REQUESTED');
  const startKey = query.nextToken ? decodeToken(query.nextToken, partition) : undefined;
  const result = await callAws('listReturns', () =>
    table.document.send(
      new QueryCommand({
        TableName: table.tableName,
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': partition },
        Limit: query.limit,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    ),
  );
  // The index holds keys only; the returns are read in one batch, in the index's order. One that moved on
  // between the two reads is left out.
  const found = await batchGetItems(
    table,
    'listReturns',
    (result.Items ?? []).map((item) => ({ pk: item.pk, sk: item.sk })),
  );
  const byKey = new Map(
    found.map((item) => [`${String(item.pk)}|${String(item.sk)}`, returnRecordSchema.parse(item)]),
  );
  const items = (result.Items ?? []).flatMap((key) => {
    const record = byKey.get(`${String(key.pk)}|${String(key.sk)}`);
    return record && record.status === query.status ? [record] : [];
  });
  const last = result.LastEvaluatedKey;
  return { items, ...(last ? { nextToken: Buffer.from(JSON.stringify(last)).toString('base64url') } : {}) };
}

const decodeToken = (token: string, partition: string): Record<string, unknown> =>
  decodePageToken(token, statusTokenSchema, (key) => key.gsi2pk === partition);
