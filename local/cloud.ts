import { mkdirSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { bindCarrierSandbox } from './binders/carrier-sandbox';
import { bindChannelReceiver } from './binders/channel-receiver';
import type { BindContext } from './binders/context';
import { bindTables } from './binders/data-tables';
import { bindHttpApi, httpRoutes } from './binders/http-api';
import { bindQueues, queueDefinitions } from './binders/queues';
import { seedDemo } from './binders/seed';
import { bindFunctions, functionEntries } from './binders/system-functions';
import { bindTriggers } from './binders/triggers';
import { bindWorkflows, validateWorkflows, type WorkflowVariant } from './binders/workflows';
import { type DemoKeys, generateDemoKeys } from './demo-data';
import type { LambdaRuntime, LocalFunction } from './emulators/lambda/runtime';
import { localCredentials, localRegion, stateMachineArn, tableName } from './emulators/protocol/identity';
import { findFreePort } from './emulators/protocol/net';
import type { DeliveryOptions, ResolvedDelivery } from './emulators/sqs/delivery';
import type { StepFunctionsService } from './emulators/stepfunctions/service';
import { createResolver, systemDefinition } from './system-resolution';

export interface LocalCloudOptions {
  /** API port; 0 picks a free one. */
  readonly apiPort?: number;
  /** Keep DynamoDB data, queues and execution records under this directory across restarts. */
  readonly persistDir?: string;
  /** Reuse an already running DynamoDB Local (tests share one per run) instead of starting one. */
  readonly dynamodbEndpoint?: string;
  /** Seed the demo world (locations, stock, suppliers, keys). */
  readonly seedDemoData?: boolean;
  /** Scales Retry intervals of the workflows; tests use ~0 so retries do not wait. */
  readonly retryIntervalScale?: number;
  /** Scales enforced Task timeouts (pick deadlines, pickup holds); deadline tests use ~0.001. */
  readonly taskTimeoutScale?: number;
  readonly log?: (line: string) => void;
  /** Runtime problems worth a human's look: failed executions, dead letters. Dropped when absent. */
  readonly notice?: (line: string) => void;
  /** Function logs (Powertools JSON lines), by function; dropped when absent. */
  readonly functionLog?: (functionName: string, line: string) => void;
  /**
   * Start every function's worker before serving, so no request pays a cold start (true), or right after
   * start-up, while already serving ('background': npm start is ready in seconds; `warmed` says when done).
   */
  readonly prewarm?: boolean | 'background';
  /**
   * Benchmarks compare workflow designs side by side: rewrite a workflow's resolved ASL, and wrap the
   * invoker its tasks use (to add the variant's functions). Never set by `npm start` or the tests.
   */
  readonly workflowVariant?: WorkflowVariant;
  /**
   * How the local SQS delivers: 'at-least-once' like an AWS standard queue (duplicates, reordering, empty
   * short polls; local/emulators/sqs/delivery.ts), or the idealised 'exact'. Absent: LOCAL_SQS_DELIVERY if set, else
   * at-least-once with a random seed (logged, so a run can be replayed).
   */
  readonly sqsDelivery?: DeliveryOptions;
  /**
   * Run the sandbox carrier service (local/sandbox) and register the demo carriers with it: deliveries are
   * booked and driven to DELIVERED by signed webhooks. `tickMs` is its clock (one tracking event per tick).
   */
  /**
   * Test knob: environment variables set on top of a function's definition (e.g. a shorter retry base for the
   * channel deliveries). Never set by `npm start`.
   */
  readonly environmentOverrides?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * Run the DynamoDB stream triggers (default true, as in AWS). Test clouds sharing one table turn them off
   * unless the suite is about them: every cloud would otherwise publish every other suite's changes.
   */
  readonly streamTriggers?: boolean;
  /** Run the demo channel receiver and register it as these channels' webhook for order events. */
  readonly channelReceiver?: { readonly channels: readonly string[] };
  readonly carrierSandbox?: {
    readonly tickMs?: number;
    readonly origins?: readonly string[];
    readonly idSuffix?: string;
  };
}

export interface LocalCloud {
  readonly endpoints: {
    api: string;
    dynamodb: string;
    stepfunctions: string;
    sqs: string;
    /** The sandbox carrier service, when it runs. */
    carriers?: string;
    /** The demo channel receiver, when it runs. */
    channelReceiver?: string;
  };
  /** Settles once every function's worker has started (at once unless prewarm is 'background'). */
  readonly warmed: Promise<void>;
  readonly keys: DemoKeys;
  readonly tableName: string;
  readonly runtime: LambdaRuntime;
  readonly stepFunctions: StepFunctionsService;
  /** The SQS delivery in effect, with the seed that replays an at-least-once run. */
  readonly sqsDelivery: ResolvedDelivery;
  /** Every resource the local cloud runs, by kind, to compare with the synthesized template. */
  readonly inventory: {
    functions: string[];
    environments: Record<string, Record<string, string>>;
    settings: Record<string, { memoryMb: number; timeoutSeconds: number }>;
    routes: string[];
    queues: string[];
    tables: string[];
    stateMachines: string[];
  };
  stop(): Promise<void>;
}

/**
 * Starts the embedded local cloud from the system definition, one binder per kind of resource (as
 * infra/constructs builds them for AWS): queues, tables, functions, workflows, triggers and the HTTP API.
 */
export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  await validateWorkflows();
  const { context, stop } = bindContext(options);
  try {
    if (options.persistDir) mkdirSync(options.persistDir, { recursive: true });
    const { sqs, describe } = await bindQueues(context, options.sqsDelivery);
    // Endpoints are fixed up front so the JVM start and the Lambda cold starts can run at the same time.
    const dynamodbPort = options.dynamodbEndpoint ? undefined : await findFreePort();
    const stepFunctionsPort = await findFreePort();
    const endpoints = {
      dynamodb: options.dynamodbEndpoint ?? `http://127.0.0.1:${dynamodbPort}`,
      sqs: sqs.url,
      stepfunctions: `http://127.0.0.1:${stepFunctionsPort}`,
    };
    const dynamodbClient = new DynamoDBClient({
      endpoint: endpoints.dynamodb,
      region: localRegion,
      credentials: localCredentials,
    });
    const resolver = createResolver((name) => sqs.queueUrl(name));
    const [tables, { runtime, localFunctions }] = await Promise.all([
      bindTables(context, dynamodbClient, { endpoint: endpoints.dynamodb, port: dynamodbPort }),
      bindFunctions(context, resolver, {
        endpoints,
        prewarm: options.prewarm === true,
        functionLog: options.functionLog,
        environmentOverrides: options.environmentOverrides,
      }),
    ]);
    context.log(describe());
    const stepFunctions = await bindWorkflows(context, resolver, {
      port: stepFunctionsPort,
      invoker: runtime,
      endpoints,
      retryIntervalScale: options.retryIntervalScale,
      taskTimeoutScale: options.taskTimeoutScale,
      variant: options.workflowVariant,
    });
    bindTriggers(context, runtime, sqs, {
      endpoint: endpoints.dynamodb,
      streamArn: tables.streamArn,
      enabled: options.streamTriggers ?? true,
    });
    const gateway = await bindHttpApi(context, {
      port: options.apiPort ?? 0,
      invoker: runtime,
      stepFunctions,
    });
    const keys = generateDemoKeys();
    await seedDemo(DynamoDBDocumentClient.from(dynamodbClient), keys, {
      api: gateway.url,
      world: options.seedDemoData === true,
      persistDir: options.persistDir,
      log: context.log,
    });
    const demo = await bindDemoServices(context, options, { api: gateway.url, keys });
    // Each worker costs ~0.4 s of CPU to start: in the background they no longer hold up start-up.
    const warmed = options.prewarm === 'background' ? runtime.warm() : Promise.resolve();
    return {
      endpoints: {
        ...endpoints,
        api: gateway.url,
        ...demo,
      },
      warmed,
      keys,
      tableName: tableName('main'),
      runtime,
      stepFunctions,
      sqsDelivery: sqs.delivery,
      inventory: inventoryOf(localFunctions),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The services that stand in for the outside world: the sandbox carriers and the channel receiver. */
async function bindDemoServices(
  context: BindContext,
  options: LocalCloudOptions,
  api: { readonly api: string; readonly keys: DemoKeys },
): Promise<{ carriers?: string; channelReceiver?: string }> {
  const opsKey = api.keys.ops;
  const sandbox = options.carrierSandbox
    ? await bindCarrierSandbox(context, { api: api.api, opsKey, keys: api.keys, ...options.carrierSandbox })
    : undefined;
  const receiver = options.channelReceiver
    ? await bindChannelReceiver(context, { api: api.api, opsKey, ...options.channelReceiver })
    : undefined;
  return {
    ...(sandbox ? { carriers: sandbox.url } : {}),
    ...(receiver ? { channelReceiver: receiver.url } : {}),
  };
}

/** What every binder is given (logs, the persisted state, what to stop), and how to stop it all, last first. */
function bindContext(options: LocalCloudOptions): { context: BindContext; stop: () => Promise<void> } {
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopper of stoppers.reverse()) await stopper().catch(() => {});
  };
  const context: BindContext = {
    log: options.log ?? (() => {}),
    notice: options.notice ?? (() => {}),
    persistDir: options.persistDir,
    onStop: (stopper) => stoppers.push(stopper),
  };
  return { context, stop };
}

/** What the local cloud runs, by kind of resource, in the terms the drift test compares with the template. */
function inventoryOf(localFunctions: readonly LocalFunction[]): LocalCloud['inventory'] {
  return {
    functions: functionEntries().map(([name]) => name),
    environments: Object.fromEntries(localFunctions.map((fn) => [fn.name, fn.environment])),
    settings: Object.fromEntries(
      localFunctions.map((fn) => [fn.name, { memoryMb: fn.memoryMb, timeoutSeconds: fn.timeoutSeconds }]),
    ),
    routes: httpRoutes().map((route) => `${route.method} ${route.path} -> ${route.functionName}`),
    queues: queueDefinitions().map((queue) => queue.name),
    tables: Object.keys(systemDefinition.tables).map(tableName),
    stateMachines: Object.keys(systemDefinition.workflows).map(stateMachineArn),
  };
}
