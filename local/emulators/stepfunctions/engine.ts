import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { LambdaInvoker } from '../lambda/invoker';
import { localAccountId, localCredentials, localRegion } from '../protocol/identity';
import { limits, payloadBytes, validName } from './asl/limits';
import type { TaskOutcome } from './asl/progress';
import { type ExecutionRecord, ExecutionStore } from './executions';
import { FaultRegistry } from './fault-injection';
import { SfnError, tooLong } from './protocol';
import { type CompiledMachine, ExecutionRunner } from './runner';
import { TokenBroker } from './tokens';

export interface EngineOptions {
  readonly machines: readonly CompiledMachine[];
  readonly invoker: LambdaInvoker;
  /** Endpoints for the direct SDK integrations (dynamodb:*, sqs:sendMessage). */
  readonly dynamodbEndpoint?: string;
  readonly sqsEndpoint?: string;
  /**
   * When set, executions (with their histories and where they are) are kept in this directory and, after a
   * restart, running ones carry on.
   */
  readonly persistDir?: string;
  /** Multiplies Retry IntervalSeconds (default 1 = AWS timing); tests pass ~0 so retries do not wait. */
  readonly retryIntervalScale?: number;
  /**
   * Multiplies Task timeouts (TimeoutSeconds, TimeoutSecondsPath) when they are enforced (default 1 = AWS
   * timing); the history still shows the declared timeout. Tests of deadlines hours away pass ~0.001.
   */
  readonly taskTimeoutScale?: number;
  /** Told whenever an execution closes, however it ended. */
  readonly onExecutionClosed?: (execution: ClosedExecution) => void;
}

/** How an execution ended, for the host (npm start prints the failures). */
export interface ClosedExecution {
  readonly executionArn: string;
  readonly name: string;
  readonly status: string;
  /** The state it was in when it ended (where a redrive would start). */
  readonly state?: string;
  readonly error?: string;
  readonly cause?: string;
}

const executionArnOf = (machineName: string, executionName: string): string =>
  `arn:aws:states:${localRegion}:${localAccountId}:execution:${machineName}:${executionName}`;

/**
 * The service behind the API: its state machines, the execution records, the task tokens, injected faults
 * and the runner. The API operations (api/) read and change it only through here.
 */
export class StepFunctionsEngine {
  readonly machines = new Map<string, CompiledMachine>();
  readonly store: ExecutionStore;
  readonly broker: TokenBroker;
  readonly faults = new FaultRegistry();
  readonly runner: ExecutionRunner;
  private readonly clients: { dynamodb?: DynamoDBClient; sqs?: SQSClient };

  constructor(options: EngineOptions) {
    for (const machine of options.machines) this.machines.set(machine.arn, machine);
    this.store = new ExecutionStore(options.persistDir, (record) =>
      options.onExecutionClosed?.({
        executionArn: record.executionArn,
        name: record.name,
        status: record.status,
        state: record.currentState?.name,
        error: record.error,
        cause: record.cause,
      }),
    );
    this.store.load();
    this.broker = new TokenBroker(this.store.tokenSecret, {
      answered: (arn, token, answer) => this.recordCallback(arn, token, { answer }),
      heartbeat: (arn, token, heartbeatAt) => this.recordCallback(arn, token, { heartbeatAt }),
    });
    const sdk = { region: localRegion, credentials: localCredentials };
    this.clients = {
      ...(options.dynamodbEndpoint
        ? { dynamodb: new DynamoDBClient({ ...sdk, endpoint: options.dynamodbEndpoint }) }
        : {}),
      ...(options.sqsEndpoint ? { sqs: new SQSClient({ ...sdk, endpoint: options.sqsEndpoint }) } : {}),
    };
    this.runner = new ExecutionRunner({
      store: this.store,
      broker: this.broker,
      faults: this.faults,
      retryIntervalScale: options.retryIntervalScale ?? 1,
      taskTimeoutScale: options.taskTimeoutScale ?? 1,
      resources: {
        invoker: options.invoker,
        ...this.clients,
        startExecution: async (arn, input, name) => {
          const record = this.startExecution(
            arn,
            typeof input === 'string' ? input : JSON.stringify(input),
            name,
          );
          return { executionArn: record.executionArn, startDate: record.startDate };
        },
        awaitExecution: async (arn) => {
          await this.runner.whenDone(arn);
          return this.executionOf(arn);
        },
      },
    });
    this.resumeRunning();
  }

  /**
   * Executions that were running when the service stopped carry on, as on AWS. The token a callback task was
   * waiting on is live again before the service takes any request, with the answer if one was recorded.
   */
  private resumeRunning(): void {
    for (const record of this.store.running()) {
      const machine = this.machines.get(record.stateMachineArn);
      if (!machine) {
        const cause = `The state machine ${record.stateMachineName} is no longer defined`;
        this.store.close(record, { status: 'FAILED', error: 'States.Runtime', cause });
        continue;
      }
      const attempt = record.currentState?.progress?.attempt;
      if (attempt?.token && !attempt.outcome) {
        const { callback } = record;
        const answer = callback?.token === attempt.token ? callback.answer : undefined;
        this.broker.restore(record.executionArn, attempt.token, answer);
      }
      this.runner.resume(record, machine);
    }
  }

  /** A caller answered, or kept alive, the token the current Task of an execution waits on: recorded first. */
  private recordCallback(
    executionArn: string,
    token: string,
    change: { answer?: TaskOutcome; heartbeatAt?: number },
  ): void {
    const record = this.store.get(executionArn);
    if (record?.status !== 'RUNNING' || record.currentState?.progress?.attempt?.token !== token) return;
    const previous = record.callback?.token === token ? record.callback : { token };
    this.store.callback(record, { ...previous, ...change });
  }

  machineOf(arn: string): CompiledMachine {
    const machine = this.machines.get(arn);
    if (!machine) throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  executionOf(arn: string): ExecutionRecord {
    const record = this.store.get(arn);
    if (!record) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return record;
  }

  /** StartExecution's rules: input within the quota and JSON, a valid name, idempotent while RUNNING. */
  startExecution(stateMachineArn: string, input: string, requestedName: string | undefined): ExecutionRecord {
    const machine = this.machineOf(stateMachineArn);
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
    const existing = this.store.get(executionArn);
    if (existing) {
      // AWS (Standard): the same name and input while RUNNING is idempotent; a closed one or other input is a conflict.
      if (existing.status === 'RUNNING' && existing.input === input) return existing;
      throw new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const record = this.store.create({
      executionArn,
      stateMachineArn: machine.arn,
      stateMachineName: machine.name,
      name,
      input,
    });
    this.runner.start(record, machine);
    return record;
  }

  /** Why RedriveExecution would refuse this execution (AWS's redriveStatusReason), or undefined. */
  notRedrivable(record: ExecutionRecord): string | undefined {
    if (!this.machines.has(record.stateMachineArn))
      return `Execution is ${record.status} and cannot be redriven`;
    return this.store.notRedrivable(record);
  }

  redrive(record: ExecutionRecord): void {
    const reason = this.notRedrivable(record);
    if (reason) throw new SfnError('ExecutionNotRedrivable', `${reason}: '${record.executionArn}'`);
    const machine = this.machineOf(record.stateMachineArn);
    this.runner.start(record, machine, this.store.redrive(record));
  }

  /** Running executions stay RUNNING in their journals; the next start carries them on. */
  close(): void {
    this.runner.abortAll();
    this.clients.dynamodb?.destroy();
    this.clients.sqs?.destroy();
  }
}
