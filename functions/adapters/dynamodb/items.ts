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

/** `#f0 = :f0, …` for an update's fields, with their attribute names and values (any field name is safe). */
export function assignmentsOf(fields: Readonly<Record<string, unknown>>) {
  const entries = Object.entries(fields);
  return {
    assignments: entries.map((_, index) => `#f${index} = :f${index}`),
    names: Object.fromEntries(entries.map(([field], index) => [`#f${index}`, field])) as Record<
      string,
      string
    >,
    values: Object.fromEntries(entries.map(([, value], index) => [`:f${index}`, value])) as Record<
      string,
      unknown
    >,
  };
}

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
