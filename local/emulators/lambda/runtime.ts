import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { FunctionError, functionNameOf, type LambdaInvoker } from './invoker';

export interface LocalFunction {
  readonly name: string;
  /** file: URL of the function's bundled module (see bundle.ts). */
  readonly moduleUrl: string;
  /** Exactly the environment the CDK definition gives this function (references already resolved). */
  readonly environment: Readonly<Record<string, string>>;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
}

export interface InvocationRecord {
  readonly functionName: string;
  readonly requestId: string;
  readonly durationMs: number;
  readonly coldStart: boolean;
  readonly errorType?: string;
}

export interface LambdaRuntime extends LambdaInvoker {
  readonly functionNames: readonly string[];
  /** Observers for logs, metrics and benchmarks (invocation counts). */
  onInvocation(listener: (record: InvocationRecord) => void): void;
  /** Starts every function's worker and loads its module (all cold starts at once). */
  warm(): Promise<void>;
  close(): Promise<void>;
}

type WorkerReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; errorType: string; errorMessage: string; stack: string[] };

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
}

const bootstrapUrl = new URL('./worker-bootstrap.mjs', import.meta.url);

interface Sandbox {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
  /** Retired after a timeout: takes no new invocations and is terminated once its last one settles. */
  retired: boolean;
}

/**
 * The local Lambda service: each function runs in its own worker thread, started on first use (a cold
 * start), with the AWS runtime variables plus exactly its own environment. A worker serves concurrent
 * invocations (they are asynchronous). A timed-out invocation fails alone, as in Lambda, and its worker
 * is retired like a discarded sandbox: new invocations get a fresh worker, the others in flight finish.
 */
export function createLambdaRuntime(
  functions: readonly LocalFunction[],
  runtimeEnvironment: () => Readonly<Record<string, string>>,
  /** Where function logs go (CloudWatch Logs, locally); dropped when absent. */
  onLog?: (functionName: string, line: string) => void,
): LambdaRuntime {
  const byName = new Map(functions.map((fn) => [fn.name, fn]));
  const workers = new Map<string, Sandbox>();
  const retiredSandboxes = new Set<Sandbox>();
  const listeners: ((record: InvocationRecord) => void)[] = [];
  let nextId = 1;

  /** The worker is gone (crash, exit, shutdown): everything it was running fails. */
  function discard(name: string, sandbox: Sandbox, reason: Error): void {
    if (workers.get(name) === sandbox) workers.delete(name);
    retiredSandboxes.delete(sandbox);
    for (const pending of sandbox.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(reason);
    }
    sandbox.pending.clear();
    void sandbox.worker.terminate();
  }

  function retire(name: string, sandbox: Sandbox): void {
    sandbox.retired = true;
    if (workers.get(name) === sandbox) workers.delete(name);
    if (sandbox.pending.size === 0) void sandbox.worker.terminate();
    else retiredSandboxes.add(sandbox);
  }

  function workerFor(fn: LocalFunction): { entry: Sandbox; cold: boolean } {
    const existing = workers.get(fn.name);
    if (existing) return { entry: existing, cold: false };
    const worker = new Worker(bootstrapUrl, {
      env: {
        ...runtimeEnvironment(),
        AWS_LAMBDA_FUNCTION_NAME: fn.name,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
        ...fn.environment,
      },
      workerData: {
        entryUrl: fn.moduleUrl,
        functionName: fn.name,
        memoryMb: fn.memoryMb,
        timeoutSeconds: fn.timeoutSeconds,
      },
      stdout: true,
      stderr: true,
    });
    for (const stream of [worker.stdout, worker.stderr]) {
      let buffered = '';
      stream.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) onLog?.(fn.name, line);
      });
    }
    const entry: Sandbox = { worker, pending: new Map<number, Pending>(), retired: false };
    worker.on('message', (reply: WorkerReply) => {
      const pending = entry.pending.get(reply.id);
      if (!pending) return;
      entry.pending.delete(reply.id);
      clearTimeout(pending.timer);
      if (reply.ok) pending.resolve(reply.result);
      else pending.reject(new FunctionError(reply.errorType, reply.errorMessage));
      if (entry.retired && entry.pending.size === 0) discard(fn.name, entry, new Error('retired'));
    });
    worker.on('error', (error) =>
      discard(fn.name, entry, new FunctionError('Runtime.ExitError', error.message)),
    );
    worker.on('exit', () =>
      discard(fn.name, entry, new FunctionError('Runtime.ExitError', `${fn.name} exited`)),
    );
    workers.set(fn.name, entry);
    return { entry, cold: true };
  }

  return {
    functionNames: functions.map((fn) => fn.name),
    onInvocation(listener) {
      listeners.push(listener);
    },
    async invoke(functionNameOrArn, payload) {
      const name = functionNameOf(functionNameOrArn);
      const fn = byName.get(name);
      if (!fn) throw new FunctionError('ResourceNotFoundException', `Function not found: ${name}`);
      const { entry, cold } = workerFor(fn);
      const id = nextId++;
      const requestId = randomUUID();
      const started = performance.now();
      const notify = (errorType?: string) => {
        const record = {
          functionName: name,
          requestId,
          durationMs: performance.now() - started,
          coldStart: cold,
          errorType,
        };
        for (const listener of listeners) listener(record);
      };
      // Payloads cross the thread boundary as JSON, exactly as Lambda serialises them.
      const event: unknown = JSON.parse(JSON.stringify(payload ?? null));
      try {
        const result = await new Promise<unknown>((resolvePromise, reject) => {
          const timer = setTimeout(() => {
            entry.pending.delete(id);
            reject(
              new FunctionError('Sandbox.Timedout', `Task timed out after ${fn.timeoutSeconds} seconds`),
            );
            retire(name, entry);
          }, fn.timeoutSeconds * 1000);
          entry.pending.set(id, { resolve: resolvePromise, reject, timer });
          entry.worker.postMessage({ id, requestId, event });
        });
        notify();
        return result;
      } catch (error) {
        notify(error instanceof FunctionError ? error.errorType : 'Error');
        throw error;
      }
    },
    async warm() {
      // Pays every cold start up front, in parallel, so the first requests are not slow.
      await Promise.all(
        functions.map(
          (fn) =>
            new Promise<void>((resolvePromise) => {
              const { entry } = workerFor(fn);
              const id = nextId++;
              const timer = setTimeout(() => resolvePromise(), 60_000);
              entry.pending.set(id, {
                resolve: () => resolvePromise(),
                reject: () => resolvePromise(),
                timer,
              });
              entry.worker.postMessage({ id, warm: true });
            }),
        ),
      );
    },
    async close() {
      const stopping = new FunctionError('Runtime.ExitError', 'local cloud stopping');
      for (const [name, sandbox] of [...workers]) discard(name, sandbox, stopping);
      for (const sandbox of [...retiredSandboxes]) discard('', sandbox, stopping);
    },
  };
}
