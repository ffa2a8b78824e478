/**
 * Reading request members the way an AWS JSON endpoint validates them. Every service checks the same things
 * (present, of the right type, within bounds) but answers with its own error shapes and wording, so each
 * builds its readers from its own failures.
 */
export type Members = Readonly<Record<string, unknown>>;

export interface MemberFailures {
  missing(member: string): Error;
  wrongType(member: string, expected: 'a string' | 'an integer' | 'a list of strings'): Error;
  outOfRange(member: string, raw: unknown, min: number, max: number): Error;
  tooLong(member: string, max: number): Error;
}

export interface MemberReaders {
  requiredString(input: Members, member: string, maxLength?: number): string;
  optionalString(input: Members, member: string, maxLength?: number): string | undefined;
  optionalInteger(input: Members, member: string, min?: number, max?: number): number | undefined;
  requiredInteger(input: Members, member: string, min?: number, max?: number): number;
  optionalStringList(input: Members, member: string): string[] | undefined;
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `numericStrings`: accept "30" for 30. SQS does (its query-protocol heritage; hand-written curl clients send
 * strings); the Step Functions model does not.
 */
export function memberReaders(
  failures: MemberFailures,
  options: { numericStrings?: boolean } = {},
): MemberReaders {
  const absent = (value: unknown) => value === undefined || value === null;
  const optionalString = (input: Members, member: string, maxLength = Number.POSITIVE_INFINITY) => {
    const value = input[member];
    if (absent(value)) return undefined;
    if (typeof value !== 'string') throw failures.wrongType(member, 'a string');
    if (value.length > maxLength) throw failures.tooLong(member, maxLength);
    return value;
  };
  const optionalInteger = (
    input: Members,
    member: string,
    min = Number.MIN_SAFE_INTEGER,
    max = Number.MAX_SAFE_INTEGER,
  ) => {
    const raw = input[member];
    if (absent(raw)) return undefined;
    const value = options.numericStrings && typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isInteger(value)) throw failures.wrongType(member, 'an integer');
    if (value < min || value > max) throw failures.outOfRange(member, raw, min, max);
    return value;
  };
  return {
    optionalString,
    optionalInteger,
    requiredString(input, member, maxLength) {
      const value = optionalString(input, member, maxLength);
      if (value === undefined || value === '') throw failures.missing(member);
      return value;
    },
    requiredInteger(input, member, min, max) {
      const value = optionalInteger(input, member, min, max);
      if (value === undefined) throw failures.missing(member);
      return value;
    },
    optionalStringList(input, member) {
      const value = input[member];
      if (absent(value)) return undefined;
      if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string'))
        throw failures.wrongType(member, 'a list of strings');
      return value;
    },
  };
}

/** An error an AWS endpoint answers with: the modeled shape SDKs map to an exception class, and the HTTP status. */
export class ServiceError extends Error {
  constructor(
    readonly shape: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}
