import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../contracts/keys';
import type { SkuPolicy, SkuPolicyBody } from '../../contracts/returns';
import type { SkuReturnPolicy } from '../../core/returns';
import { callAws } from '../errors';
import { batchGetItems } from './batch-get';
import type { TableRef } from './client';
import { compact } from './items';

/** Sets a SKU's return policy (the whole policy: a field left out goes back to its default). */
export async function putSkuPolicy(
  table: TableRef,
  sku: string,
  body: SkuPolicyBody,
  now: Date,
): Promise<SkuPolicy> {
  const policy: SkuPolicy = { ...body, sku, updatedAt: now.toISOString() };
  await callAws('putSkuPolicy', () =>
    table.document.send(
      new PutCommand({
        TableName: table.tableName,
        Item: compact({ ...keys.skuPolicy(sku), entity: 'skuPolicy', ...policy }),
      }),
    ),
  );
  return policy;
}

/** The policies of these SKUs, by SKU; a SKU without one is returnable within the default window. */
export async function getSkuPolicies(
  table: TableRef,
  skus: readonly string[],
): Promise<Map<string, SkuReturnPolicy>> {
  const items = await batchGetItems(
    table,
    'getSkuPolicies',
    [...new Set(skus)].map((sku) => keys.skuPolicy(sku)),
  );
  return new Map(
    items.map((item) => [
      String(item.sku),
      {
        returnable: item.returnable === true,
        ...(typeof item.returnWindowDays === 'number' ? { returnWindowDays: item.returnWindowDays } : {}),
      },
    ]),
  );
}
