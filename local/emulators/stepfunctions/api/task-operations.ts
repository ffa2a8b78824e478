import { limits } from '../asl/limits';
import type { Json } from '../asl/types';
import type { StepFunctionsEngine } from '../engine';
import {
  type JsonObject,
  type OperationHandler,
  optionalString,
  requiredString,
  SfnError,
  tooLong,
} from '../protocol';
import { TokenError } from '../tokens';
import { maxLength } from './execution-operations';

/** A token API call; the broker's verdict on a token becomes AWS's error for it. */
const tokenCall = (call: () => void): JsonObject => {
  try {
    call();
    return {};
  } catch (error) {
    if (error instanceof TokenError) throw new SfnError(error.shape, error.message);
    throw error;
  }
};

/** The callback operations: answer or keep alive a task waiting for its token. */
export const taskOperations = (engine: StepFunctionsEngine): Record<string, OperationHandler> => ({
  SendTaskSuccess: (input) => {
    const token = requiredString(input, 'taskToken', maxLength.taskToken);
    const outputText = requiredString(input, 'output');
    if (outputText.length > limits.payloadBytes) throw tooLong('output', limits.payloadBytes);
    let output: Json;
    try {
      output = JSON.parse(outputText) as Json;
    } catch {
      throw new SfnError('InvalidOutput', 'Invalid Output: output must be JSON');
    }
    return tokenCall(() => engine.broker.succeed(token, output));
  },
  SendTaskFailure: (input) => {
    const token = requiredString(input, 'taskToken', maxLength.taskToken);
    const error = optionalString(input, 'error', maxLength.error);
    const cause = optionalString(input, 'cause', maxLength.cause);
    return tokenCall(() => engine.broker.fail(token, error, cause));
  },
  SendTaskHeartbeat: (input) => {
    const token = requiredString(input, 'taskToken', maxLength.taskToken);
    return tokenCall(() => engine.broker.heartbeat(token));
  },
});
