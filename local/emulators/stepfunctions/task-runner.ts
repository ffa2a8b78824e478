import { localRegion } from '../protocol/identity';
import { runtimeError, StatesError, taskTimeout } from './asl/errors';
import type { TaskRequest } from './asl/interpreter';
import { serialiseWithinQuota } from './asl/limits';
import type { AttemptProgress, NewEvent, TaskOutcome } from './asl/progress';
import { Aborted, childController, sleep } from './asl/timers';
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
  /** Multiplies the enforced timeout (1 = AWS timing; the history shows the declared one). */
  readonly timeoutScale?: number;
}

/**
 * Runs one attempt of a Task state: records AWS's task events, applies injected faults, calls the resource,
 * waits for the callback of a `.waitForTaskToken` task (with its heartbeat), and enforces TimeoutSeconds. A
 * result over the payload quota fails the task with States.DataLimitExceeded. Each step is recorded with
 * the attempt's progress, so an attempt cut off by a restart carries on: a callback task that was waiting
 * waits on (same token), one whose resource had not answered calls it again (tasks are idempotent), and
 * an attempt whose closing event was recorded only replays its outcome.
 */
export async function runTaskAttempt(host: TaskHost, request: TaskRequest): Promise<Json> {
  const resource = String(request.state.Resource);
  const parsed = parseResource(resource);
  if (!parsed)
    throw runtimeError(`Task resource ${resource} is not supported by the local Step Functions service`);
  const { resumed } = request;
  if (resumed?.outcome) return replay(resumed.outcome);
  let attempt: AttemptProgress = resumed ?? {
    startedAt: Date.now(),
    ...(request.token ? { token: request.token } : {}),
  };
  const step: AttemptStep = (change, events) => {
    if (request.signal.aborted) return;
    attempt = { ...attempt, ...change };
    request.step(attempt, events);
  };
  if (!resumed) step({}, scheduledEvents(parsed, request));

  const deadline = childController(request.signal);
  try {
    const work: Promise<Json> =
      attempt.submittedAt === undefined
        ? perform(host, request, parsed, step)
        : waitForCallback(host.broker, request.token as string, request.heartbeatSeconds, lastSign(attempt));
    // After a timeout the resource may still answer (a Lambda runs on); nobody listens any more.
    work.catch(() => undefined);
    const result = await Promise.race([
      work,
      timeout(attempt, request, deadline.signal, host.timeoutScale ?? 1),
      abandoned(request.signal),
    ]);
    const output = serialiseWithinQuota(result, request.stateName);
    step({ outcome: { result } }, [succeededEvent(parsed, output)]);
    return result;
  } catch (caught) {
    if (caught instanceof Aborted) throw caught;
    const error =
      caught instanceof StatesError
        ? caught
        : new StatesError('States.TaskFailed', caught instanceof Error ? caught.message : String(caught));
    if (request.token && error.name === 'States.Timeout') host.broker.expire(request.token, error);
    step({ outcome: { error: error.recorded } }, [failureEvent(parsed, error)]);
    throw error;
  } finally {
    deadline.abort();
    if (request.token) host.broker.discard(request.token);
  }
}

type AttemptStep = (change: Partial<AttemptProgress>, events: NewEvent[]) => void;

/** An attempt that ended just before a restart: its result again, or its error. */
function replay(outcome: TaskOutcome): Json {
  if ('result' in outcome) return outcome.result;
  throw StatesError.fromRecorded(outcome.error);
}

/**
 * TimeoutSeconds: "the maximum allowed duration, regardless of the number of SendTaskHeartbeat requests"
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskHeartbeat.html), counted from
 * when the attempt was scheduled, across restarts: a deadline that passed while the host was down times
 * the task out at once.
 */
function timeout(
  attempt: AttemptProgress,
  request: TaskRequest,
  signal: AbortSignal,
  scale: number,
): Promise<never> {
  const remaining = attempt.startedAt + request.timeoutSeconds * 1000 * scale - Date.now();
  return sleep(remaining, signal).then(() => {
    throw taskTimeout(false);
  });
}

/** Since when a callback task has been silent: it was submitted, or its last heartbeat. */
const lastSign = (attempt: AttemptProgress): number =>
  Math.max(attempt.submittedAt ?? attempt.startedAt, attempt.heartbeatAt ?? 0);

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

function scheduledEvents(parsed: ParsedResource, request: TaskRequest): NewEvent[] {
  const timeout =
    request.state.TimeoutSeconds !== undefined || request.state.TimeoutSecondsPath !== undefined;
  if (parsed.kind === 'lambda:function') {
    const details = {
      resource: parsed.resourceName,
      input: request.parametersText,
      inputDetails: { truncated: false },
      ...(timeout ? { timeoutInSeconds: request.timeoutSeconds } : {}),
    };
    return [
      { type: 'LambdaFunctionScheduled', member: 'lambdaFunctionScheduledEventDetails', details },
      { type: 'LambdaFunctionStarted' },
    ];
  }
  const details = {
    ...namesOf(parsed),
    region: localRegion,
    parameters: request.parametersText,
    ...(timeout ? { timeoutInSeconds: request.timeoutSeconds } : {}),
    ...(request.heartbeatSeconds ? { heartbeatInSeconds: request.heartbeatSeconds } : {}),
  };
  return [
    { type: 'TaskScheduled', member: 'taskScheduledEventDetails', details },
    { type: 'TaskStarted', member: 'taskStartedEventDetails', details: namesOf(parsed) },
  ];
}

function succeededEvent(parsed: ParsedResource, output: string): NewEvent {
  if (parsed.kind === 'lambda:function')
    return {
      type: 'LambdaFunctionSucceeded',
      member: 'lambdaFunctionSucceededEventDetails',
      details: succeeded(output),
    };
  return {
    type: 'TaskSucceeded',
    member: 'taskSucceededEventDetails',
    details: { ...namesOf(parsed), ...succeeded(output) },
  };
}

/** AWS leaves out an empty error or cause (a timeout has no cause). */
const failureDetails = (error: StatesError) => ({
  ...(error.name ? { error: error.name } : {}),
  ...(error.message ? { cause: error.message } : {}),
});

function failureEvent(parsed: ParsedResource, error: StatesError): NewEvent {
  const details = failureDetails(error);
  const timedOut = error.name === 'States.Timeout';
  if (parsed.kind === 'lambda:function') {
    const type = timedOut ? 'LambdaFunctionTimedOut' : 'LambdaFunctionFailed';
    return { type, member: `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`, details };
  }
  const type = timedOut ? 'TaskTimedOut' : 'TaskFailed';
  return {
    type,
    member: `${timedOut ? 'taskTimedOut' : 'taskFailed'}EventDetails`,
    details: { ...namesOf(parsed), ...details },
  };
}

/** The resource call (with faults around it), then for a callback task the wait for its token. */
async function perform(
  host: TaskHost,
  request: TaskRequest,
  parsed: ParsedResource,
  step: AttemptStep,
): Promise<Json> {
  const before = host.faults.take(host.machineName, request.stateName, 'before');
  if (before) throw before;
  const result = (await callResource(parsed, request.parameters, host.resources)) as Json;
  // For a callback task, `after` means the token is parked (on the item the resource wrote) and the task then
  // fails: the parked token is stale from then on, which is what a redrive must cope with.
  const after = host.faults.take(host.machineName, request.stateName, 'after');
  if (after) throw after;
  if (!request.token) return result ?? null;
  const submittedAt = Date.now();
  step({ submittedAt }, [
    {
      type: 'TaskSubmitted',
      member: 'taskSubmittedEventDetails',
      details: { ...namesOf(parsed), ...succeeded(JSON.stringify(result ?? null)) },
    },
  ]);
  return waitForCallback(host.broker, request.token, request.heartbeatSeconds, submittedAt);
}

/**
 * Waits for SendTaskSuccess/SendTaskFailure; HeartbeatSeconds without a heartbeat (counted from `since`, the
 * last sign of life) is a (heartbeat) States.Timeout.
 */
function waitForCallback(
  broker: TokenBroker,
  token: string,
  heartbeatSeconds: number | undefined,
  since: number,
): Promise<Json> {
  let timer: NodeJS.Timeout | undefined;
  const arm = (from: number): void => {
    if (!heartbeatSeconds) return;
    clearTimeout(timer);
    timer = setTimeout(
      () => broker.expire(token, taskTimeout(true)),
      Math.max(0, Math.min(from + heartbeatSeconds * 1000 - Date.now(), maxTimerMs)),
    );
  };
  const wait = broker.wait(token, () => arm(Date.now())) as Promise<Json>;
  arm(since);
  return wait.finally(() => clearTimeout(timer));
}

const maxTimerMs = 2 ** 31 - 1;
