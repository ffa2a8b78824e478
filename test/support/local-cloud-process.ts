import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Endpoints {
  api: string;
  dynamodb: string;
  stepfunctions: string;
  sqs: string;
  keys: {
    channel: string;
    channels: Record<string, string>;
    ops: string;
    staff: Record<string, string>;
    supplier: Record<string, string>;
    courier: Record<string, string>;
    courierSigningSecret: Record<string, string>;
  };
}

export interface RunningLocalCloud {
  endpoints: Endpoints;
  process: ChildProcess;
  output: () => string;
  startupMs: number;
  stop(): Promise<number | null>;
}

/** Runs `npm start`'s entry point exactly as a user does, in its own state directory, on free ports. */
export async function spawnLocalCloud(
  extraArgs: string[] = [],
  stateDir: string = mkdtempSync(join(tmpdir(), 'o2o-local-')),
): Promise<RunningLocalCloud> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts', ...extraArgs], {
    env: {
      ...process.env,
      PORT: '0',
      LOCAL_STATE_DIR: stateDir,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const endpointsFile = join(stateDir, 'endpoints.json');
  rmSync(endpointsFile, { force: true });
  const deadline = Date.now() + 180_000;
  while (!existsSync(endpointsFile)) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`npm start did not become ready:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const endpoints = JSON.parse(readFileSync(endpointsFile, 'utf8')) as Endpoints;
  return {
    endpoints,
    process: child,
    output: () => output,
    startupMs: Date.now() - started,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}

export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}
