import { StatesError } from './errors';

/**
 * Step Functions quotas the local service enforces as AWS does.
 * https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
 */
export const limits = {
  /** "Maximum input or output size for a task, state, or execution: 256 KiB of data as a UTF-8 encoded string." */
  payloadBytes: 256 * 1024,
  /** "Maximum execution history size: 25,000 events in a single state machine execution history." */
  historyEvents: 25_000,
  /** AWS's default Task timeout when neither TimeoutSeconds nor TimeoutSecondsPath is given. */
  defaultTaskTimeoutSeconds: 99_999_999,
  /** Execution and state machine names: 1–80 characters. */
  nameLength: 80,
} as const;

export const payloadBytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * Serialises a state's or task's payload and fails with States.DataLimitExceeded (terminal: no Catch)
 * when it is over the quota, with the cause AWS gives.
 */
export function serialiseWithinQuota(value: unknown, name: string): string {
  const text = JSON.stringify(value ?? null);
  if (text.length > limits.payloadBytes / 4 && payloadBytes(text) > limits.payloadBytes) {
    throw new StatesError(
      'States.DataLimitExceeded',
      `The state/task '${name}' returned a result with a size exceeding the maximum number of bytes service limit.`,
    );
  }
  return text;
}

/** Names as AWS allows them: 1–80 chars, none of whitespace, brackets, wildcards, special or control characters. */
export const validName = (name: string): boolean =>
  name.length >= 1 &&
  name.length <= limits.nameLength &&
  !/[\s<>{}[\]?*"#%\\^|~`$&,;:/]/.test(name) &&
  ![...name].some((char) => {
    const code = char.charCodeAt(0);
    return code < 0x20 || (code >= 0x7f && code <= 0x9f);
  });
