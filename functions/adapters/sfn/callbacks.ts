import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { callAws, errorName } from '../errors';

/**
 * A token that no longer waits (its task timed out, was answered or the execution ended) is not an error
 * for the caller: the waiting state re-reads the item it parked on and takes the modelled path instead.
 */
const staleTokenErrors = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

export type CallbackResult = 'sent' | 'stale';

export async function sendTaskSuccess(
  sfn: SFNClient,
  taskToken: string,
  output: unknown,
): Promise<CallbackResult> {
  try {
    await callAws('sendTaskSuccess', () =>
      sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) })),
    );
    return 'sent';
  } catch (error) {
    if (staleTokenErrors.has(errorName(error) ?? '')) return 'stale';
    throw error;
  }
}

export async function sendTaskFailure(
  sfn: SFNClient,
  taskToken: string,
  error: string,
  cause: string,
): Promise<CallbackResult> {
  try {
    await callAws('sendTaskFailure', () => sfn.send(new SendTaskFailureCommand({ taskToken, error, cause })));
    return 'sent';
  } catch (failure) {
    if (staleTokenErrors.has(errorName(failure) ?? '')) return 'stale';
    throw failure;
  }
}
