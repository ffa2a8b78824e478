import { localRegion } from '../protocol/identity';
import { runtimeError, StatesError, taskTimeout } from './asl/errors';
import type { TaskRequest } from './asl/interpreter';
import { serialiseWithinQuota } from './asl/limits';
import { Aborted } from './asl/timers';
import type { Json } from './asl/types';
import type { FaultRegistry } from './fault-injection';
import { callResource, type ParsedResource, parseResource, type TaskResourceDeps } from './task-resources';
import type { TokenBroker } from './tokens';

/** What one execution offers its Task attempts. */
export interface TaskHost {
  readonly machineName: string;
  readonly faults: FaultRegistry;
  readonly broker: TokenBroker;
  readonly resources: TaskResourceDeps;
  /** Appends a history event (ignored once the execution has closed). */
  emit(type: string, member?: string, details?: Record<string, unknown>): void;
}

const maxTimerMs = 2 ** 31 - 1;

/**
 * Runs one attempt of a Task state: records AWS's task events, applies injected faults, calls the resource,
 * waits for the callback of a `.waitForTaskToken` task (with its heartbeat), and enforces TimeoutSeconds. A
 * result over the payload quota fails the task with States.DataLimitExceeded.
 */
export async function runTaskAttempt(host: TaskHost, request: TaskRequest): Promise<Json> {
  const resource = String(request.state.Resource);
  const parsed = parseResource(resource);
  if (!parsed)
    throw runtimeError(`Task resource ${resource} is not supported by the local Step Functions service`);
  const legacyLambda = parsed.kind === 'lambda:function';
  const quiet = () => request.signal.aborted;
  const emit: TaskHost['emit'] = (...args) => {
    if (!quiet()) host.emit(...args);
  };
  emitScheduled(emit, parsed, request);

  let timer: NodeJS.Timeout | undefined;
  const timeoutMs = request.timeoutSeconds * 1000;
  const deadline = new Promise<never>((_, reject) => {
    if (timeoutMs <= maxTimerMs) {
      timer = setTimeout(() => reject(taskTimeout(false)), timeoutMs);
    }
  });
  try {
    const work = perform(host, request, parsed, emit);
    // After a timeout the resource may still answer (a Lambda runs on); nobody listens any more.
    work.catch(() => undefined);
    const result = await Promise.race([work, deadline, abandoned(request.signal)]);
    const output = serialiseWithinQuota(result, request.stateName);
    if (legacyLambda)
      emit('LambdaFunctionSucceeded', 'lambdaFunctionSucceededEventDetails', succeeded(output));
    else emit('TaskSucceeded', 'taskSucceededEventDetails', { ...namesOf(parsed), ...succeeded(output) });
    return result;
  } catch (caught) {
    if (caught instanceof Aborted) throw caught;
    const error =
      caught instanceof StatesError
        ? caught
        : new StatesError('States.TaskFailed', caught instanceof Error ? caught.message : String(caught));
    if (request.token && error.name === 'States.Timeout') host.broker.expire(request.token, error);
    emitFailure(emit, parsed, error);
    throw error;
  } finally {
    clearTimeout(timer);
    if (request.token) host.broker.discard(request.token);
  }
}

/** Rejects when the attempt is abandoned (the execution stopped, or a sibling branch failed). */
const abandoned = (signal: AbortSignal): Promise<never> =>
  new Promise((_, reject) => {
    if (signal.aborted) reject(new Aborted());
    signal.addEventListener('abort', () => reject(new Aborted()), { once: true });
  });

const namesOf = (parsed: ParsedResource) => ({
  resourceType: parsed.resourceType,
  resource: parsed.resourceName,
});
const succeeded = (output: string) => ({ output, outputDetails: { truncated: false } });

function emitScheduled(emit: TaskHost['emit'], parsed: ParsedResource, request: TaskRequest): void {
  const timeout =
    request.state.TimeoutSeconds !== undefined || request.state.TimeoutSecondsPath !== undefined;
  if (parsed.kind === 'lambda:function') {
    emit('LambdaFunctionScheduled', 'lambdaFunctionScheduledEventDetails', {
      resource: parsed.resourceName,
      input: request.parametersText,
      inputDetails: { truncated: false },
      ...(timeout ? { timeoutInSeconds: request.timeoutSeconds } : {}),
    });
    emit('LambdaFunctionStarted');
    return;
  }
  emit('TaskScheduled', 'taskScheduledEventDetails', {
    ...namesOf(parsed),
    region: localRegion,
    parameters: request.parametersText,
    ...(timeout ? { timeoutInSeconds: request.timeoutSeconds } : {}),
    ...(request.heartbeatSeconds ? { heartbeatInSeconds: request.heartbeatSeconds } : {}),
  });
  emit('TaskStarted', 'taskStartedEventDetails', namesOf(parsed));
}

/** AWS leaves out an empty error or cause (a timeout has no cause). */
const failureDetails = (error: StatesError) => ({
  ...(error.name ? { error: error.name } : {}),
  ...(error.message ? { cause: error.message } : {}),
});

function emitFailure(emit: TaskHost['emit'], parsed: ParsedResource, error: StatesError): void {
  const details = failureDetails(error);
  const timedOut = error.name === 'States.Timeout';
  if (parsed.kind === 'lambda:function') {
    const type = timedOut ? 'LambdaFunctionTimedOut' : 'LambdaFunctionFailed';
    emit(type, `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`, details);
  } else if (timedOut) {
    emit('TaskTimedOut', 'taskTimedOutEventDetails', { ...namesOf(parsed), ...details });
  } else {
    emit('TaskFailed', 'taskFailedEventDetails', { ...namesOf(parsed), ...details });
  }
}

/** The resource call (with faults around it), then for a callback task the wait for its token. */
async function perform(
  host: TaskHost,
  request: TaskRequest,
  parsed: ParsedResource,
  emit: TaskHost['emit'],
): Promise<Json> {
  const before = host.faults.take(host.machineName, request.stateName, 'before');
  if (before) throw before;
  const result = (await callResource(parsed, request.parameters, host.resources)) as Json;
  // For a callback task, `after` means the token is parked (on the item the resource wrote) and the task then
  // fails: the parked token is stale from then on, which is what a redrive must cope with.
  const after = host.faults.take(host.machineName, request.stateName, 'after');
  if (after) throw after;
  if (!request.token) return result ?? null;
  emit('TaskSubmitted', 'taskSubmittedEventDetails', {
    ...namesOf(parsed),
    ...succeeded(JSON.stringify(result ?? null)),
  });
  return (await waitForCallback(host.broker, request.token, request.heartbeatSeconds)) as Json;
}

/** Waits for SendTaskSuccess/SendTaskFailure; HeartbeatSeconds without a heartbeat is a (heartbeat) States.Timeout. */
function waitForCallback(
  broker: TokenBroker,
  token: string,
  heartbeatSeconds: number | undefined,
): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    if (!heartbeatSeconds) return;
    clearTimeout(timer);
    timer = setTimeout(
      () => broker.expire(token, taskTimeout(true)),
      Math.min(heartbeatSeconds * 1000, maxTimerMs),
    );
  };
  const wait = broker.wait(token, arm);
  arm();
  return wait.finally(() => clearTimeout(timer));
}
