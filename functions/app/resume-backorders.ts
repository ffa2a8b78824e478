import type { SFNClient } from '@aws-sdk/client-sfn';
import type { TableRef } from '../adapters/dynamodb/client';
import { backorderWaiter, closeBackorders } from '../adapters/dynamodb/procurement/backorders';
import { sendTaskSuccess } from '../adapters/sfn/callbacks';
import { BackorderNotParkedError } from '../contracts/errors';

/**
 * Resumes orders whose backorders are now fully allocated (goods received, a return back on sale): each
 * waiting fulfilment re-runs ReserveStock, which finds the holds. An order that has not parked its token yet
 * fails the task with Backorder.NotYetParked, which the ASL retries; the allocation itself is not repeated.
 */
export async function resumeBackorders(
  deps: { readonly table: TableRef; readonly sfn: SFNClient },
  orderIds: readonly string[],
  by: { readonly actor: string; readonly step: string; readonly source: string; readonly now: Date },
): Promise<void> {
  for (const orderId of orderIds) {
    const waiter = await backorderWaiter(deps.table, orderId);
    if (waiter.status === 'BACKORDERED') {
      const sent = waiter.token
        ? await sendTaskSuccess(deps.sfn, waiter.token, { allocated: true, source: by.source })
        : 'stale';
      if (sent === 'stale') throw new BackorderNotParkedError(`order ${orderId} is not waiting yet`);
    }
    await closeBackorders(deps.table, {
      orderId,
      token: waiter.token,
      status: 'RESUMED',
      actor: by.actor,
      step: by.step,
      now: by.now,
    });
  }
}
