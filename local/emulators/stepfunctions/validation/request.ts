/**
 * The input contract of AWS's ValidateStateMachineDefinition (botocore's states-2016-11-23 model):
 * definition (required, 1..1048576 chars), type STANDARD|EXPRESS, severity ERROR|WARNING, maxResults 0..100.
 * Violations are AWS ValidationExceptions; a server maps ValidationRequestError to its own wire error.
 */
import type { Severity, StateMachineType, ValidationOptions } from './types';

export class ValidationRequestError extends Error {
  override readonly name = 'ValidationRequestError';
}

const constraint = (member: string, value: unknown, rule: string) =>
  new ValidationRequestError(
    `1 validation error detected: Value ${JSON.stringify(value)} at '${member}' failed to satisfy constraint: ${rule}`,
  );

function enumMember<T extends string>(input: Record<string, unknown>, member: string, values: readonly T[]) {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !values.includes(value as T))
    throw constraint(member, value, `Member must satisfy enum value set: [${values.join(', ')}]`);
  return value as T;
}

export function parseValidateRequest(input: Record<string, unknown>): {
  definition: string;
  options: ValidationOptions;
} {
  const { definition, maxResults } = input;
  if (typeof definition !== 'string')
    throw new ValidationRequestError(
      "1 validation error detected: Value null at 'definition' failed to satisfy constraint: Member must not be null",
    );
  if (definition.length < 1 || definition.length > 1_048_576)
    throw constraint(
      'definition',
      `${definition.slice(0, 20)}…`,
      'Member must have length between 1 and 1048576',
    );
  if (
    maxResults !== undefined &&
    maxResults !== null &&
    (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 0 || maxResults > 100)
  )
    throw constraint('maxResults', maxResults, 'Member must have value between 0 and 100');
  const type = enumMember<StateMachineType>(input, 'type', ['STANDARD', 'EXPRESS']);
  const severity = enumMember<Severity>(input, 'severity', ['ERROR', 'WARNING']);
  return {
    definition,
    options: {
      ...(type ? { type } : {}),
      ...(severity ? { severity } : {}),
      ...(typeof maxResults === 'number' ? { maxResults } : {}),
    },
  };
}
