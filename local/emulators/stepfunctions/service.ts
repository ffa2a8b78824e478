import type { AddressInfo } from 'node:net';
import type { LambdaInvoker } from '../lambda/invoker';
import { executionOperations } from './api/execution-operations';
import { machineOperations } from './api/machine-operations';
import { taskOperations } from './api/task-operations';
import { type ClosedExecution, StepFunctionsEngine } from './engine';
import type { FaultDefinition, FaultRegistry } from './fault-injection';
import { createProtocolServer } from './protocol';
import { allStates, compileMachine } from './runner';
import { assertValidDefinition } from './validation';

export interface StepFunctionsServiceOptions {
  /** 0/undefined = a free port on 127.0.0.1. */
  port?: number;
  /** ASL JSON after `${}` substitution. */
  stateMachines: { name: string; definition: string; roleArn?: string }[];
  invoker: LambdaInvoker;
  /** Endpoints for the direct SDK integrations (dynamodb:*, sqs:sendMessage). */
  dynamodbEndpoint?: string;
  sqsEndpoint?: string;
  /**
   * When set, executions (with their histories and where they are) are kept in this directory; after a
   * restart, running ones carry on.
   */
  persistDir?: string;
  /** Multiplies Retry IntervalSeconds (default 1 = AWS timing); tests pass ~0 so retries do not wait. */
  retryIntervalScale?: number;
  /**
   * Multiplies Task timeouts (TimeoutSeconds, TimeoutSecondsPath) when they are enforced (default 1 = AWS
   * timing); the history still shows the declared timeout. Tests of deadlines hours away pass ~0.001.
   */
  taskTimeoutScale?: number;
  /** Told whenever an execution closes (SUCCEEDED, FAILED, TIMED_OUT or ABORTED). */
  onExecutionClosed?: (execution: ClosedExecution) => void;
}

export interface StepFunctionsService {
  url: string;
  close(): Promise<void>;
  /**
   * Local only: the Task state throws `error` before (or after) calling its resource for the next `times`
   * attempts. Throws UnknownFaultTarget for a machine or Task state that does not exist.
   */
  setFault(f: { stateMachine: string; state: string } & FaultDefinition): void;
  clearFaults(): void;
  /** The faults still armed (the console shows them, so a rehearsal is never mistaken for an incident). */
  listFaults(): ReturnType<FaultRegistry['list']>;
}

/** Starts the local Step Functions endpoint: validates and loads the machines, then serves the API. */
export async function startStepFunctionsService(
  o: StepFunctionsServiceOptions,
): Promise<StepFunctionsService> {
  // AWS's CreateStateMachine refuses an invalid definition; so does the local service, before it starts.
  for (const { name, definition } of o.stateMachines)
    await assertValidDefinition(`state machine "${name}"`, definition);
  const engine = new StepFunctionsEngine({
    ...o,
    machines: o.stateMachines.map((m) => compileMachine(m.name, m.definition, m.roleArn)),
  });
  const server = createProtocolServer({
    ...machineOperations(engine),
    ...executionOperations(engine),
    ...taskOperations(engine),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      engine.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    setFault: (f) => {
      const name = f.stateMachine.startsWith('arn:')
        ? (f.stateMachine.split(':').pop() ?? f.stateMachine)
        : f.stateMachine;
      // A typo must not silently inject nothing: only a Task state of a loaded machine can fail.
      const machine = [...engine.machines.values()].find((m) => m.name === name);
      if (!machine) throw new UnknownFaultTarget(`no state machine named '${name}'`);
      const tasks = [...allStates(machine.parsed)]
        .filter(([, state]) => state.Type === 'Task')
        .map(([stateName]) => stateName);
      if (!tasks.includes(f.state))
        throw new UnknownFaultTarget(`'${f.state}' is not a Task state of ${name} (${tasks.join(', ')})`);
      engine.faults.set(name, f.state, f);
    },
    clearFaults: () => engine.faults.clear(),
    listFaults: () => engine.faults.list(),
  };
}

/** A fault named a state machine or a Task state that does not exist. */
export class UnknownFaultTarget extends Error {}
