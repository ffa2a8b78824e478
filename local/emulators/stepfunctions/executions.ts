import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { limits } from './asl/limits';

const historyEventLimit = limits.historyEvents;

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

/** How an execution ended; the store records it on the execution and as AWS's closing history event. */
export interface Closing {
  readonly status: Exclude<ExecutionStatus, 'RUNNING'>;
  readonly error?: string;
  readonly cause?: string;
  /** SUCCEEDED only: the execution's output (JSON text). */
  readonly output?: string;
}

const closingEvents: Record<Closing['status'], readonly [type: string, member: string]> = {
  SUCCEEDED: ['ExecutionSucceeded', 'executionSucceededEventDetails'],
  FAILED: ['ExecutionFailed', 'executionFailedEventDetails'],
  TIMED_OUT: ['ExecutionTimedOut', 'executionTimedOutEventDetails'],
  ABORTED: ['ExecutionAborted', 'executionAbortedEventDetails'],
};

/**
 * "Your workflow execution has not exceeded the redrivable period of 14 days", and AWS does not redrive an
 * execution whose history reached its event limit. https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html
 */
const redrivablePeriodMs = 14 * 24 * 3600 * 1000;

interface PersistedFile {
  version: 1;
  executions: ExecutionRecord[];
  /** Signs task tokens (base64): kept so a token issued before a restart is still recognised as spent. */
  tokenSecret?: string;
}

/**
 * All execution records with their histories: the one owner of a record. Every change to an execution
 * (created, entering a state, closed, redriven) goes through here, with its history event. Optionally persisted to one JSON file, written debounced and
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
      if (record.status === 'RUNNING')
        this.close(record, { status: 'FAILED', error: 'States.Runtime', cause: 'local cloud restarted' });
    }
  }

  /** A new RUNNING execution. */
  create(
    fields: Pick<ExecutionRecord, 'executionArn' | 'stateMachineArn' | 'stateMachineName' | 'name' | 'input'>,
  ) {
    const record: ExecutionRecord = {
      ...fields,
      status: 'RUNNING',
      startDate: Date.now(),
      redriveCount: 0,
      events: [],
    };
    this.records.set(record.executionArn, record);
    this.changed();
    return record;
  }

  /** The execution entered a top-level state with this input: a redrive resumes there. */
  enter(record: ExecutionRecord, name: string, input: unknown): void {
    record.currentState = { name, input };
  }

  /** Closes an execution with AWS's closing event (output, error and cause go into its details). */
  close(record: ExecutionRecord, closing: Closing): void {
    record.status = closing.status;
    record.stopDate = Date.now();
    record.output = closing.output;
    record.error = closing.error;
    record.cause = closing.cause;
    const [type, member] = closingEvents[closing.status];
    const details: Record<string, unknown> = {};
    if (closing.output !== undefined)
      Object.assign(details, { output: closing.output, outputDetails: { truncated: false } });
    if (closing.error !== undefined) details.error = closing.error;
    if (closing.cause !== undefined) details.cause = closing.cause;
    this.append(record, type, member, details);
  }

  /** Why RedriveExecution would refuse this execution (AWS's redriveStatusReason), or undefined. */
  notRedrivable(record: ExecutionRecord, now = Date.now()): string | undefined {
    if (!['FAILED', 'TIMED_OUT', 'ABORTED'].includes(record.status) || !record.currentState)
      return `Execution is ${record.status} and cannot be redriven`;
    if (record.events.length >= historyEventLimit) return 'Execution history event limit exceeded';
    if (now - (record.stopDate ?? 0) > redrivablePeriodMs) return 'Execution redrivable period exceeded';
    return undefined;
  }

  /** Runs a closed execution again from the state it failed in; returns that state and its recorded input. */
  redrive(record: ExecutionRecord): { name: string; input: unknown } {
    const from = record.currentState;
    if (!from) throw new Error(`${record.executionArn} has no state to redrive from`);
    record.status = 'RUNNING';
    record.redriveCount += 1;
    record.redriveDate = Date.now();
    record.output = undefined;
    record.error = undefined;
    record.cause = undefined;
    record.stopDate = undefined;
    this.append(record, 'ExecutionRedriven', 'executionRedrivenEventDetails', {
      redriveCount: record.redriveCount,
    });
    return from;
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
