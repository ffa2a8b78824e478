import type { SFNClient } from '@aws-sdk/client-sfn';
import type { TableRef } from '../adapters/dynamodb/client';
import { changeReturn, getReturn, type ReturnRecord } from '../adapters/dynamodb/returns';
import { sendTaskSuccess } from '../adapters/sfn/callbacks';
import type { TrackingEventBody } from '../contracts/carriers';
import { TransientError } from '../contracts/errors';
import { splitReturnId } from '../contracts/return-status';
import { returnStepAnswer } from '../core/returns';

export type ReturnPickupEventResult =
  | {
      readonly kind: 'applied' | 'replay';
      readonly shipmentId: string;
      readonly status: ReturnRecord['status'];
    }
  | { readonly kind: 'not-booked' };

/**
 * A carrier's tracking webhook about a return it collects (docs/returns.md), once it verified: `picked_up`
 * puts the return IN_TRANSIT; `delivered` (at the location it works for) opens the inspect task there, and
 * the goods wait for staff to receive them; any other event is kept on the timeline. Only the carrier the
 * pickup was booked with may report it. A replayed webhook-id changes nothing; each change is conditioned on
 * the return's version, and wakes its workflow when the status moved.
 */
export async function recordReturnPickupEvent(
  deps: { readonly table: TableRef; readonly sfn: SFNClient },
  input: {
    readonly carrierId: string;
    readonly webhookId: string;
    readonly event: TrackingEventBody;
    readonly now: Date;
  },
): Promise<ReturnPickupEventResult> {
  const named = splitReturnId(input.event.shipmentId);
  const orderId = named?.orderReference;
  for (let attempt = 1; attempt <= 5; attempt++) {
    const record = orderId && named ? await getReturn(deps.table, orderId, named.number) : undefined;
    if (!record || record.pickup?.carrierId !== input.carrierId) return { kind: 'not-booked' };
    const seen = record.carrierWebhookIds ?? [];
    if (seen.includes(input.webhookId))
      return { kind: 'replay', shipmentId: record.returnId, status: record.status };
    const waiting = record.status === 'REQUESTED' || record.status === 'IN_TRANSIT';
    const { type } = input.event;
    const status = waiting && (type === 'picked_up' || type === 'delivered') ? 'IN_TRANSIT' : record.status;
    const pickup =
      type === 'delivered' && waiting ? { ...record.pickup, arrivedAt: input.event.at } : record.pickup;
    const changed = await changeReturn(deps.table, record, {
      set: { carrierWebhookIds: [...seen, input.webhookId], pickup },
      status,
      step: `Courier.${type}`,
      actor: `carrier:${input.carrierId}`,
      at: input.now.toISOString(),
      reason: `${record.returnId}: ${type}${input.event.reason ? ` (${input.event.reason})` : ''}`,
    });
    if (!changed) continue;
    const moved = { ...record, status, pickup };
    if (status !== record.status && record.taskToken)
      await sendTaskSuccess(deps.sfn, record.taskToken, returnStepAnswer(moved, input.now));
    return { kind: 'applied', shipmentId: record.returnId, status };
  }
  throw new TransientError(
    `return ${input.event.shipmentId} kept changing while a carrier event was applied`,
  );
}
