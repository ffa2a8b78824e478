import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { EngineSnapshot } from './engine';
import { isRecord } from './input';

const persistDebounceMs = 100;

export function loadSnapshot(file: string): EngineSnapshot | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed: unknown = JSON.parse(text);
  if (!isRecord(parsed) || parsed.version !== 1 || !Array.isArray(parsed.queues)) {
    throw new Error(`${file} is not a local SQS state file (version 1)`);
  }
  return parsed as unknown as EngineSnapshot;
}

/**
 * Saves the engine's snapshot to a file, debounced (a burst of changes is one write) and atomically
 * (write then rename, so a crash mid-write never leaves a truncated state file behind).
 */
export class SnapshotFile {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string | undefined,
    private readonly snapshot: () => EngineSnapshot,
  ) {}

  schedule(): void {
    if (!this.file || this.timer) return;
    this.timer = setTimeout(() => this.saveNow(), persistDebounceMs);
    this.timer.unref();
  }

  saveNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.file) return;
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.snapshot()));
    renameSync(temporary, this.file);
  }
}
