import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** One history event as GetExecutionHistory returns it (timestamp kept in epoch ms; details under their AWS member name). */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  details?: { member: string; value: Record<string, unknown> };
}

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  stateMachineName: string;
  name: string;
  status: ExecutionStatus;
  /** The input as the caller sent it (a JSON string), echoed back verbatim like AWS. */
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  startDate: number;
  stopDate?: number;
  redriveCount: number;
  redriveDate?: number;
  /**
   * The top-level state the execution was last in and that state's input: when the execution fails,
   * this is the failed state, and RedriveExecution resumes there with exactly this input.
   */
  currentState?: { name: string; input: unknown };
  events: HistoryEvent[];
}

interface PersistedFile {
  version: 1;
  executions: ExecutionRecord[];
  /** Signs task tokens (base64): kept so a token issued before a restart is still recognised as spent. */
  tokenSecret?: string;
}

/**
 * All execution records with their histories. Optionally persisted to one JSON file, written debounced and
 * atomically (temp file + rename) so a crash mid-write never leaves a truncated file behind.
 */
export class ExecutionStore {
  private readonly records = new Map<string, ExecutionRecord>();
  private saveTimer: NodeJS.Timeout | undefined;
  /** The key task tokens are signed with; persisted with the records. */
  tokenSecret: Buffer = randomBytes(32);

  constructor(private readonly persistFile?: string) {}

  /**
   * Loads persisted records. Executions that were RUNNING when the process stopped cannot continue (their
   * in-memory state, timers and task tokens are gone), so they become FAILED with `States.Runtime`: that
   * keeps them redrivable from the state they were in.
   */
  load(): void {
    if (!this.persistFile || !existsSync(this.persistFile)) return;
    const parsed = JSON.parse(readFileSync(this.persistFile, 'utf8')) as PersistedFile;
    if (parsed.tokenSecret) this.tokenSecret = Buffer.from(parsed.tokenSecret, 'base64');
    for (const record of parsed.executions ?? []) {
      this.records.set(record.executionArn, record);
      if (record.status === 'RUNNING') {
        const cause = 'local cloud restarted';
        record.status = 'FAILED';
        record.error = 'States.Runtime';
        record.cause = cause;
        record.stopDate = Date.now();
        this.append(record, 'ExecutionFailed', 'executionFailedEventDetails', {
          error: 'States.Runtime',
          cause,
        });
      }
    }
  }

  add(record: ExecutionRecord): void {
    this.records.set(record.executionArn, record);
    this.changed();
  }

  get(executionArn: string): ExecutionRecord | undefined {
    return this.records.get(executionArn);
  }

  /** Newest first, like ListExecutions. */
  list(stateMachineArn: string): ExecutionRecord[] {
    return [...this.records.values()]
      .filter((record) => record.stateMachineArn === stateMachineArn)
      .sort((a, b) => b.startDate - a.startDate || (a.executionArn < b.executionArn ? 1 : -1));
  }

  /** Appends an AWS history event; `previousEventId` is the event before it, as in a linear AWS history. */
  append(
    record: ExecutionRecord,
    type: string,
    member?: string,
    value?: Record<string, unknown>,
  ): HistoryEvent {
    const id = record.events.length + 1;
    const event: HistoryEvent = { id, previousEventId: id - 1, timestamp: Date.now(), type };
    if (member && value) event.details = { member, value };
    record.events.push(event);
    this.changed();
    return event;
  }

  /** Schedules a save; many events in a burst become one write. */
  changed(): void {
    if (!this.persistFile || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.save();
    }, 50);
    this.saveTimer.unref();
  }

  /** Writes now (used on close so nothing recorded is lost). */
  flush(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    this.save();
  }

  private save(): void {
    if (!this.persistFile) return;
    const file: PersistedFile = {
      version: 1,
      executions: [...this.records.values()],
      tokenSecret: this.tokenSecret.toString('base64'),
    };
    mkdirSync(dirname(this.persistFile), { recursive: true });
    const temp = `${this.persistFile}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(file));
    renameSync(temp, this.persistFile);
  }
}
