import { invalidParameter, missingParameter, SqsError } from './errors';

/** A parsed JSON request body. The JSON protocol sends members by their model names (`QueueUrl`, `Entries`…). */
export type Input = Record<string, unknown>;

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function requiredString(input: Input, name: string): string {
  const value = input[name];
  if (value === undefined || value === null || value === '') throw missingParameter(name);
  if (typeof value !== 'string')
    throw invalidParameter(`Value for parameter ${name} is invalid. Reason: must be a string.`);
  return value;
}

export function optionalString(input: Input, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw invalidParameter(`Value for parameter ${name} is invalid. Reason: must be a string.`);
  return value;
}

/** Integers arrive as JSON numbers from the SDKs; a numeric string is tolerated for hand-written clients (curl). */
export function optionalInteger(input: Input, name: string, min: number, max: number): number | undefined {
  const raw = input[name];
  if (raw === undefined || raw === null) return undefined;
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidParameter(
      `Value ${JSON.stringify(raw)} for parameter ${name} is invalid. Reason: must be between ${min} and ${max}.`,
    );
  }
  return value;
}

export function requiredInteger(input: Input, name: string, min: number, max: number): number {
  const value = optionalInteger(input, name, min, max);
  if (value === undefined) throw missingParameter(name);
  return value;
}

export function optionalStringList(input: Input, name: string): string[] | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    throw invalidParameter(`Value for parameter ${name} is invalid. Reason: must be a list of strings.`);
  }
  return value;
}

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
