import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../../contracts/keys';
import { callAws } from '../../errors';
import type { TableRef } from '../client';
import { cancellationCodes, transactWrite } from '../items';
import { decisionAttempts, getPurchaseOrder, poUpdate, timelinePut } from './purchase-orders';

/**
 * A cancelled order no longer needs the purchase orders its suppliers have not confirmed yet: each OPEN one
 * becomes CANCELLED (with a timeline entry), conditioned on its version so a supplier's simultaneous answer
 * either wins or is refused, never both. Confirmed ones stand (the goods are coming; on receipt they go to
 * other backorders first, then on sale). Returns the POs cancelled now and the tokens of every cancelled PO
 * whose workflow may still wait on it: waking those again on a replay repairs a crash between the two steps.
 */
export async function cancelOpenPurchaseOrders(
  table: TableRef,
  input: { orderId: string; actor: string; step: string; reason: string; now: Date },
): Promise<{ cancelled: string[]; waitingTokens: string[] }> {
  const cancelled: string[] = [];
  const waitingTokens: string[] = [];
  for (const poId of await orderPurchaseOrderIds(table, input.orderId)) {
    for (let attempt = 1; ; attempt++) {
      const po = await getPurchaseOrder(table, poId);
      if (!po) break;
      if (po.status === 'CANCELLED') {
        if (po.supplierTaskToken) waitingTokens.push(po.supplierTaskToken);
        break;
      }
      if (po.status !== 'OPEN') break;
      const at = input.now.toISOString();
      try {
        await transactWrite(table, 'cancelPurchaseOrder', [
          poUpdate(
            table,
            po,
            'SET #status = :cancelled, reason = :reason',
            {
              ':cancelled': 'CANCELLED',
              ':reason': input.reason,
            },
            at,
          ),
          timelinePut(table, input.orderId, {
            at,
            event: 'PO_CANCELLED',
            actor: input.actor,
            step: `${input.step}#${po.poId}`,
            reason: `${po.poId} to ${po.supplierId}: ${input.reason}`,
          }),
        ]);
        cancelled.push(po.poId);
        if (po.supplierTaskToken) waitingTokens.push(po.supplierTaskToken);
        break;
      } catch (error) {
        // The supplier answered (or the workflow parked its token) meanwhile: re-read and decide again.
        if (cancellationCodes(error)[0] !== 'ConditionalCheckFailed' || attempt >= decisionAttempts)
          throw error;
      }
    }
  }
  return { cancelled, waitingTokens };
}

async function orderPurchaseOrderIds(table: TableRef, orderId: string): Promise<string[]> {
  const page = await callAws('listOrderPurchaseOrders', () =>
    table.document.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': keys.orderPartition(orderId),
          ':prefix': keys.orderPurchaseOrderPrefix,
        },
        ConsistentRead: true,
      }),
    ),
  );
  return (page.Items ?? []).map((item) => String(item.poId));
}
