import { TransientError } from '../../../contracts/errors';
import type { OrderLine } from '../../../contracts/schemas';
import { checkLinesWithin } from '../../../core/procurement';
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
import { inboundStock } from './stock-earmarks';

export type SupplierDecision =
  | { readonly kind: 'confirm'; readonly lines: OrderLine[]; readonly eta: string }
  | { readonly kind: 'reject'; readonly reason: string };

export type DecideResult = PurchaseOrderAnswer<'decided'>;

/**
 * A supplier confirms (all or part of each line) or rejects an OPEN purchase order. Repeating the same
 * decision is a replay (answered the same, and the workflow is woken again in case the first call crashed
 * before waking it); any other decision on a decided PO is a conflict.
 */
export async function decidePurchaseOrder(
  table: TableRef,
  input: { poId: string; supplierId: string; decision: SupplierDecision; actor: string; now: Date },
): Promise<DecideResult> {
  for (let attempt = 1; attempt <= decisionAttempts; attempt++) {
    const po = await getPurchaseOrder(table, input.poId);
    if (!po || po.supplierId !== input.supplierId) return { kind: 'not-found' };
    const target = input.decision.kind === 'confirm' ? 'CONFIRMED' : 'REJECTED';
    if (po.status !== 'OPEN') {
      const same =
        po.status === target &&
        (input.decision.kind === 'reject' ||
          JSON.stringify(po.confirmedLines) === JSON.stringify(input.decision.lines));
      if (same)
        return { kind: 'decided', po, ...(po.supplierTaskToken ? { token: po.supplierTaskToken } : {}) };
      return { kind: 'conflict', reason: `purchase order ${po.poId} is ${po.status}` };
    }
    const at = input.now.toISOString();
    let item: TransactItem;
    if (input.decision.kind === 'confirm') {
      const ordered = Object.fromEntries(po.lines.map((line) => [line.sku, line.qty]));
      const check = checkLinesWithin(input.decision.lines, ordered);
      if (!check.ok) return { kind: 'conflict', reason: check.reason };
      item = poUpdate(
        table,
        po,
        'SET #status = :status, confirmedLines = :lines, eta = :eta',
        { ':status': target, ':lines': input.decision.lines, ':eta': input.decision.eta },
        at,
      );
    } else {
      item = poUpdate(
        table,
        po,
        'SET #status = :status, reason = :reason',
        {
          ':status': target,
          ':reason': input.decision.reason,
        },
        at,
      );
    }
    const reason =
      input.decision.kind === 'confirm'
        ? `${po.poId}: ${describeLines(input.decision.lines)}, eta ${input.decision.eta}`
        : `${po.poId}: ${input.decision.reason}`;
    // Confirmed replenishment units are on their way to become available: they count as inbound until received.
    const inbound =
      input.decision.kind === 'confirm' && po.purpose === 'replenishment'
        ? input.decision.lines.map((line) => inboundStock(table, line, po.locationId, line.qty, at))
        : [];
    try {
      await transactWrite(table, 'decidePurchaseOrder', [
        item,
        ...inbound,
        auditPut(table, po, {
          at,
          event: input.decision.kind === 'confirm' ? 'PO_CONFIRMED' : 'PO_REJECTED',
          actor: input.actor,
          step: input.decision.kind === 'confirm' ? 'ConfirmPurchaseOrder' : 'RejectPurchaseOrder',
          reason,
        }),
      ]);
      const decided = { ...po, status: target } as PurchaseOrderRecord;
      return {
        kind: 'decided',
        po: decided,
        ...(po.supplierTaskToken ? { token: po.supplierTaskToken } : {}),
      };
    } catch (error) {
      if (cancellationCodes(error)[0] !== 'ConditionalCheckFailed') throw error;
    }
  }
  throw new TransientError(`purchase order ${input.poId} kept changing`);
}
