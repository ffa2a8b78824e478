/**
 * The vocabulary of the system definition (system.ts): references each side resolves, grants, function,
 * table, queue and workflow shapes, and the pieces several function definitions share. Kept apart so the
 * definition itself stays readable, and so per-domain definition files (system-dispatch.ts) can use them.
 */

export type TableKey = keyof typeof tables;
export type QueueKey = keyof typeof queues;

/** A value that each side resolves: CDK to tokens, the local cloud to local names and URLs. */
/**
 * Workflow and function names are plain strings here (TypeScript cannot type them as keys of objects
 * that themselves contain references); `findDanglingReferences` checks them, and a test runs it.
 */
export type Ref =
  | { readonly tableName: TableKey }
  | { readonly queueUrl: QueueKey }
  /** The URL of a queue's dead-letter queue (`deadLetterQueueName`). */
  | { readonly deadLetterQueueUrl: QueueKey }
  | { readonly stateMachineArn: string }
  | { readonly functionArn: string };

export type EnvValue = string | Ref;

/** How one side of the system (CDK tokens, local names and URLs) turns each kind of `Ref` into a value. */
export interface RefResolvers<T> {
  readonly tableName: (key: TableKey) => T;
  readonly queueUrl: (key: QueueKey) => T;
  readonly deadLetterQueueUrl: (key: QueueKey) => T;
  readonly stateMachineArn: (key: string) => T;
  readonly functionArn: (key: string) => T;
}

/** Resolves a `Ref` with one side's resolvers: written once, used by the CDK app and the local cloud. */
export const resolveRef = <T>(ref: Ref, resolvers: RefResolvers<T>): T => {
  if ('tableName' in ref) return resolvers.tableName(ref.tableName);
  if ('queueUrl' in ref) return resolvers.queueUrl(ref.queueUrl);
  if ('deadLetterQueueUrl' in ref) return resolvers.deadLetterQueueUrl(ref.deadLetterQueueUrl);
  if ('stateMachineArn' in ref) return resolvers.stateMachineArn(ref.stateMachineArn);
  return resolvers.functionArn(ref.functionArn);
};

export type Grant =
  | { readonly table: TableKey; readonly access: 'read' | 'readWrite' }
  /** `inspectDeadLetters`: peek at the DLQ only; `admin`: also move its messages back to the queue. */
  | { readonly queue: QueueKey; readonly access: 'send' | 'consume' | 'inspectDeadLetters' | 'admin' }
  | { readonly workflow: string; readonly access: 'start' | 'callback' | 'operate' };

export interface FunctionDefinition {
  /** Handler file, relative to the repository root; its export is `handler`. */
  readonly entry: string;
  /**
   * What it does, in words. The system's own functions keep theirs in system-descriptions.ts, out of the
   * definition every handler loads; a definition built elsewhere (a test's) may give it here.
   */
  readonly description?: string;
  readonly memoryMb?: number;
  readonly timeoutSeconds?: number;
  readonly environment: Readonly<Record<string, EnvValue>>;
  readonly grants: readonly Grant[];
  /** SQS event source mapping; the handler reports partial failures with `batchItemFailures`. */
  readonly sqsTrigger?: {
    readonly queue: QueueKey;
    readonly batchSize: number;
    readonly maxBatchingWindowSeconds: number;
  };
  /** Runs on a schedule (EventBridge in AWS, a timer locally). */
  readonly schedule?: { readonly everyMinutes: number };
  /**
   * DynamoDB stream event source mapping on a table's stream (new and old images), with Lambda event
   * filters: only records matching one of them invoke the function. A failed batch is retried from the
   * same records up to `maxRetryAttempts` times, halved each time (bisect) in AWS.
   */
  readonly streamTrigger?: {
    readonly table: TableKey;
    readonly batchSize: number;
    readonly maxRetryAttempts: number;
    readonly filters: readonly Record<string, unknown>[];
  };
}

/** Memory and timeout of a function that does not set its own; the CDK app and the local runtime both apply these. */
export const functionDefaults = { memoryMb: 512, timeoutSeconds: 10 } as const;

export interface TableDefinition {
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly globalIndexes: readonly {
    readonly name: string;
    readonly partitionKey: string;
    readonly sortKey: string;
    /**
     * What the index copies: every attribute (its readers parse whole items from it), or only the keys (its
     * readers fetch the items; writes that change no key cost the index nothing). Default ALL.
     */
    readonly projection?: 'ALL' | 'KEYS_ONLY';
  }[];
  readonly timeToLiveAttribute: string;
}

export interface QueueDefinition {
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  readonly retentionDays: number;
}

export interface WorkflowDefinition {
  /** ASL file (JSONPath), relative to the repository root. */
  readonly definitionFile: string;
  /** `${Name}` placeholders in the ASL and what they resolve to. */
  readonly substitutions: Readonly<Record<string, Ref>>;
  /** Tables the workflow touches through direct SDK integrations. */
  readonly tables: readonly TableKey[];
}

/** Where every function reads the shared names from; kept in one place so env.ts and this agree. */
export const commonEnvironment = {
  TABLE_NAME: { tableName: 'main' },
  POWERTOOLS_SERVICE_NAME: 'o2o-orchestrator',
  POWERTOOLS_METRICS_NAMESPACE: 'O2O',
  LOG_LEVEL: 'INFO',
} as const satisfies Record<string, EnvValue>;

/** What a function that starts procurement needs (shortfalls, replenishment triggers): the ARN and the right. */
export const startsProcurement = {
  environment: { PROCUREMENT_STATE_MACHINE_ARN: { stateMachineArn: 'procurement' } },
  grant: { workflow: 'procurement', access: 'start' },
} as const satisfies { environment: Record<string, EnvValue>; grant: Grant };

/** The environment variable that carries a workflow's state machine ARN, e.g. `FULFILMENT_STATE_MACHINE_ARN`. */
export const stateMachineArnVariable = (workflow: string): string =>
  `${constantCase(workflow)}_STATE_MACHINE_ARN`;
/** The environment variable that carries a queue's dead-letter queue URL, e.g. `SUPPLIER_STOCK_FEED_DLQ_URL`. */
export const deadLetterQueueUrlVariable = (queue: string): string => `${constantCase(queue)}_DLQ_URL`;
const constantCase = (camel: string): string => camel.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

export const tables = {
  main: {
    partitionKey: 'pk',
    sortKey: 'sk',
    globalIndexes: [
      { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
      // Shipments whose promise is still pending, per status, by promisedBy (sparse: late-shipment lists).
      // Keys only: a shipment is written at every step (its token, its events), the list is read rarely.
      { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk', projection: 'KEYS_ONLY' },
    ],
    timeToLiveAttribute: 'expiresAtEpoch',
  },
} as const satisfies Record<string, TableDefinition>;

export const queues = {
  supplierStockFeed: { visibilityTimeoutSeconds: 60, maxReceiveCount: 3, retentionDays: 4 },
  // Requests to deliver an order's pending events to its channel: failures back off exponentially (the
  // consumer sets each message's visibility), and after 8 receives the request is in the DLQ for replay.
  channelEvents: { visibilityTimeoutSeconds: 60, maxReceiveCount: 8, retentionDays: 4 },
} as const satisfies Record<string, QueueDefinition>;

/** Every queue gets a dead-letter queue named `${name}-dlq`; this derives that name in one place. */
export const deadLetterQueueName = (queue: QueueKey): string => `${queue}-dlq`;
