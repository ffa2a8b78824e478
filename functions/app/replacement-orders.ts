import type { SFNClient } from '@aws-sdk/client-sfn';
import type { TableRef } from '../adapters/dynamodb/client';
import { acceptOrder, type OrderRecord, orderCreatedBy } from '../adapters/dynamodb/orders';
import type { ReturnRecord } from '../adapters/dynamodb/returns';
import { startNamedExecution } from '../adapters/sfn/executions';
import { channelOrderIdSchema, orderIdOf, splitOrderId } from '../contracts/order-ids';
import { canonicalJson, sha256Hex } from '../shared/hash';
import { returnsActor } from './return-steps';

/**
 * The price of each replacement SKU: the exchange line's own, else what the order paid for that SKU. An order
 * without prices has unpriced replacements (the request refuses an exchange it cannot price, docs/returns.md).
 */
export function replacementPrices(record: ReturnRecord, order: OrderRecord): Map<string, number> {
  const paid = new Map(order.lines.map((line) => [line.sku, line.unitPrice]));
  const prices = new Map<string, number>();
  for (const line of record.exchange ?? []) {
    const price = line.unitPrice ?? paid.get(line.sku);
    if (order.currency && price !== undefined) prices.set(line.sku, price);
  }
  return prices;
}

/**
 * The channel's names a return's replacement order may take, in order: `<its order id>-x<n>` (or, when that
 * would be longer than a channel order id may be, a shortened one made unique by a hash of the original),
 * then a hashed one, for when the channel already named an order of its own like that.
 */
export function replacementChannelOrderIds(record: ReturnRecord): string[] {
  const original = splitOrderId(record.orderId)?.channelOrderId ?? record.orderId;
  const suffix = `-x${record.number}`;
  const plain = `${original}${suffix}`;
  const hashed = `${original.slice(0, 24)}-${sha256Hex(record.orderId).slice(0, 12)}${suffix}`;
  return channelOrderIdSchema.safeParse(plain).success ? [plain, hashed] : [hashed];
}

/**
 * Creates a return's replacement order exactly once, as its channel would have (same customer, same
 * fulfilment), and starts its fulfilment. The order's id and the idempotency key are the return's own, so a
 * retry or a redrive finds the same order and the same execution; an order of that name the channel made
 * itself is never taken for it (the next name is used).
 */
export async function createReplacementOrder(
  deps: { readonly table: TableRef; readonly sfn: SFNClient; readonly fulfilmentStateMachineArn: string },
  input: { readonly record: ReturnRecord; readonly order: OrderRecord; readonly now: Date },
): Promise<string> {
  const { record, order } = input;
  const channelId = splitOrderId(order.orderId)?.channelId ?? '';
  const prices = replacementPrices(record, order);
  for (const [index, channelOrderId] of replacementChannelOrderIds(record).entries()) {
    const orderId = orderIdOf(channelId, channelOrderId);
    const body = {
      orderId: channelOrderId,
      customerId: order.customerId,
      fulfilment: order.fulfilment,
      ...(order.currency ? { currency: order.currency } : {}),
      lines: (record.exchange ?? []).map((line) => ({
        sku: line.sku,
        qty: line.qty,
        ...(prices.has(line.sku) ? { unitPrice: prices.get(line.sku) } : {}),
      })),
    };
    const accepted = await acceptOrder(deps.table, {
      principalId: returnsActor,
      idempotencyKey: `replacement.${record.returnId}.${index}`,
      requestHash: sha256Hex(canonicalJson(body)),
      body,
      orderId,
      channelOrderId,
      now: input.now,
    });
    if (accepted.kind === 'key-reused')
      throw new Error(`replacement of ${record.returnId} was made differently`);
    // An order of that name made by someone else (the channel) is not ours: try the next name.
    if (accepted.kind === 'order-exists' && (await orderCreatedBy(deps.table, orderId)) !== returnsActor)
      continue;
    await startNamedExecution(deps.sfn, deps.fulfilmentStateMachineArn, orderId, { orderId, round: 0 });
    return orderId;
  }
  throw new Error(`every name for the replacement of ${record.returnId} is taken`);
}
