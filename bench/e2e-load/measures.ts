import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux); undefined elsewhere. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime are fields 14 and 15 of /proc/<pid>/stat, counted in clock ticks (100 a second).
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}

/** This process's CPU time so far, in ms (every thread: the Lambda workers are threads of it). */
export const ownCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] as number;
}

export interface CapacityTotals {
  read: number;
  write: number;
  requests: number;
  byOperation: Record<string, { requests: number; units: number; refused: number }>;
}

/** The capacity proxy, started in its own process (./proxy-process.ts). */
export async function startProxyProcess(target: string): Promise<{
  url: string;
  totals(): Promise<CapacityTotals>;
  stop(): void;
}> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./proxy-process.ts', import.meta.url)), target],
    { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once('exit', (code) => reject(new Error(`capacity proxy exited with ${code}`)));
  });
  return {
    url,
    totals: () =>
      new Promise((resolve) => {
        child.once('message', (message) => resolve(message as CapacityTotals));
        child.send('totals');
      }),
    stop: () => child.kill(),
  };
}
