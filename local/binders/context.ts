/** What every binder gets: where to log, where state persists, and where to register its teardown. */
export interface BindContext {
  readonly log: (line: string) => void;
  /** Something that went wrong while running (a failed execution, a dead letter): worth a human's look. */
  readonly notice: (line: string) => void;
  /** Keep data under this directory across restarts. */
  readonly persistDir?: string;
  /** Called in reverse order by stop(). */
  readonly onStop: (stopper: () => Promise<void>) => void;
}
