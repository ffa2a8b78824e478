import { keys } from '../../contracts/keys';
import type { TableRef } from './client';
import { queryIndexPage } from './shipment-lists';

export interface OrderSearch {
  readonly customerId: string;
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
 * A customer's orders, newest first, optionally in a status and between two dates: one gsi1 partition per
 * customer (written once, at acceptance), so a search reads that customer's orders only, never the table.
 * The status is filtered after the read, so a page may hold fewer than `limit`; `nextToken` goes on.
 */
export async function searchOrders(
  table: TableRef,
  search: OrderSearch,
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
  const items = page.items.map((item) => ({
    orderId: String(item.orderId),
    customerId: String(item.customerId),
    status: String(item.status),
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
    lines: (item.lines ?? []) as FoundOrder['lines'],
  }));
  return { items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
}
