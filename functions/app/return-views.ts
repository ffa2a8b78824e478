import type { ReturnRecord } from '../adapters/dynamodb/returns';
import { splitOrderId } from '../contracts/order-ids';

/**
 * A return as `GET /returns/{returnId}` shows it (contracts/returns.ts returnViewSchema): named as the caller
 * named it, its order by the channel's own id for a channel and the system-wide id for everyone else.
 */
export function returnView(record: ReturnRecord, shownReturnId: string, callerRole: string) {
  const channelOrderId = splitOrderId(record.orderId)?.channelOrderId ?? record.orderId;
  return {
    returnId: shownReturnId,
    orderId: callerRole === 'channel' ? channelOrderId : record.orderId,
    status: record.status,
    method: record.method,
    lines: record.lines,
    rmaCode: record.rmaCode,
    dropOffBy: record.dropOffBy,
    ...(record.storeId ? { storeId: record.storeId } : {}),
    ...(record.exchange ? { exchange: record.exchange } : {}),
    ...(record.receivedAt ? { receivedAt: record.receivedAt } : {}),
    ...(record.inspected
      ? {
          inspected: record.inspected.map(({ sku, resellable, damaged, missing }) => ({
            sku,
            resellable,
            damaged,
            missing,
          })),
        }
      : {}),
    ...(record.refund && record.refundState
      ? { refund: { ...record.refund, status: record.refundState } }
      : {}),
    ...(record.replacementOrderId
      ? {
          replacementOrderId:
            callerRole === 'channel'
              ? (splitOrderId(record.replacementOrderId)?.channelOrderId ?? record.replacementOrderId)
              : record.replacementOrderId,
        }
      : {}),
    ...(record.pickup?.destinationLocationId
      ? {
          pickup: {
            destinationLocationId: record.pickup.destinationLocationId,
            ...(record.pickup.carrierId ? { carrierId: record.pickup.carrierId } : {}),
            ...(record.pickup.trackingNumber ? { trackingNumber: record.pickup.trackingNumber } : {}),
            ...(record.pickup.arrivedAt ? { arrivedAt: record.pickup.arrivedAt } : {}),
            ...(record.pickup.failed ? { failed: record.pickup.failed } : {}),
          },
        }
      : {}),
    timeline: record.events,
  };
}
