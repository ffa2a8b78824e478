import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TableRef } from '../../functions/adapters/dynamodb/client';
import { searchOrders } from '../../functions/adapters/dynamodb/order-search';
import { acceptOrder } from '../../functions/adapters/dynamodb/orders';
import { keys } from '../../functions/contracts/keys';
import { createTestTable } from '../support/dynamodb';

/**
 * Order search on DynamoDB Local, through the indexes acceptOrder writes: a customer's orders (gsi1) and a
 * period's (gsi2, a partition per day), newest first, narrowed by status, page after page.
 */
let table: TableRef;

/** Six orders over three days: two customers; bob's are moved on to RESERVED. */
const placed = [
  { id: 'web.a1', customer: 'alice', at: '2026-11-28T09:00:00.000Z' },
  { id: 'web.b1', customer: 'bob', at: '2026-11-28T10:00:00.000Z' },
  { id: 'web.a2', customer: 'alice', at: '2026-11-29T09:00:00.000Z' },
  { id: 'web.b2', customer: 'bob', at: '2026-11-30T08:00:00.000Z' },
  { id: 'web.a3', customer: 'alice', at: '2026-11-30T09:00:00.000Z' },
  { id: 'web.b3', customer: 'bob', at: '2026-11-30T10:00:00.000Z' },
];

beforeAll(async () => {
  const created = await createTestTable();
  table = { document: created.document, tableName: created.tableName };
  for (const [index, order] of placed.entries()) {
    await acceptOrder(table, {
      principalId: 'channel:web',
      idempotencyKey: order.id,
      requestHash: order.id,
      orderId: order.id,
      channelOrderId: order.id.slice(4),
      body: {
        customerId: order.customer,
        fulfilment: { type: 'pickup', storeId: 'S1' },
        lines: [{ sku: 'K', qty: 1 }],
      } as never,
      now: new Date(order.at),
    });
    if (index % 2 === 1)
      await table.document.send(
        new UpdateCommand({
          TableName: table.tableName,
          Key: keys.order(order.id),
          UpdateExpression: 'SET #status = :status',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': 'RESERVED' },
        }),
      );
  }
});

const ids = (found: { items: { orderId: string }[] }) => found.items.map((order) => order.orderId);

describe('order search', () => {
  it("finds a customer's orders newest first, between two dates, in a status", async () => {
    expect(ids(await searchOrders(table, { customerId: 'alice', limit: 10 }))).toEqual([
      'web.a3',
      'web.a2',
      'web.a1',
    ]);
    expect(
      ids(
        await searchOrders(table, { customerId: 'alice', from: '2026-11-29', to: '2026-11-29', limit: 10 }),
      ),
    ).toEqual(['web.a2']);
    expect(ids(await searchOrders(table, { customerId: 'bob', status: 'RESERVED', limit: 10 }))).toEqual([
      'web.b3',
      'web.b2',
      'web.b1',
    ]);
    expect(ids(await searchOrders(table, { customerId: 'alice', status: 'RESERVED', limit: 10 }))).toEqual(
      [],
    );
    // Page after page: the token of a customer's page leads to the next one.
    const first = await searchOrders(table, { customerId: 'alice', limit: 2 });
    expect(ids(first)).toEqual(['web.a3', 'web.a2']);
    const second = await searchOrders(table, {
      customerId: 'alice',
      limit: 2,
      nextToken: first.nextToken ?? '',
    });
    expect(ids(second)).toEqual(['web.a1']);
  });

  it("finds a period's orders across days, newest first, in a status, page after page", async () => {
    const all = await searchOrders(table, { from: '2026-11-28', to: '2026-11-30', limit: 10 });
    expect(ids(all)).toEqual(['web.b3', 'web.a3', 'web.b2', 'web.a2', 'web.b1', 'web.a1']);
    expect(all.nextToken).toBeUndefined();
    const reserved = await searchOrders(table, {
      from: '2026-11-28',
      to: '2026-11-30',
      status: 'RESERVED',
      limit: 10,
    });
    expect(ids(reserved)).toEqual(['web.b3', 'web.b2', 'web.b1']);
    const pages: string[][] = [];
    let nextToken: string | undefined;
    do {
      const page = await searchOrders(table, {
        from: '2026-11-28',
        to: '2026-11-30',
        limit: 2,
        ...(nextToken ? { nextToken } : {}),
      });
      pages.push(ids(page));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(pages.flat()).toEqual(ids(all));
    expect(pages[0]).toEqual(['web.b3', 'web.a3']);
    // Only today by default: none of these.
    expect(ids(await searchOrders(table, { to: '2026-11-27', limit: 10 }))).toEqual([]);
  });

  it('refuses a page token it did not issue, or one outside the period', async () => {
    await expect(searchOrders(table, { to: '2026-11-30', limit: 1, nextToken: 'nope' })).rejects.toThrow(
      'nextToken',
    );
    const token = Buffer.from(JSON.stringify({ day: '2026-12-25' })).toString('base64url');
    await expect(searchOrders(table, { to: '2026-11-30', limit: 1, nextToken: token })).rejects.toThrow(
      'nextToken',
    );
  });
});
