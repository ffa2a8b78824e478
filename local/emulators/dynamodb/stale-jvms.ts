import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';

/**
 * DynamoDB Local JVMs left behind on a data directory. What a process runs is read from Linux's /proc;
 * where there is none (macOS) nothing is found, and only the watchdog guards against strays.
 */

/** The process's arguments, or undefined when it is gone or /proc cannot tell. */
function argvOf(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
  } catch {
    return undefined;
  }
}

/** State letter and parent pid from /proc/<pid>/stat (the command name in brackets may hold spaces). */
function statOf(pid: number): { state: string; parentPid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, parentPid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return state && parentPid ? { state, parentPid: Number(parentPid) } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the process still runs. A zombie has exited and holds no file, though signal 0 still reaches it. */
export function processIsRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return statOf(pid)?.state !== 'Z';
}

function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** The database directory a DynamoDB Local JVM was started on, resolved against its working directory. */
function dbPathOf(pid: number): string | undefined {
  const argv = argvOf(pid);
  // The watchdog's arguments name the jar and the directory too: only the java process itself counts.
  if (!argv?.[0] || basename(argv[0]) !== 'java' || !argv.some((arg) => arg.endsWith('DynamoDBLocal.jar')))
    return undefined;
  const at = argv.indexOf('-dbPath');
  const dbPath = at < 0 ? undefined : argv[at + 1];
  if (dbPath === undefined) return undefined;
  if (isAbsolute(dbPath)) return canonical(dbPath);
  try {
    return canonical(resolve(readlinkSync(`/proc/${pid}/cwd`), dbPath));
  } catch {
    return undefined;
  }
}

export interface JvmOnDbPath {
  readonly pid: number;
  /**
   * Its parent is a watchdog, which lives only as long as the run that started it. Compared by file name,
   * so that a run from another checkout of the same emulator counts too.
   */
  readonly watched: boolean;
}

export function dynamoDbLocalJvmsOn(dbPath: string, watchdogPath: string): JvmOnDbPath[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return [];
  }
  const wanted = canonical(dbPath);
  return entries
    .map(Number)
    .filter((pid) => pid !== process.pid && dbPathOf(pid) === wanted && processIsRunning(pid))
    .map((pid) => {
      const parentPid = statOf(pid)?.parentPid;
      const parentArgv = parentPid === undefined ? undefined : argvOf(parentPid);
      const parentScript = parentArgv?.[1];
      return {
        pid,
        watched: parentScript !== undefined && basename(parentScript) === basename(watchdogPath),
      };
    });
}

async function waitUntilStopped(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (processIsRunning(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return;
    throw new Error(`cannot stop DynamoDB Local (pid ${pid}): ${(error as Error).message}`);
  }
}

/**
 * Before a JVM opens `dbPath`, none other may have it open: two JVMs on one database file corrupt it.
 * A JVM without a watchdog was orphaned (by an earlier run killed with SIGKILL, or by a version without
 * the watchdog): it is stopped, SIGTERM then SIGKILL, and one line says so. A watched JVM belongs to a run
 * that is alive, or that has just died and whose watchdog is stopping it: it gets that long to go, then
 * the start is refused rather than killing another run's database.
 */
export async function stopStaleJvms(
  dbPath: string,
  watchdogPath: string,
  log: (line: string) => void,
): Promise<void> {
  const jvms = dynamoDbLocalJvmsOn(dbPath, watchdogPath);
  for (const { pid } of jvms.filter((jvm) => jvm.watched)) {
    if (!(await waitUntilStopped(pid, 5_000)))
      throw new Error(
        `DynamoDB Local (pid ${pid}) of another running local cloud already serves ${dbPath}: stop that one first.`,
      );
  }
  for (const { pid } of jvms.filter((jvm) => !jvm.watched)) {
    signal(pid, 'SIGTERM');
    if (!(await waitUntilStopped(pid, 5_000))) signal(pid, 'SIGKILL');
    if (!(await waitUntilStopped(pid, 5_000)))
      throw new Error(`DynamoDB Local (pid ${pid}) on ${dbPath} did not stop`);
    log(`Stopped a stale DynamoDB Local (pid ${pid}) left running on ${dbPath} by an earlier run`);
  }
}
