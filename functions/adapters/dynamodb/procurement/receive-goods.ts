import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { TransientError } from '../../../contracts/errors';
import { keys } from '../../../contracts/keys';
import type { OrderLine } from '../../../contracts/schemas';
import { checkLinesWithin } from '../../../core/procurement';
import { callAws } from '../../errors';
import type { TableRef } from '../client';
import type { TransactItem } from '../items';
import { cancellationCodes, transactWrite } from '../items';
import {
  auditPut,
  decisionAttempts,
  describeLines,
  getPurchaseOrder,
  type PurchaseOrderAnswer,
  type PurchaseOrderRecord,
  poUpdate,
} from './purchase-orders';
import { receivedStock } from './stock-earmarks';

export type ReceiveResult = PurchaseOrderAnswer<'received'>;

/**
 * Goods received at a location against a CONFIRMED purchase order, possibly in several partial receipts.
 * The units go on hand *and* into `reserved` in the same transaction: they are earmarked for the waiting
 * backorders until AllocateReceipt shares them out, so no new order can take them first.
 */
export async function receiveGoods(
  table: TableRef,
  input: {
    locationId: string;
    poId: string;
    lines: OrderLine[];
    receiptId?: string;
    actor: string;
    now: Date;
  },
): Promise<ReceiveResult> {
  for (let attempt = 1; attempt <= decisionAttempts; attempt++) {
    const po = await getPurchaseOrder(table, input.poId);
    if (!po) return { kind: 'not-found' };
    if (po.locationId !== input.locationId)
      return { kind: 'conflict', reason: `purchase order ${po.poId} is to be received at ${po.locationId}` };
    if (input.receiptId && (await receiptExists(table, po.poId, input.receiptId)))
      return { kind: 'received', po, ...(po.receiptTaskToken ? { token: po.receiptTaskToken } : {}) };
    if (po.status !== 'CONFIRMED')
      return { kind: 'conflict', reason: `purchase order ${po.poId} is ${po.status}, not CONFIRMED` };
    const outstanding = Object.fromEntries(
      (po.confirmedLines ?? []).map((line) => [line.sku, line.qty - (po.received[line.sku] ?? 0)]),
    );
    const check = checkLinesWithin(input.lines, outstanding);
    if (!check.ok) return { kind: 'conflict', reason: check.reason };
    const received = { ...po.received };
    for (const line of input.lines) received[line.sku] = (received[line.sku] ?? 0) + line.qty;
    const complete = (po.confirmedLines ?? []).every((line) => (received[line.sku] ?? 0) >= line.qty);
    const status = complete ? 'RECEIVED' : 'CONFIRMED';
    const at = input.now.toISOString();
    const items: TransactItem[] = [
      poUpdate(
        table,
        po,
        'SET #status = :status, #received = :received',
        {
          ':status': status,
          ':received': received,
        },
        at,
      ),
      ...input.lines.map((line) =>
        receivedStock(table, line, input.locationId, po.purpose === 'replenishment' ? line.qty : 0, at),
      ),
      auditPut(table, po, {
        at,
        event: complete ? 'PO_RECEIVED' : 'PO_PARTIALLY_RECEIVED',
        actor: input.actor,
        step: `ReceiveGoods#${po.version}`,
        reason: `${po.poId} at ${input.locationId}: ${describeLines(input.lines)}`,
      }),
    ];
    if (input.receiptId) {
      items.push({
        Put: {
          TableName: table.tableName,
          Item: { ...keys.receipt(po.poId, input.receiptId), entity: 'receipt', lines: input.lines, at },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    }
    try {
      await transactWrite(table, 'receiveGoods', items);
      const updated = { ...po, status, received } as PurchaseOrderRecord;
      return {
        kind: 'received',
        po: updated,
        ...(po.receiptTaskToken ? { token: po.receiptTaskToken } : {}),
      };
    } catch (error) {
      if (!cancellationCodes(error).includes('ConditionalCheckFailed')) throw error;
    }
  }
  throw new TransientError(`purchase order ${input.poId} kept changing`);
}

async function receiptExists(table: TableRef, poId: string, receiptId: string): Promise<boolean> {
  const { Item } = await callAws('getReceipt', () =>
    table.document.send(
      new GetCommand({
        TableName: table.tableName,
        Key: keys.receipt(poId, receiptId),
        ConsistentRead: true,
      }),
    ),
  );
  return Item !== undefined;
}
