import type { SFNClient } from '@aws-sdk/client-sfn';
import type { TableRef } from '../adapters/dynamodb/client';
import { getLocation } from '../adapters/dynamodb/locations';
import { changeReturn, getReturn, type ReturnRecord } from '../adapters/dynamodb/returns';
import { sendTaskSuccess } from '../adapters/sfn/callbacks';
import { TransientError } from '../contracts/errors';
import type { ReceiveReturnBody } from '../contracts/returns';
import { inspectReceipt, returnStepAnswer } from '../core/returns';

export type ReceiveReturnResult =
  | { readonly kind: 'received' | 'replayed'; readonly record: ReturnRecord }
  | { readonly kind: 'not-found' }
  /** It is no longer waiting for its goods (received elsewhere, expired). */
  | { readonly kind: 'conflict'; readonly reason: string }
  | { readonly kind: 'location-refuses' }
  | { readonly kind: 'mismatch'; readonly field: string; readonly reason: string };

const attempts = 5;

/**
 * Staff record a return's goods at their location, each unit's condition as they found it (docs/returns.md).
 * The receipt is written conditioned on the return's version, then its returns workflow is woken with the
 * new status; if the workflow had not parked yet, its park finds the return moved on and reads it. Posting
 * the same receipt again (same location) answers the return as it is.
 */
export async function receiveReturn(
  deps: { readonly table: TableRef; readonly sfn: SFNClient },
  input: {
    readonly orderId: string;
    readonly number: number;
    readonly body: ReceiveReturnBody;
    readonly actor: string;
    readonly now: Date;
  },
): Promise<ReceiveReturnResult> {
  const { locationId } = input.body;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const record = await getReturn(deps.table, input.orderId, input.number);
    if (!record) return { kind: 'not-found' };
    if (record.status !== 'REQUESTED' && record.status !== 'IN_TRANSIT')
      return record.receivedLocationId === locationId
        ? { kind: 'replayed', record }
        : { kind: 'conflict', reason: `return ${record.returnId} is ${record.status}` };
    const location = await getLocation(deps.table, locationId);
    if (!location || location.acceptsReturns === false) return { kind: 'location-refuses' };
    const inspection = inspectReceipt(record.lines, input.body.lines);
    if ('refusal' in inspection) return { kind: 'mismatch', ...inspection.refusal };
    const at = input.now.toISOString();
    const counts = (condition: 'resellable' | 'damaged' | 'missing') =>
      inspection.inspected.reduce((sum, line) => sum + line[condition], 0);
    const received: ReturnRecord = {
      ...record,
      status: 'RECEIVED',
      receivedLocationId: locationId,
      receivedAt: at,
      receivedBy: input.actor,
      inspected: inspection.inspected,
    };
    const changed = await changeReturn(deps.table, record, {
      set: {
        receivedLocationId: locationId,
        receivedAt: at,
        receivedBy: input.actor,
        inspected: inspection.inspected,
      },
      status: 'RECEIVED',
      step: 'ReceiveReturn',
      actor: input.actor,
      at,
      reason: `${record.returnId} at ${locationId}: ${counts('resellable')} resellable, ${counts('damaged')} damaged, ${counts('missing')} missing`,
    });
    if (!changed) continue;
    if (record.taskToken)
      await sendTaskSuccess(deps.sfn, record.taskToken, returnStepAnswer(received, input.now));
    return { kind: 'received', record: received };
  }
  throw new TransientError(`return ${input.orderId}-r${input.number} kept changing while it was received`);
}
