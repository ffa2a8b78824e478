import type { SFNClient } from '@aws-sdk/client-sfn';
import type { TableRef } from '../adapters/dynamodb/client';
import { changeReturn, getReturn, type ReturnChange, type ReturnRecord } from '../adapters/dynamodb/returns';
import { sendTaskSuccess } from '../adapters/sfn/callbacks';
import { TransientError } from '../contracts/errors';
import type { RefundAnswerBody } from '../contracts/returns';
import { returnStepAnswer } from '../core/returns';

export type RefundStepResult =
  | { readonly kind: 'answered' | 'replayed'; readonly record: ReturnRecord }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'conflict'; readonly reason: string };

type Deps = { readonly table: TableRef; readonly sfn: SFNClient };
type Target = {
  readonly orderId: string;
  readonly number: number;
  readonly actor: string;
  readonly now: Date;
};

/**
 * A move of a return's refund (docs/returns.md): decided on the return as read, written conditioned on its
 * version (a race reads again), and the waiting workflow woken with the return's new step. `decide` says
 * what to write, that the move was already made (a repeat: answered as it is), or why it cannot be made.
 */
async function moveRefund(
  deps: Deps,
  target: Target,
  decide: (record: ReturnRecord, at: string) => ReturnChange | 'done' | { readonly conflict: string },
): Promise<RefundStepResult> {
  for (let attempt = 1; attempt <= 5; attempt++) {
    const record = await getReturn(deps.table, target.orderId, target.number);
    if (!record) return { kind: 'not-found' };
    const decision = decide(record, target.now.toISOString());
    if (decision === 'done') return { kind: 'replayed', record };
    if ('conflict' in decision) return { kind: 'conflict', reason: decision.conflict };
    if (!(await changeReturn(deps.table, record, decision))) continue;
    const moved = { ...record, ...decision.set, status: decision.status } as ReturnRecord;
    if (record.taskToken)
      await sendTaskSuccess(deps.sfn, record.taskToken, returnStepAnswer(moved, target.now));
    return { kind: 'answered', record: moved };
  }
  throw new TransientError(`return ${target.orderId}-r${target.number} kept changing while its refund moved`);
}

/**
 * The channel's answer to refund.requested: succeeded makes the return REFUNDED (the workflow closes it);
 * failed leaves it REFUND_PENDING with the refund needing attention, listed for ops to retry. The same answer
 * again is a repeat.
 */
export function answerRefund(deps: Deps, target: Target & { readonly body: RefundAnswerBody }) {
  const { body } = target;
  return moveRefund(deps, target, (record, at) => {
    // A refund reported failed may still succeed (the channel's own retry went through): that answer stands.
    const asked =
      record.status === 'REFUND_PENDING' &&
      (record.refundState === 'requested' ||
        (record.refundState === 'failed' && body.status === 'succeeded'));
    if (!asked) {
      const repeat =
        body.status === 'succeeded'
          ? record.refundState === 'succeeded' && record.refund?.reference === body.reference
          : record.refundState === 'failed';
      return repeat ? 'done' : { conflict: `return ${record.returnId} has no refund waiting for an answer` };
    }
    const refund = { ...record.refund, ...(body.reference ? { reference: body.reference } : {}) };
    return body.status === 'succeeded'
      ? {
          set: { refund, refundState: 'succeeded' },
          status: 'REFUNDED',
          step: 'RefundSucceeded',
          actor: target.actor,
          at,
        }
      : {
          set: { refund, refundState: 'failed' },
          status: 'REFUND_PENDING',
          step: 'RefundFailed',
          actor: target.actor,
          at,
          answersWait: true,
          reason: `${record.returnId}: the channel could not refund${body.reference ? ` (${body.reference})` : ''}`,
        };
  });
}

/** Ops ask the channel again for a refund it reported failed: a new attempt, a new refund.requested. */
export function retryRefund(deps: Deps, target: Target) {
  return moveRefund(deps, target, (record, at) => {
    if (record.status === 'REFUND_PENDING' && record.refundState === 'requested') return 'done';
    if (record.status !== 'REFUND_PENDING' || record.refundState !== 'failed')
      return { conflict: `return ${record.returnId} has no failed refund to retry` };
    return {
      set: { refundState: 'requested', refundAttempt: (record.refundAttempt ?? 1) + 1 },
      status: 'REFUND_PENDING',
      step: 'RetryRefund',
      actor: target.actor,
      at,
      answersWait: true,
    };
  });
}
