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
  | { initialized: true }
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; errorType: string; errorMessage: string; stack: string[] };

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  /** Started once the sandbox is initialized: the function timeout counts the handler, not the Init. */
  timer?: NodeJS.Timeout;
}

/**
 * Lambda gives Init (module top-level code) up to 10 s of its own, outside the function timeout; only an
 * Init that overruns is retried inside the first invocation, under the function timeout
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html#runtimes-lifecycle-ib).
 * So an invocation's timeout starts when the sandbox is initialized, or at the latest 10 s after it began.
 */
const initLimitMs = 10_000;

const bootstrapUrl = new URL('./worker-bootstrap.mjs', import.meta.url);

interface Sandbox {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
  /** Settles when the handler module has loaded, or when the Init limit has passed. */
  readonly initialized: Promise<void>;
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
  return new WorkerRuntime(functions, runtimeEnvironment, onLog);
}

class WorkerRuntime implements LambdaRuntime {
  readonly functionNames: readonly string[];
  private readonly byName: Map<string, LocalFunction>;
  private readonly workers = new Map<string, Sandbox>();
  private readonly retiredSandboxes = new Set<Sandbox>();
  private readonly listeners: ((record: InvocationRecord) => void)[] = [];
  private nextId = 1;

  constructor(
    private readonly functions: readonly LocalFunction[],
    private readonly runtimeEnvironment: () => Readonly<Record<string, string>>,
    private readonly onLog?: (functionName: string, line: string) => void,
  ) {
    this.functionNames = functions.map((fn) => fn.name);
    this.byName = new Map(functions.map((fn) => [fn.name, fn]));
  }

  onInvocation(listener: (record: InvocationRecord) => void): void {
    this.listeners.push(listener);
  }

  async invoke(functionNameOrArn: string, payload: unknown): Promise<unknown> {
    const name = functionNameOf(functionNameOrArn);
    const fn = this.byName.get(name);
    if (!fn) throw new FunctionError('ResourceNotFoundException', `Function not found: ${name}`);
    const { entry, cold } = this.workerFor(fn);
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
      for (const listener of this.listeners) listener(record);
    };
    try {
      const result = await this.send(fn, entry, requestId, payload);
      notify();
      return result;
    } catch (error) {
      notify(error instanceof FunctionError ? error.errorType : 'Error');
      throw error;
    }
  }

  /** Pays every cold start up front, in parallel, so the first requests are not slow. */
  async warm(): Promise<void> {
    await Promise.all(
      this.functions.map(
        (fn) =>
          new Promise<void>((resolvePromise) => {
            const { entry } = this.workerFor(fn);
            const id = this.nextId++;
            const timer = setTimeout(() => resolvePromise(), 60_000);
            entry.pending.set(id, { resolve: () => resolvePromise(), reject: () => resolvePromise(), timer });
            entry.worker.postMessage({ id, warm: true });
          }),
      ),
    );
  }

  async close(): Promise<void> {
    const stopping = new FunctionError('Runtime.ExitError', 'local cloud stopping');
    for (const [name, sandbox] of [...this.workers]) this.discard(name, sandbox, stopping);
    for (const sandbox of [...this.retiredSandboxes]) this.discard('', sandbox, stopping);
  }

  /** One invocation on a sandbox; past the function's timeout it fails with Sandbox.Timedout. */
  private send(fn: LocalFunction, entry: Sandbox, requestId: string, payload: unknown): Promise<unknown> {
    const id = this.nextId++;
    // Payloads cross the thread boundary as JSON, exactly as Lambda serialises them.
    const event: unknown = JSON.parse(JSON.stringify(payload ?? null));
    return new Promise<unknown>((resolvePromise, reject) => {
      const pending: Pending = { resolve: resolvePromise, reject };
      entry.pending.set(id, pending);
      void entry.initialized.then(() => {
        if (entry.pending.get(id) !== pending) return;
        pending.timer = setTimeout(() => {
          entry.pending.delete(id);
          reject(new FunctionError('Sandbox.Timedout', `Task timed out after ${fn.timeoutSeconds} seconds`));
          this.retire(fn.name, entry);
        }, fn.timeoutSeconds * 1000);
      });
      entry.worker.postMessage({ id, requestId, event });
    });
  }

  /** The worker is gone (crash, exit, shutdown): everything it was running fails. */
  private discard(name: string, sandbox: Sandbox, reason: Error): void {
    if (this.workers.get(name) === sandbox) this.workers.delete(name);
    this.retiredSandboxes.delete(sandbox);
    for (const pending of sandbox.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(reason);
    }
    sandbox.pending.clear();
    void sandbox.worker.terminate();
  }

  private retire(name: string, sandbox: Sandbox): void {
    sandbox.retired = true;
    if (this.workers.get(name) === sandbox) this.workers.delete(name);
    if (sandbox.pending.size === 0) void sandbox.worker.terminate();
    else this.retiredSandboxes.add(sandbox);
  }

  private workerFor(fn: LocalFunction): { entry: Sandbox; cold: boolean } {
    const existing = this.workers.get(fn.name);
    if (existing) return { entry: existing, cold: false };
    const worker = new Worker(bootstrapUrl, {
      env: {
        ...this.runtimeEnvironment(),
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
    this.forwardLogs(fn.name, worker);
    let markInitialized = () => {};
    const initialized = new Promise<void>((resolveInit) => {
      markInitialized = resolveInit;
      setTimeout(resolveInit, initLimitMs).unref();
    });
    const entry: Sandbox = { worker, pending: new Map<number, Pending>(), initialized, retired: false };
    worker.on('message', (reply: WorkerReply) =>
      'initialized' in reply ? markInitialized() : this.settle(fn.name, entry, reply),
    );
    worker.on('error', (error) =>
      this.discard(fn.name, entry, new FunctionError('Runtime.ExitError', error.message)),
    );
    worker.on('exit', () =>
      this.discard(fn.name, entry, new FunctionError('Runtime.ExitError', `${fn.name} exited`)),
    );
    this.workers.set(fn.name, entry);
    return { entry, cold: true };
  }

  private forwardLogs(functionName: string, worker: Worker): void {
    for (const stream of [worker.stdout, worker.stderr]) {
      let buffered = '';
      stream.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) this.onLog?.(functionName, line);
      });
    }
  }

  private settle(name: string, entry: Sandbox, reply: Exclude<WorkerReply, { initialized: true }>): void {
    const pending = entry.pending.get(reply.id);
    if (!pending) return;
    entry.pending.delete(reply.id);
    clearTimeout(pending.timer);
    if (reply.ok) pending.resolve(reply.result);
    else pending.reject(new FunctionError(reply.errorType, reply.errorMessage));
    if (entry.retired && entry.pending.size === 0) this.discard(name, entry, new Error('retired'));
  }
}
