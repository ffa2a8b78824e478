import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../../contracts/keys';
import { callAws } from '../../errors';
import type { TableRef } from '../client';
import { cancellationCodes, compact, isConditionalCheckFailed, transactWrite } from '../items';
import { type BackorderRecord, backorderRecordSchema, timelinePut } from './purchase-orders';

export async function listBackorders(table: TableRef, orderId: string): Promise<BackorderRecord[]> {
  const page = await callAws('listBackorders', () =>
    table.document.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.orderPartition(orderId), ':prefix': keys.backorderPrefix },
        ConsistentRead: true,
      }),
    ),
  );
  return (page.Items ?? []).map((item) => backorderRecordSchema.parse(item));
}

/** The order's parked fulfilment token (if any) and status. */
export async function backorderWaiter(
  table: TableRef,
  orderId: string,
): Promise<{ status?: string; token?: string }> {
  const { Item } = await callAws('getBackorderToken', () =>
    table.document.send(
      new GetCommand({ TableName: table.tableName, Key: keys.order(orderId), ConsistentRead: true }),
    ),
  );
  return compact({
    status: Item?.status as string | undefined,
    token: Item?.backorderTaskToken as string | undefined,
  });
}

/**
 * After the waiting fulfilment was answered (or the order cancelled): its open backorders move to `status`
 * (RESUMED or WITHDRAWN), each with its timeline entry in the same transaction, conditioned on the backorder
 * still being open, so a re-run (retry, redrive, a cancellation's replay) closes and tells nothing twice. The
 * used token is removed, so a later round never answers a stale token (conditional on the token: idempotent).
 */
export async function closeBackorders(
  table: TableRef,
  input: {
    orderId: string;
    token: string | undefined;
    status: 'RESUMED' | 'WITHDRAWN';
    actor: string;
    step: string;
    now: Date;
  },
): Promise<number> {
  const { orderId, token } = input;
  const at = input.now.toISOString();
  let closed = 0;
  for (const backorder of await listBackorders(table, orderId)) {
    if (backorder.status === 'RESUMED' || backorder.status === 'WITHDRAWN') continue;
    try {
      await transactWrite(table, 'closeBackorder', [
        {
          Update: {
            TableName: table.tableName,
            Key: keys.backorder(orderId, backorder.sku),
            UpdateExpression: 'SET #status = :status, updatedAt = :now',
            ConditionExpression: '#status IN (:waiting, :allocated)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':status': input.status,
              ':waiting': 'WAITING',
              ':allocated': 'ALLOCATED',
              ':now': at,
            },
          },
        },
        timelinePut(table, orderId, {
          at,
          event: `BACKORDER_${input.status}`,
          actor: input.actor,
          step: `${input.step}#${backorder.sku}`,
          reason: `${backorder.allocated} of ${backorder.qty} × ${backorder.sku} allocated`,
        }),
      ]);
      closed++;
    } catch (error) {
      // Closed meanwhile by a concurrent run: it wrote the timeline entry.
      if (cancellationCodes(error)[0] !== 'ConditionalCheckFailed') throw error;
    }
  }
  if (token) await clearBackorderToken(table, orderId, token);
  return closed;
}

/** Removes a used fulfilment token from the order, unless a newer wait has parked another one since. */
export async function clearBackorderToken(table: TableRef, orderId: string, token: string): Promise<void> {
  try {
    await callAws('clearBackorderToken', () =>
      table.document.send(
        new UpdateCommand({
          TableName: table.tableName,
          Key: keys.order(orderId),
          UpdateExpression: 'REMOVE backorderTaskToken',
          ConditionExpression: 'backorderTaskToken = :token',
          ExpressionAttributeValues: { ':token': token },
        }),
      ),
    );
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
}
