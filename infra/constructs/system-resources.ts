import type { Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { stateMachineArn } from '../defaults/naming';
import {
  type FunctionKey,
  lookup,
  type QueueKey,
  type RefResolvers,
  type SystemShape,
  type TableKey,
} from '../definition';
import type { QueuePair } from './queues';

/** What every construct built from the system definition receives: the definition and the stateful resources. */
export interface SystemResourcesProps {
  readonly definition: SystemShape;
  /** Repository root: definition entries are relative to it. */
  readonly projectRoot: string;
  readonly tables: ReadonlyMap<TableKey, dynamodb.ITable>;
  readonly queues: ReadonlyMap<QueueKey, QueuePair>;
}

/**
 * Resolves definition Refs to deploy-time tokens, so function environments and workflow substitutions name
 * resources the same way. `functions` is structural (only `fn` is read) to avoid an import cycle with
 * system-functions.ts, which uses this too.
 */
export function tokenResolvers(
  stack: Stack,
  props: Pick<SystemResourcesProps, 'tables' | 'queues'>,
  functions: ReadonlyMap<FunctionKey, { readonly fn: lambda.IFunction }>,
): RefResolvers<string> {
  return {
    tableName: (k) => lookup(props.tables, k, 'table').tableName,
    queueUrl: (k) => lookup(props.queues, k, 'queue').queue.queueUrl,
    deadLetterQueueUrl: (k) => lookup(props.queues, k, 'queue').deadLetterQueue.queueUrl,
    stateMachineArn: (k) => stateMachineArn(stack, k),
    functionArn: (k) => lookup(functions, k, 'function').fn.functionArn,
  };
}
