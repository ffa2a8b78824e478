import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../contracts/keys';
import { callAws } from '../errors';
import type { TableRef } from './client';
import { cancellationCodes, transactWrite } from './items';

export type WriteOffResult =
  | { readonly kind: 'written-off' | 'replayed'; readonly damaged: number }
  /** Fewer damaged units there than asked (or none at all: the location never had the SKU back damaged). */
  | { readonly kind: 'too-many' };

/**
 * Clears damaged units from a location's damaged figure (docs/returns.md): the figure falls, conditioned on
 * it holding that many, and the write-off is kept with its reason and actor in the (sku, location)'s own
 * audit partition, named by the caller's idempotency key (the same key again writes nothing). Available stock
 * is untouched: damaged units never were.
 */
export async function writeOffDamaged(
  table: TableRef,
  input: {
    readonly sku: string;
    readonly locationId: string;
    readonly qty: number;
    readonly reason: string;
    readonly actor: string;
    /** The caller's Idempotency-Key: names the write-off, so a retried request writes nothing twice. */
    readonly idempotencyKey: string;
    readonly now: Date;
  },
): Promise<WriteOffResult> {
  const at = input.now.toISOString();
  try {
    await transactWrite(table, 'writeOffDamaged', [
      {
        Update: {
          TableName: table.tableName,
          Key: keys.stock(input.sku, input.locationId),
          UpdateExpression: 'SET damaged = damaged - :qty, updatedAt = :now',
          ConditionExpression: 'damaged >= :qty',
          ExpressionAttributeValues: { ':qty': input.qty, ':now': at },
        },
      },
      {
        Put: {
          TableName: table.tableName,
          Item: {
            ...keys.damagedWriteOff(input.sku, input.locationId, `${input.actor}#${input.idempotencyKey}`),
            entity: 'damagedWriteOff',
            sku: input.sku,
            locationId: input.locationId,
            qty: input.qty,
            reason: input.reason,
            actor: input.actor,
            at,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ]);
  } catch (error) {
    const [figure, named] = cancellationCodes(error);
    if (named === 'ConditionalCheckFailed')
      return { kind: 'replayed', damaged: await damagedAt(table, input) };
    if (figure === 'ConditionalCheckFailed') return { kind: 'too-many' };
    throw error;
  }
  return { kind: 'written-off', damaged: await damagedAt(table, input) };
}

/** The damaged figure of a SKU at a location as it now stands. */
async function damagedAt(table: TableRef, at: { readonly sku: string; readonly locationId: string }) {
  const { Item } = await callAws('getDamaged', () =>
    table.document.send(
      new GetCommand({
        TableName: table.tableName,
        Key: keys.stock(at.sku, at.locationId),
        ProjectionExpression: 'damaged',
        ConsistentRead: true,
      }),
    ),
  );
  return Number(Item?.damaged ?? 0);
}
