/**
 * What an execution is about, from its workflow and name (docs/operations.md, "Execution names"): fulfilment
 * runs are named after the order, procurement after the order (or a replenishment), dispatch after the
 * shipment and returns after the return, each of which starts with its order's id.
 */
export interface BelongsTo {
  readonly kind: 'order' | 'shipment' | 'return' | 'replenishment';
  readonly id: string;
  readonly orderId?: string;
}

export function belongsTo(workflow: string, executionId: string): BelongsTo {
  if (workflow === 'procurement') {
    if (executionId.startsWith('replenish-')) return { kind: 'replenishment', id: executionId };
    const orderId = executionId.replace(/-procure-\d+$/, '');
    return { kind: 'order', id: orderId, orderId };
  }
  if (workflow === 'dispatch')
    return { kind: 'shipment', id: executionId, orderId: executionId.replace(/-\d+-\d+$/, '') };
  if (workflow === 'returns')
    return { kind: 'return', id: executionId, orderId: executionId.replace(/-r\d+$/, '') };
  return { kind: 'order', id: executionId, orderId: executionId };
}
