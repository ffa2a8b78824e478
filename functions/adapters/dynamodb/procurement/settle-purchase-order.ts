import { orderNotFoundErrorName, WorkflowTaskError } from '../../../contracts/errors';
import type { TableRef } from '../client';
import { cancellationCodes, transactWrite } from '../items';
import { auditPut, getPurchaseOrder, poUpdate } from './purchase-orders';

/**
 * After the supplier's answer did not come in time (or came before the token was parked): closes an OPEN
 * purchase order as EXPIRED, or reports the decision the supplier made meanwhile. Idempotent.
 */
export async function settlePurchaseOrder(
  table: TableRef,
  input: { poId: string; step: string; actor: string; now: Date },
): Promise<{ decision: 'CONFIRMED' | 'REJECTED' | 'EXPIRED' | 'CANCELLED' }> {
  const po = await getPurchaseOrder(table, input.poId);
  if (!po) throw new WorkflowTaskError(orderNotFoundErrorName, `purchase order ${input.poId} does not exist`);
  if (po.status !== 'OPEN') return { decision: po.status === 'RECEIVED' ? 'CONFIRMED' : po.status };
  const at = input.now.toISOString();
  try {
    await transactWrite(table, 'expirePurchaseOrder', [
      poUpdate(table, po, 'SET #status = :expired', { ':expired': 'EXPIRED' }, at),
      auditPut(table, po, {
        at,
        event: 'PO_EXPIRED',
        actor: input.actor,
        step: input.step,
        reason: `${po.poId}: ${po.supplierId} did not answer in time`,
      }),
    ]);
    return { decision: 'EXPIRED' };
  } catch (error) {
    if (cancellationCodes(error)[0] !== 'ConditionalCheckFailed') throw error;
    return settlePurchaseOrder(table, input);
  }
}
