import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { limits } from './asl/limits';
import type { NewEvent, StateProgress, TaskOutcome } from './asl/progress';
import { JsonLinesJournal, persistentKey } from './journal';

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
   * this is the failed state, and RedriveExecution resumes there with exactly this input. Its progress
   * (absent until the state is entered) is where a restart resumes a running execution.
   */
  currentState?: { name: string; input: unknown; progress?: StateProgress };
  /** The last callback answer or heartbeat a caller sent for the current Task's token (kept across restarts). */
  callback?: { token: string; answer?: TaskOutcome; heartbeatAt?: number };
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

/** One write to an execution's journal: fields set on its record (null: removed), its current state's progress, new events. */
interface JournalEntry {
  set?: Record<string, unknown>;
  progress?: StateProgress;
  events?: HistoryEvent[];
}

/** The single file in which executions were kept before journals (read once, then renamed). */
interface LegacyFile {
  executions: ExecutionRecord[];
  tokenSecret?: string;
}

/**
 * All execution records with their histories: the one owner of a record. Every change to an execution
 * (created, entering a state, progress within it, closed, redriven) goes through here, with its history
 * events. Persisted (optional) as one append-only journal per execution under `persistDir`, written
 * before the change takes effect, so that a restart, even after kill -9, finds every execution as it last
 * recorded itself and carries it on.
 */
export class ExecutionStore {
  private readonly records = new Map<string, ExecutionRecord>();
  private readonly journal: JsonLinesJournal | undefined;
  /** The key task tokens are signed with; persisted, so tokens issued before a restart stay valid. */
  tokenSecret: Buffer = randomBytes(32);

  constructor(
    private readonly persistDir?: string,
    /** Told after every execution closes (its record already says how). */
    private readonly onClosed: (record: ExecutionRecord) => void = () => {},
  ) {
    this.journal = persistDir ? new JsonLinesJournal(join(persistDir, 'executions')) : undefined;
  }

  /** Loads persisted records; RUNNING ones stay RUNNING (the engine resumes them). */
  load(): void {
    if (!this.persistDir || !this.journal) return;
    mkdirSync(this.persistDir, { recursive: true });
    const legacySecret = this.importLegacyFile();
    this.tokenSecret = persistentKey(join(this.persistDir, 'token-signing-key'), legacySecret);
    for (const entries of this.journal.readAll()) {
      const record = replay(entries as JournalEntry[]);
      this.records.set(record.executionArn, record);
    }
  }

  /** Executions that were running when the process stopped. */
  running(): ExecutionRecord[] {
    return [...this.records.values()].filter((record) => record.status === 'RUNNING');
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
    const { events: _events, ...set } = record;
    this.write(record, { set });
    return record;
  }

  /** The execution entered a top-level state with this input: a redrive resumes there, a restart too. */
  enter(
    record: ExecutionRecord,
    name: string,
    input: unknown,
    progress: StateProgress,
    events: readonly NewEvent[],
  ) {
    record.currentState = { name, input, progress };
    this.write(record, { set: { currentState: record.currentState }, events: this.numbered(record, events) });
  }

  /** The current state got further (see StateProgress). */
  progressed(record: ExecutionRecord, progress: StateProgress, events: readonly NewEvent[]): void {
    if (!record.currentState) throw new Error(`${record.executionArn} is in no state`);
    record.currentState.progress = progress;
    this.write(record, { progress, events: this.numbered(record, events) });
  }

  /** A caller answered the current task's token, or sent a heartbeat for it. */
  callback(record: ExecutionRecord, callback: NonNullable<ExecutionRecord['callback']>): void {
    record.callback = callback;
    this.write(record, { set: { callback } });
  }

  /** Closes an execution with AWS's closing event (output, error and cause go into its details). */
  close(record: ExecutionRecord, closing: Closing): void {
    const { status, output, error, cause } = closing;
    const fields = { status, stopDate: Date.now(), output, error, cause, callback: undefined };
    const [type, member] = closingEvents[closing.status];
    const details: Record<string, unknown> = {};
    if (output !== undefined) Object.assign(details, { output, outputDetails: { truncated: false } });
    if (error !== undefined) details.error = error;
    if (cause !== undefined) details.cause = cause;
    this.update(record, fields, [{ type, member, details }]);
    this.onClosed(record);
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
    const redriveCount = record.redriveCount + 1;
    // The state is entered afresh: a restart before it is must not resume its failed progress.
    const currentState = { name: from.name, input: from.input };
    const cleared = { output: undefined, error: undefined, cause: undefined, stopDate: undefined };
    this.update(
      record,
      { status: 'RUNNING', redriveCount, redriveDate: Date.now(), currentState, ...cleared },
      [{ type: 'ExecutionRedriven', member: 'executionRedrivenEventDetails', details: { redriveCount } }],
    );
    return currentState;
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

  /** Appends an AWS history event. */
  append(
    record: ExecutionRecord,
    type: string,
    member?: string,
    value?: Record<string, unknown>,
  ): HistoryEvent {
    const [event] = this.numbered(record, [{ type, member, details: value }]) as [HistoryEvent];
    this.write(record, { events: [event] });
    return event;
  }

  /** Sets fields of the record (undefined: removes them) with events, in one write. */
  private update(record: ExecutionRecord, fields: Partial<ExecutionRecord>, events: readonly NewEvent[]) {
    Object.assign(record, fields);
    const set = Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, value ?? null]));
    this.write(record, { set, events: this.numbered(record, events) });
  }

  /** Numbers events after the record's last; `previousEventId` is the event before, as in a linear AWS history. */
  private numbered(record: ExecutionRecord, events: readonly NewEvent[]): HistoryEvent[] {
    return events.map(({ type, member, details }) => {
      const id = record.events.length + 1;
      const event: HistoryEvent = { id, previousEventId: id - 1, timestamp: Date.now(), type };
      if (member && details) event.details = { member, value: details };
      record.events.push(event);
      return event;
    });
  }

  private write(record: ExecutionRecord, entry: JournalEntry): void {
    this.journal?.append(record.executionArn, entry);
  }

  /**
   * Executions an older version kept in one file, `<persistDir>.json`: each becomes a journal, and the file
   * is renamed. Returns the token key it kept.
   */
  private importLegacyFile(): Buffer | undefined {
    const file = `${this.persistDir}.json`;
    if (!this.journal || !existsSync(file)) return undefined;
    const legacy = JSON.parse(readFileSync(file, 'utf8')) as LegacyFile;
    for (const { events, ...fields } of legacy.executions ?? [])
      this.journal.replace(fields.executionArn, [{ set: fields, events } satisfies JournalEntry]);
    renameSync(file, `${file}.imported`);
    return legacy.tokenSecret ? Buffer.from(legacy.tokenSecret, 'base64') : undefined;
  }
}

/** A record from its journal, entry by entry. */
function replay(entries: readonly JournalEntry[]): ExecutionRecord {
  const record = { events: [] } as unknown as ExecutionRecord;
  for (const { set, progress, events } of entries) {
    for (const [key, value] of Object.entries(set ?? {})) {
      if (value === null) delete (record as unknown as Record<string, unknown>)[key];
      else (record as unknown as Record<string, unknown>)[key] = value;
    }
    if (progress && record.currentState) record.currentState.progress = progress;
    record.events.push(...(events ?? []));
  }
  return record;
}
