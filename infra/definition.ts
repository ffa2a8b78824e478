/**
 * The one system definition (functions/contracts/system.ts), seen through its widened interfaces so the
 * CDK side can loop over it generically (optional fields such as `schedule` are visible on every entry).
 * Nothing here lists functions, routes, queues or workflows: it only re-types `system`.
 */
import {
  type FunctionDefinition,
  type FunctionKey,
  type HttpApiDefinition,
  type QueueDefinition,
  type QueueKey,
  type RouteDefinition,
  system,
  type TableDefinition,
  type TableKey,
  type WorkflowDefinition,
  type WorkflowKey,
} from '../functions/contracts/system';

export interface SystemShape {
  readonly tables: Readonly<Record<TableKey, TableDefinition>>;
  readonly queues: Readonly<Record<QueueKey, QueueDefinition>>;
  readonly functions: Readonly<Record<FunctionKey, FunctionDefinition>>;
  readonly workflows: Readonly<Record<WorkflowKey, WorkflowDefinition>>;
  readonly routes: readonly RouteDefinition[];
  readonly httpApi: HttpApiDefinition;
}

export const definition: SystemShape = system;

/** `Object.entries` that keeps the key type (the definition's records are closed objects). */
export const entriesOf = <K extends string, V>(record: Readonly<Record<K, V>>): [K, V][] =>
  Object.entries(record) as [K, V][];

/** Looks a key up in a resolved map, failing synth loudly if the definition names something unknown. */
export const lookup = <K extends string, V>(map: ReadonlyMap<K, V>, key: string, what: string): V => {
  // Workflow and function references are plain strings in the definition: checked here, at synth.
  const value = (map as ReadonlyMap<string, V>).get(key);
  if (value === undefined) throw new Error(`system definition references unknown ${what} '${key}'`);
  return value;
};

export { invokedFunctions, type RefResolvers, resolveRef } from '../functions/contracts/system';
export type { FunctionKey, QueueKey, TableKey, WorkflowKey };
