import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { LambdaInvoker } from '../lambda/invoker';
import { localAccountId, localCredentials, localRegion } from '../protocol/identity';
import { limits, payloadBytes, validName } from './asl/limits';
import { type ExecutionRecord, ExecutionStore, type HistoryEvent } from './executions';
import { type FaultDefinition, FaultRegistry } from './fault-injection';
import {
  createProtocolServer,
  type JsonObject,
  type OperationHandler,
  optionalNumber,
  optionalString,
  requiredString,
  SfnError,
  Timestamp,
  tooLong,
} from './protocol';
import { type CompiledMachine, compileMachine, ExecutionRunner } from './runner';
import { TokenBroker, TokenError } from './tokens';
import {
  assertValidDefinition,
  parseValidateRequest,
  ValidationRequestError,
  validateDefinition,
} from './validation';

export interface StepFunctionsServiceOptions {
  /** 0/undefined = a free port on 127.0.0.1. */
  port?: number;
  /** ASL JSON after `${}` substitution. */
  stateMachines: { name: string; definition: string; roleArn?: string }[];
  invoker: LambdaInvoker;
  /** Endpoints for the direct SDK integrations (dynamodb:*, sqs:sendMessage). */
  dynamodbEndpoint?: string;
  sqsEndpoint?: string;
  /** When set, execution records (with history) are saved to this JSON file and loaded at start. */
  persistFile?: string;
  /** Multiplies Retry IntervalSeconds (default 1 = AWS timing); tests pass ~0 so retries do not wait. */
  retryIntervalScale?: number;
}

export interface StepFunctionsService {
  url: string;
  close(): Promise<void>;
  /** Local only: the Task state throws `error` before calling its resource for the next `times` attempts. */
  setFault(f: { stateMachine: string; state: string } & FaultDefinition): void;
  clearFaults(): void;
}

const executionArnOf = (machineName: string, executionName: string): string =>
  `arn:aws:states:${localRegion}:${localAccountId}:execution:${machineName}:${executionName}`;

/**
 * "Your workflow execution has not exceeded the redrivable period of 14 days", and AWS does not redrive an
 * execution whose history reached its event limit (redriveStatusReason "Execution history event limit
 * exceeded"). https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html
 */
const redrivablePeriodMs = 14 * 24 * 3600 * 1000;

/** Length constraints of the Step Functions API model (botocore stepfunctions/2016-11-23). */
const maxLength = { taskToken: 2048, error: 256, cause: 32_768 } as const;

const pageToken = {
  encode: (offset: number): string => Buffer.from(JSON.stringify({ offset })).toString('base64'),
  decode: (token: string | undefined): number => {
    if (!token) return 0;
    try {
      const { offset } = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset: unknown };
      if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
    } catch {
      // fall through
    }
    // AWS: "Using an expired pagination token will return an HTTP 400 InvalidToken error."
    throw new SfnError('InvalidToken', "Invalid Token: 'Invalid token'");
  },
};

function page<T>(items: T[], input: JsonObject): { items: T[]; nextToken?: string } {
  const maxResults = optionalNumber(input, 'maxResults') || 100;
  if (maxResults < 0 || maxResults > 1000)
    throw new SfnError('ValidationException', 'maxResults must be between 0 and 1000');
  const offset = pageToken.decode(optionalString(input, 'nextToken'));
  const slice = items.slice(offset, offset + maxResults);
  return offset + maxResults < items.length
    ? { items: slice, nextToken: pageToken.encode(offset + maxResults) }
    : { items: slice };
}

export async function startStepFunctionsService(
  o: StepFunctionsServiceOptions,
): Promise<StepFunctionsService> {
  // AWS's CreateStateMachine refuses an invalid definition; so does the local service, before it starts.
  for (const { name, definition } of o.stateMachines)
    await assertValidDefinition(`state machine "${name}"`, definition);
  const machines = new Map<string, CompiledMachine>();
  for (const definition of o.stateMachines) {
    const machine = compileMachine(definition.name, definition.definition, definition.roleArn);
    machines.set(machine.arn, machine);
  }
  const store = new ExecutionStore(o.persistFile);
  store.load();
  const broker = new TokenBroker(store.tokenSecret);
  const faults = new FaultRegistry();
  const sdkConfig = { region: localRegion, credentials: localCredentials };
  const dynamodb = o.dynamodbEndpoint
    ? new DynamoDBClient({ ...sdkConfig, endpoint: o.dynamodbEndpoint })
    : undefined;
  const sqs = o.sqsEndpoint ? new SQSClient({ ...sdkConfig, endpoint: o.sqsEndpoint }) : undefined;

  const machineOf = (arn: string): CompiledMachine => {
    const machine = machines.get(arn);
    if (!machine) throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  };
  const executionOf = (arn: string): ExecutionRecord => {
    const record = store.get(arn);
    if (!record) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return record;
  };

  const startExecution = (
    stateMachineArn: string,
    input: string,
    requestedName: string | undefined,
  ): ExecutionRecord => {
    const machine = machineOf(stateMachineArn);
    // The API's own constraint on `input` (AWS answers before looking at the JSON).
    if (payloadBytes(input) > limits.payloadBytes) throw tooLong('input', limits.payloadBytes);
    try {
      JSON.parse(input);
    } catch {
      throw new SfnError(
        'InvalidExecutionInput',
        'Invalid State Machine Execution Input: input must be JSON',
      );
    }
    const name = requestedName ?? randomUUID();
    if (!validName(name)) throw new SfnError('InvalidName', `Invalid Name: '${name}'`);
    const executionArn = executionArnOf(machine.name, name);
    const existing = store.get(executionArn);
    if (existing) {
      // AWS (Standard): the same name and input while RUNNING is idempotent; a closed one or other input is a conflict.
      if (existing.status === 'RUNNING' && existing.input === input) return existing;
      throw new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: machine.arn,
      stateMachineName: machine.name,
      name,
      status: 'RUNNING',
      input,
      startDate: Date.now(),
      redriveCount: 0,
      events: [],
    };
    store.add(record);
    runner.start(record, machine);
    return record;
  };

  const runner: ExecutionRunner = new ExecutionRunner({
    store,
    broker,
    faults,
    retryIntervalScale: o.retryIntervalScale ?? 1,
    resources: {
      invoker: o.invoker,
      dynamodb,
      sqs,
      startExecution: async (arn, input, name) => {
        const record = startExecution(arn, typeof input === 'string' ? input : JSON.stringify(input), name);
        return { executionArn: record.executionArn, startDate: record.startDate };
      },
      awaitExecution: async (arn) => {
        await runner.whenDone(arn);
        return executionOf(arn);
      },
    },
  });

  const describeMachine = (machine: CompiledMachine) => ({
    stateMachineArn: machine.arn,
    name: machine.name,
    status: 'ACTIVE',
    definition: machine.definition,
    roleArn: machine.roleArn,
    type: 'STANDARD',
    creationDate: new Timestamp(machine.creationDate),
    loggingConfiguration: { level: 'OFF', includeExecutionData: false },
    tracingConfiguration: { enabled: false },
  });

  /** Why RedriveExecution would refuse this execution (AWS's redriveStatusReason), or undefined. */
  const notRedrivable = (record: ExecutionRecord): string | undefined => {
    const closedUnsuccessfully = ['FAILED', 'TIMED_OUT', 'ABORTED'].includes(record.status);
    if (!closedUnsuccessfully || !record.currentState || !machines.has(record.stateMachineArn))
      return `Execution is ${record.status} and cannot be redriven`;
    if (record.events.length >= limits.historyEvents) return 'Execution history event limit exceeded';
    if (Date.now() - (record.stopDate ?? 0) > redrivablePeriodMs)
      return 'Execution redrivable period exceeded';
    return undefined;
  };

  const summary = (record: ExecutionRecord) => ({
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: new Timestamp(record.startDate),
    ...(record.stopDate !== undefined ? { stopDate: new Timestamp(record.stopDate) } : {}),
    redriveCount: record.redriveCount,
    ...(record.redriveDate !== undefined ? { redriveDate: new Timestamp(record.redriveDate) } : {}),
  });

  const eventJson = (event: HistoryEvent, includeData: boolean) => {
    const out: Record<string, unknown> = {
      timestamp: new Timestamp(event.timestamp),
      type: event.type,
      id: event.id,
      previousEventId: event.previousEventId,
    };
    if (event.details) {
      const value = includeData
        ? event.details.value
        : Object.fromEntries(
            Object.entries(event.details.value).filter(
              ([key]) => !['input', 'output', 'parameters'].includes(key),
            ),
          );
      out[event.details.member] = value;
    }
    return out;
  };

  const tokenCall = (call: () => void): JsonObject => {
    try {
      call();
      return {};
    } catch (error) {
      if (error instanceof TokenError) throw new SfnError(error.shape, error.message);
      throw error;
    }
  };

  const operations: Record<string, OperationHandler> = {
    ValidateStateMachineDefinition: async (input) => {
      try {
        const { definition, options } = parseValidateRequest(input);
        return { ...(await validateDefinition(definition, options)) };
      } catch (error) {
        if (error instanceof ValidationRequestError) throw new SfnError('ValidationException', error.message);
        throw error;
      }
    },
    ListStateMachines: (input) => {
      const { items, nextToken } = page([...machines.values()], input);
      return {
        stateMachines: items.map((m) => ({
          stateMachineArn: m.arn,
          name: m.name,
          type: 'STANDARD',
          creationDate: new Timestamp(m.creationDate),
        })),
        ...(nextToken ? { nextToken } : {}),
      };
    },
    DescribeStateMachine: (input) => describeMachine(machineOf(requiredString(input, 'stateMachineArn'))),
    DescribeStateMachineForExecution: (input) => {
      const record = executionOf(requiredString(input, 'executionArn'));
      const {
        status: _status,
        type: _type,
        creationDate,
        ...rest
      } = describeMachine(machineOf(record.stateMachineArn));
      return { ...rest, updateDate: creationDate };
    },
    StartExecution: (input) => {
      const record = startExecution(
        requiredString(input, 'stateMachineArn'),
        optionalString(input, 'input') ?? '{}',
        optionalString(input, 'name'),
      );
      return { executionArn: record.executionArn, startDate: new Timestamp(record.startDate) };
    },
    DescribeExecution: (input) => {
      const record = executionOf(requiredString(input, 'executionArn'));
      const reason = notRedrivable(record);
      return {
        ...summary(record),
        input: record.input,
        inputDetails: { included: true },
        ...(record.output !== undefined ? { output: record.output, outputDetails: { included: true } } : {}),
        ...(record.error !== undefined ? { error: record.error } : {}),
        ...(record.cause !== undefined ? { cause: record.cause } : {}),
        redriveStatus: reason ? 'NOT_REDRIVABLE' : 'REDRIVABLE',
        ...(reason ? { redriveStatusReason: reason } : {}),
      };
    },
    ListExecutions: (input) => {
      const machine = machineOf(requiredString(input, 'stateMachineArn'));
      const statusFilter = optionalString(input, 'statusFilter');
      const redriveFilter = optionalString(input, 'redriveFilter');
      if (redriveFilter && !['REDRIVEN', 'NOT_REDRIVEN'].includes(redriveFilter)) {
        throw new SfnError('ValidationException', `Invalid redriveFilter '${redriveFilter}'`);
      }
      if (
        statusFilter &&
        !['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'].includes(statusFilter)
      ) {
        throw new SfnError('ValidationException', `Invalid statusFilter '${statusFilter}'`);
      }
      const records = store
        .list(machine.arn)
        .filter((r) => !statusFilter || r.status === statusFilter)
        .filter((r) => !redriveFilter || r.redriveCount > 0 === (redriveFilter === 'REDRIVEN'));
      const { items, nextToken } = page(records, input);
      return { executions: items.map(summary), ...(nextToken ? { nextToken } : {}) };
    },
    GetExecutionHistory: (input) => {
      const record = executionOf(requiredString(input, 'executionArn'));
      const events = input.reverseOrder === true ? [...record.events].reverse() : record.events;
      const includeData = input.includeExecutionData !== false;
      const { items, nextToken } = page(events, input);
      return { events: items.map((e) => eventJson(e, includeData)), ...(nextToken ? { nextToken } : {}) };
    },
    StopExecution: (input) => {
      const error = optionalString(input, 'error', maxLength.error);
      const cause = optionalString(input, 'cause', maxLength.cause);
      const record = executionOf(requiredString(input, 'executionArn'));
      if (record.status === 'RUNNING') runner.stop(record.executionArn, error, cause);
      // AWS answers a stop of an already-closed execution with its stop date, not an error.
      return { stopDate: new Timestamp(record.stopDate ?? Date.now()) };
    },
    RedriveExecution: (input) => {
      const record = executionOf(requiredString(input, 'executionArn'));
      const reason = notRedrivable(record);
      if (reason || !record.currentState)
        throw new SfnError('ExecutionNotRedrivable', `${reason}: '${record.executionArn}'`);
      const machine = machineOf(record.stateMachineArn);
      const from = record.currentState;
      record.status = 'RUNNING';
      record.redriveCount += 1;
      record.redriveDate = Date.now();
      record.output = undefined;
      record.error = undefined;
      record.cause = undefined;
      record.stopDate = undefined;
      store.append(record, 'ExecutionRedriven', 'executionRedrivenEventDetails', {
        redriveCount: record.redriveCount,
      });
      runner.start(record, machine, from);
      return { redriveDate: new Timestamp(record.redriveDate) };
    },
    SendTaskSuccess: (input) => {
      const token = requiredString(input, 'taskToken', maxLength.taskToken);
      const outputText = requiredString(input, 'output');
      if (outputText.length > limits.payloadBytes) throw tooLong('output', limits.payloadBytes);
      let output: unknown;
      try {
        output = JSON.parse(outputText);
      } catch {
        throw new SfnError('InvalidOutput', 'Invalid Output: output must be JSON');
      }
      return tokenCall(() => broker.succeed(token, output));
    },
    SendTaskFailure: (input) => {
      const token = requiredString(input, 'taskToken', maxLength.taskToken);
      const error = optionalString(input, 'error', maxLength.error);
      const cause = optionalString(input, 'cause', maxLength.cause);
      return tokenCall(() => broker.fail(token, error, cause));
    },
    SendTaskHeartbeat: (input) => {
      const token = requiredString(input, 'taskToken', maxLength.taskToken);
      return tokenCall(() => broker.heartbeat(token));
    },
  };

  const server = createProtocolServer(operations);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      // Running executions stay RUNNING in the saved file; the next start marks them failed (redrivable).
      runner.abortAll();
      store.flush();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      dynamodb?.destroy();
      sqs?.destroy();
    },
    setFault: (f) => {
      const name = f.stateMachine.startsWith('arn:')
        ? (f.stateMachine.split(':').pop() ?? f.stateMachine)
        : f.stateMachine;
      faults.set(name, f.state, f);
    },
    clearFaults: () => faults.clear(),
  };
}
