import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { callAws } from '../errors';
import type { TableRef } from './client';

/** One write of a TransactWriteItems. */
export type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];

/** One TransactWriteItems (all or nothing), named for errors; throttling and 5xx become TransientError. */
export const transactWrite = (table: TableRef, operation: string, items: TransactItem[]) =>
  callAws(operation, () => table.document.send(new TransactWriteCommand({ TransactItems: items })));

/** Drops undefined fields so items write the same whatever the document client's marshall options are. */
export function compact<T extends Record<string, unknown>>(item: T): T {
  return Object.fromEntries(Object.entries(item).filter(([, value]) => value !== undefined)) as T;
}

/** Cancellation reason codes of a TransactWriteItems, in item order (empty when not a cancellation). */
export function cancellationCodes(error: unknown): (string | undefined)[] {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return [];
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.map((reason) => (reason.Code === 'None' ? undefined : reason.Code));
}

export const isConditionalCheckFailed = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

/** A transaction that lost a race: an item changed (condition) or another transaction was writing it. */
export const isTransactionRace = (error: unknown): boolean =>
  cancellationCodes(error).some(
    (code) => code === 'ConditionalCheckFailed' || code === 'TransactionConflict',
  );
