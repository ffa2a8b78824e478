import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { keys } from '../../contracts/keys';
import { callAws } from '../errors';
import { batchGetItems } from './batch-get';
import type { TableRef } from './client';
import { decodePageToken, queryIndexPage } from './shipment-lists';

export interface OrderSearch {
  readonly customerId?: string;
  readonly status?: string;
  /** UTC dates, inclusive. */
  readonly from?: string;
  readonly to?: string;
  readonly limit: number;
  readonly nextToken?: string;
}

export interface FoundOrder {
  readonly orderId: string;
  readonly customerId: string;
  readonly status: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly lines: readonly { sku: string; qty: number }[];
}

/**
 * Orders newest first, of a customer or of a period, never by scanning the table. A customer's: one gsi1
 * partition per customer (written once, at acceptance), between two dates; a status is filtered after the
 * read, so a page may hold fewer than `limit` (`nextToken` goes on). A period's: searchOrdersByDay.
 */
export async function searchOrders(
  table: TableRef,
  search: OrderSearch,
): Promise<{ items: FoundOrder[]; nextToken?: string }> {
  return search.customerId
    ? searchOrdersOfCustomer(table, { ...search, customerId: search.customerId })
    : searchOrdersByDay(table, search);
}

async function searchOrdersOfCustomer(
  table: TableRef,
  search: OrderSearch & { readonly customerId: string },
): Promise<{ items: FoundOrder[]; nextToken?: string }> {
  const partition = keys.ordersOfCustomer(search.customerId, '', '').gsi1pk;
  const page = await queryIndexPage(
    table,
    partition,
    { limit: search.limit, ...(search.nextToken ? { nextToken: search.nextToken } : {}) },
    'searchOrders',
    {
      between: [search.from ?? '0000', `${search.to ?? '9999-12-31'}~`],
      newestFirst: true,
      ...(search.status
        ? {
            where: {
              expression: '#status = :status',
              names: { '#status': 'status' },
              values: { ':status': search.status },
            },
          }
        : {}),
    },
  );
  return { items: page.items.map(foundOrder), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
}

const foundOrder = (item: Record<string, unknown>): FoundOrder => ({
  orderId: String(item.orderId),
  customerId: String(item.customerId),
  status: String(item.status),
  createdAt: String(item.createdAt),
  updatedAt: String(item.updatedAt),
  lines: (item.lines ?? []) as FoundOrder['lines'],
});

/** Where a search by day goes on: the day, and the last index key read in it. */
const dayCursorSchema = z.object({
  day: z.iso.date(),
  key: z.object({ pk: z.string(), sk: z.string(), gsi2pk: z.string(), gsi2sk: z.string() }).optional(),
});

/**
 * Orders of a period, newest first: one keys-only gsi2 partition per UTC day, read from `to` back to `from`,
 * the orders then read in a batch (a status narrows them after that read). A page ends once `limit` orders
 * are found; its token names the day and the last key read, so the next page goes on from there.
 */
async function searchOrdersByDay(
  table: TableRef,
  search: OrderSearch,
): Promise<{ items: FoundOrder[]; nextToken?: string }> {
  const toDay = search.to ?? new Date().toISOString().slice(0, 10);
  const fromDay = search.from ?? toDay;
  let cursor: z.infer<typeof dayCursorSchema> | undefined = search.nextToken
    ? decodeDayCursor(search.nextToken, fromDay, toDay)
    : { day: toDay };
  const items: FoundOrder[] = [];
  while (cursor && items.length < search.limit) {
    const { day, key }: z.infer<typeof dayCursorSchema> = cursor;
    const page = await callAws('searchOrdersByDay', () =>
      table.document.send(
        new QueryCommand({
          TableName: table.tableName,
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.ordersOfDay(day, '').gsi2pk },
          ScanIndexForward: false,
          Limit: search.limit - items.length,
          ...(key ? { ExclusiveStartKey: key } : {}),
        }),
      ),
    );
    const orders = await batchGetItems(
      table,
      'searchOrdersByDay',
      (page.Items ?? []).map((item) => ({ pk: item.pk, sk: item.sk })),
    );
    const byKey = new Map(orders.map((order) => [String(order.pk), order]));
    for (const indexed of page.Items ?? []) {
      const order = byKey.get(String(indexed.pk));
      if (order && (!search.status || order.status === search.status)) items.push(foundOrder(order));
    }
    const last = page.LastEvaluatedKey as z.infer<typeof dayCursorSchema>['key'];
    const previousDay = new Date(Date.parse(day) - 86_400_000).toISOString().slice(0, 10);
    cursor = last ? { day, key: last } : previousDay >= fromDay ? { day: previousDay } : undefined;
  }
  return {
    items,
    ...(cursor ? { nextToken: Buffer.from(JSON.stringify(cursor)).toString('base64url') } : {}),
  };
}

const decodeDayCursor = (token: string, fromDay: string, toDay: string) =>
  decodePageToken(
    token,
    dayCursorSchema,
    ({ day, key }) =>
      day >= fromDay && day <= toDay && (!key || key.gsi2pk === keys.ordersOfDay(day, '').gsi2pk),
  );
