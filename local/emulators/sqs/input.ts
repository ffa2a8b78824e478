import { isRecord, memberReaders } from '../protocol/members';
import { invalidParameter, missingParameter, SqsError } from './errors';

/** A parsed JSON request body. The JSON protocol sends members by their model names (`QueueUrl`, `Entries`…). */
export type Input = Record<string, unknown>;

export { isRecord };

/** Request members, read and refused with SQS's codes and wording (numbers may come as strings, as in the query protocol). */
export const { requiredString, optionalString, optionalInteger, requiredInteger, optionalStringList } =
  memberReaders(
    {
      missing: missingParameter,
      wrongType: (member, expected) =>
        invalidParameter(`Value for parameter ${member} is invalid. Reason: must be ${expected}.`),
      outOfRange: (member, raw, min, max) =>
        invalidParameter(
          `Value ${JSON.stringify(raw)} for parameter ${member} is invalid. Reason: must be between ${min} and ${max}.`,
        ),
      tooLong: (member, max) =>
        invalidParameter(`Value for parameter ${member} is invalid. Reason: longer than ${max} characters.`),
    },
    { numericStrings: true },
  );

export function optionalStringMap(input: Input, name: string): Record<string, string> | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value))
    throw invalidParameter(`Value for parameter ${name} is invalid. Reason: must be a map.`);
  const result: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    // Attribute values are strings in the SQS model; numbers are accepted for convenience and normalized.
    if (typeof item === 'string') result[key] = item;
    else if (typeof item === 'number' || typeof item === 'boolean') result[key] = String(item);
    else throw new SqsError('InvalidAttributeValue', `Invalid value for the parameter ${key}.`);
  }
  return result;
}

/** Batch entries: a non-empty list of objects with distinct, well-formed `Id`s (checked in AWS's order). */
export function batchEntries(input: Input, name = 'Entries'): Array<Input & { Id: string }> {
  const value = input[name];
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
    throw new SqsError(
      'EmptyBatchRequest',
      'There should be at least one SendMessageBatchRequestEntry in the request.',
    );
  }
  if (!Array.isArray(value))
    throw invalidParameter(`Value for parameter ${name} is invalid. Reason: must be a list.`);
  if (value.length > 10) {
    throw new SqsError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are 10. You have sent ${value.length}.`,
    );
  }
  const seen = new Set<string>();
  return value.map((entry) => {
    if (!isRecord(entry))
      throw invalidParameter(`Value for parameter ${name} is invalid. Reason: entries must be objects.`);
    const id = entry.Id;
    if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,80}$/.test(id)) {
      throw new SqsError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    }
    if (seen.has(id)) throw new SqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    seen.add(id);
    return { ...entry, Id: id };
  });
}

/** Runs one action per batch entry; an SqsError fails only its entry, as in AWS's partial batch results. */
export function runBatch(
  entries: Array<Input & { Id: string }>,
  run: (entry: Input & { Id: string }) => Record<string, unknown>,
): Record<string, unknown> {
  const Successful: Record<string, unknown>[] = [];
  const Failed: Record<string, unknown>[] = [];
  for (const entry of entries) {
    try {
      Successful.push({ Id: entry.Id, ...run(entry) });
    } catch (error) {
      if (!(error instanceof SqsError)) throw error;
      Failed.push({ Id: entry.Id, SenderFault: true, Code: error.batchCode, Message: error.message });
    }
  }
  return { Successful, Failed };
}
