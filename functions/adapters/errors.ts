import { TransientError, transientErrorName } from '../contracts/errors';

const transientNames = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'InternalServerError',
  'InternalServerErrorException',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
]);

interface SdkErrorShape {
  name?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === transientErrorName) return true;
  const sdk = error as SdkErrorShape;
  return (
    transientNames.has(error.name) ||
    (sdk.code !== undefined && transientNames.has(sdk.code)) ||
    sdk.$fault === 'server' ||
    (sdk.$metadata?.httpStatusCode ?? 0) >= 500 ||
    sdk.$retryable !== undefined ||
    (error.name === 'TypeError' && /fetch failed|socket/i.test(error.message))
  );
}

/** Calls an AWS service and renames infrastructure trouble to `TransientError`; everything else passes through. */
export async function callAws<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isTransient(error))
      throw new TransientError(`${operation}: ${(error as Error).message}`, { cause: error });
    throw error;
  }
}

export const errorName = (error: unknown): string | undefined =>
  error instanceof Error ? error.name : undefined;
