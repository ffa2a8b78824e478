import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { savePrincipal } from '../functions/adapters/dynamodb/principals';
import {
  deadLetterQueueName,
  type FunctionDefinition,
  functionDefaults,
} from '../functions/contracts/system';
import {
  type DemoKeys,
  demoCarriers,
  demoLocations,
  demoStock,
  demoSuppliers,
  generateDemoKeys,
} from './demo-data';
import { startLocalGateway } from './emulators/apigateway/server';
import { createTable } from './emulators/dynamodb/create-tables';
import { type DynamoDbLocal, startDynamoDbLocal } from './emulators/dynamodb/dynamodb-local';
import { bundleFunctions } from './emulators/lambda/bundle';
import type { LambdaInvoker } from './emulators/lambda/invoker';
import { createLambdaRuntime, type LambdaRuntime } from './emulators/lambda/runtime';
import {
  localAccountId,
  localCredentials,
  localRegion,
  queueArn,
  stateMachineArn,
  tableName,
} from './emulators/protocol/identity';
import { findFreePort } from './emulators/protocol/net';
import {
  type DeliveryOptions,
  deliveryEnvironmentVariable,
  describeDelivery,
  parseDeliveryEnvironment,
  type ResolvedDelivery,
} from './emulators/sqs/delivery';
import { startEventSourceMapping } from './emulators/sqs/event-source-mapping';
import { startSqsService } from './emulators/sqs/service';
import { type StepFunctionsService, startStepFunctionsService } from './emulators/stepfunctions/service';
import { assertValidDefinition } from './emulators/stepfunctions/validation';
import { registerFaultRoutes } from './faults';
import { createResolver, repositoryRoot, systemDefinition } from './system-resolution';

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
  readonly log?: (line: string) => void;
  /** Function logs (Powertools JSON lines), by function; dropped when absent. */
  readonly functionLog?: (functionName: string, line: string) => void;
  /** Start every function's worker before serving, so no request pays a cold start. */
  readonly prewarm?: boolean;
  /**
   * Benchmarks compare workflow designs side by side: rewrite a workflow's resolved ASL, and wrap the
   * invoker its tasks use (to add the variant's functions). Never set by `npm start` or the tests.
   */
  readonly workflowVariant?: {
    readonly definition: (workflow: string, asl: string) => string;
    readonly invoker: (runtime: LambdaInvoker) => LambdaInvoker;
  };
  /**
   * How the local SQS delivers: 'at-least-once' like an AWS standard queue (duplicates, reordering, empty
   * short polls; local/emulators/sqs/delivery.ts), or the idealised 'exact'. Absent: LOCAL_SQS_DELIVERY if set, else
   * at-least-once with a random seed (logged, so a run can be replayed).
   */
  readonly sqsDelivery?: DeliveryOptions;
}

export interface LocalCloud {
  readonly endpoints: { api: string; dynamodb: string; stepfunctions: string; sqs: string };
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
 * Starts the embedded local cloud from the system definition: DynamoDB Local, the local SQS and Step
 * Functions services, in-process Lambda, the SQS event source mappings and the HTTP API gateway.
 */
export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  await validateWorkflows();
  const log = options.log ?? (() => {});
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopper of stoppers.reverse()) await stopper().catch(() => {});
  };
  try {
    if (options.persistDir) mkdirSync(join(options.persistDir, 'dynamodb'), { recursive: true });

    const queueDefinitions = Object.entries(systemDefinition.queues).flatMap(([name, queue]) => [
      {
        name: deadLetterQueueName(name as keyof typeof systemDefinition.queues),
        messageRetentionSeconds: 14 * 86_400,
      },
      {
        name,
        visibilityTimeoutSeconds: queue.visibilityTimeoutSeconds,
        messageRetentionSeconds: queue.retentionDays * 86_400,
        redrivePolicy: {
          deadLetterQueueName: deadLetterQueueName(name as keyof typeof systemDefinition.queues),
          maxReceiveCount: queue.maxReceiveCount,
        },
      },
    ]);
    const sqs = await startSqsService({
      port: 0,
      queues: queueDefinitions,
      persistFile: options.persistDir ? join(options.persistDir, 'sqs.json') : undefined,
      delivery: options.sqsDelivery ??
        parseDeliveryEnvironment(process.env[deliveryEnvironmentVariable]) ?? { mode: 'at-least-once' },
    });
    stoppers.push(() => sqs.close());

    // Endpoints are fixed up front so the JVM start and the Lambda cold starts can run at the same time.
    const dynamodbPort = options.dynamodbEndpoint ? undefined : await findFreePort();
    const dynamodbEndpoint = options.dynamodbEndpoint ?? `http://127.0.0.1:${dynamodbPort}`;
    const stepFunctionsPort = await findFreePort();
    const stepFunctionsUrl = `http://127.0.0.1:${stepFunctionsPort}`;
    const dynamodbClient = new DynamoDBClient({
      endpoint: dynamodbEndpoint,
      region: localRegion,
      credentials: localCredentials,
    });

    const startDynamoDb = async () => {
      if (dynamodbPort !== undefined) {
        const dynamodb: DynamoDbLocal = await startDynamoDbLocal({
          port: dynamodbPort,
          dbPath: options.persistDir ? join(options.persistDir, 'dynamodb') : undefined,
        });
        stoppers.push(() => dynamodb.stop());
      }
      for (const [key, table] of Object.entries(systemDefinition.tables)) {
        await createTable(dynamodbClient, tableName(key), table);
      }
      log(`DynamoDB Local      ${dynamodbEndpoint}`);
    };

    const resolver = createResolver((name) => sqs.queueUrl(name));
    const functionEntries = Object.entries(systemDefinition.functions) as [string, FunctionDefinition][];
    const startLambda = async () => {
      const bundles = await bundleFunctions(
        repositoryRoot,
        functionEntries.map(([name, definition]) => ({ name, entry: definition.entry })),
      );
      stoppers.push(async () => bundles.remove());
      const localFunctions = functionEntries.map(([name, definition]) => ({
        name,
        moduleUrl: bundles.moduleUrl(name),
        environment: resolver.environmentOf(definition),
        memoryMb: definition.memoryMb ?? functionDefaults.memoryMb,
        timeoutSeconds: definition.timeoutSeconds ?? functionDefaults.timeoutSeconds,
      }));
      const runtime = createLambdaRuntime(
        localFunctions,
        // What the Lambda service itself provides: region, credentials, and (locally) the endpoints.
        () => ({
          AWS_REGION: localRegion,
          AWS_DEFAULT_REGION: localRegion,
          AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
          AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
          AWS_ENDPOINT_URL_SQS: sqs.url,
          AWS_ENDPOINT_URL_SFN: stepFunctionsUrl,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          TZ: 'UTC',
          PATH: process.env.PATH ?? '',
        }),
        options.functionLog,
      );
      stoppers.push(() => runtime.close());
      if (options.prewarm) await runtime.warm();
      log(
        `Lambda              ${localFunctions.length} functions bundled${options.prewarm ? ' and warm' : ''}`,
      );
      return { runtime, localFunctions };
    };

    const [, { runtime, localFunctions }] = await Promise.all([startDynamoDb(), startLambda()]);
    log(`SQS                 ${sqs.url} (${describeDelivery(sqs.delivery)})`);

    const stepFunctions = await startStepFunctionsService({
      port: stepFunctionsPort,
      stateMachines: Object.entries(systemDefinition.workflows).map(([name, workflow]) => {
        const definition = resolver.definitionOf(workflow);
        return { name, definition: options.workflowVariant?.definition(name, definition) ?? definition };
      }),
      invoker: options.workflowVariant?.invoker(runtime) ?? runtime,
      dynamodbEndpoint,
      sqsEndpoint: sqs.url,
      persistFile: options.persistDir ? join(options.persistDir, 'stepfunctions.json') : undefined,
      retryIntervalScale: options.retryIntervalScale,
    });
    stoppers.push(() => stepFunctions.close());
    log(`Step Functions      ${stepFunctions.url}`);

    for (const [name, definition] of functionEntries) {
      if (!definition.sqsTrigger) continue;
      const queueName = definition.sqsTrigger.queue;
      const mapping = startEventSourceMapping({
        sqsEndpoint: sqs.url,
        queueUrl: sqs.queueUrl(queueName),
        queueArn: queueArn(queueName),
        batchSize: definition.sqsTrigger.batchSize,
        maximumBatchingWindowSeconds: definition.sqsTrigger.maxBatchingWindowSeconds,
        reportBatchItemFailures: true,
        invoke: (event) => runtime.invoke(name, event),
        onError: (error) => log(`event source mapping ${name}: ${(error as Error).message}`),
      });
      stoppers.push(() => mapping.stop());
    }
    for (const [name, definition] of functionEntries) {
      if (!definition.schedule) continue;
      // EventBridge scheduled events, locally a timer; the handler cannot tell the difference.
      const timer = setInterval(() => {
        const event = {
          version: '0',
          id: crypto.randomUUID(),
          'detail-type': 'Scheduled Event',
          source: 'aws.events',
          time: new Date().toISOString(),
          region: localRegion,
          resources: [],
          detail: {},
        };
        runtime.invoke(name, event).catch((error: Error) => log(`schedule ${name}: ${error.message}`));
      }, definition.schedule.everyMinutes * 60_000);
      timer.unref();
      stoppers.push(async () => clearInterval(timer));
    }

    const routes = systemDefinition.routes.map((route) => ({
      method: route.method,
      path: route.path,
      functionName: route.function,
      public: 'public' in route ? route.public : false,
    }));
    const gateway = await startLocalGateway({
      port: options.apiPort ?? 0,
      routes,
      authorizerFunctionName: 'authorizer',
      invoker: runtime,
      localRoutes: registerFaultRoutes(stepFunctions),
    });
    stoppers.push(() => gateway.close());
    log(`API                 ${gateway.url}`);

    const keys = generateDemoKeys();
    const document = DynamoDBDocumentClient.from(dynamodbClient);
    await seedPrincipals(document, keys);
    // A persisted world is seeded once: re-seeding would reset stock counts on every restart.
    const seededMarker = options.persistDir ? join(options.persistDir, 'demo-data-seeded') : undefined;
    if (options.seedDemoData && !(seededMarker && existsSync(seededMarker))) {
      await seedDemoWorld(gateway.url, keys, log);
      if (seededMarker) writeFileSync(seededMarker, new Date().toISOString());
    }

    return {
      endpoints: {
        api: gateway.url,
        dynamodb: dynamodbEndpoint,
        stepfunctions: stepFunctions.url,
        sqs: sqs.url,
      },
      keys,
      tableName: tableName('main'),
      runtime,
      stepFunctions,
      sqsDelivery: sqs.delivery,
      inventory: {
        functions: functionEntries.map(([name]) => name),
        environments: Object.fromEntries(localFunctions.map((fn) => [fn.name, fn.environment])),
        settings: Object.fromEntries(
          localFunctions.map((fn) => [fn.name, { memoryMb: fn.memoryMb, timeoutSeconds: fn.timeoutSeconds }]),
        ),
        routes: routes.map((route) => `${route.method} ${route.path} -> ${route.functionName}`),
        queues: queueDefinitions.map((queue) => queue.name),
        tables: Object.keys(systemDefinition.tables).map(tableName),
        stateMachines: Object.keys(systemDefinition.workflows).map(stateMachineArn),
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Refuses, before anything starts (it takes milliseconds; DynamoDB Local's JVM takes seconds), every
 * workflow AWS's CreateStateMachine would refuse, naming its ASL file, the state and the rule. Queue URLs
 * are placeholders here (the queues do not exist yet); the Step Functions service checks the final text again.
 */
async function validateWorkflows(): Promise<void> {
  const resolver = createResolver((queue) => `http://127.0.0.1/${localAccountId}/${queue}`);
  for (const [name, workflow] of Object.entries(systemDefinition.workflows)) {
    await assertValidDefinition(
      `${workflow.definitionFile} (state machine "${name}")`,
      resolver.definitionOf(workflow),
    );
  }
}

async function seedPrincipals(document: DynamoDBDocumentClient, keys: DemoKeys): Promise<void> {
  const table = tableName('main');
  await savePrincipal(document, table, {
    apiKey: keys.channel,
    principalId: 'channel:web-shop',
    role: 'channel',
    scope: '*',
  });
  await savePrincipal(document, table, {
    apiKey: keys.ops,
    principalId: 'ops:demo',
    role: 'ops',
    scope: '*',
  });
  for (const [locationId, apiKey] of Object.entries(keys.staff)) {
    await savePrincipal(document, table, {
      apiKey,
      principalId: `staff:${locationId}`,
      role: 'staff',
      scope: locationId,
    });
  }
  for (const [supplierId, apiKey] of Object.entries(keys.supplier)) {
    await savePrincipal(document, table, {
      apiKey,
      principalId: `supplier:${supplierId}`,
      role: 'supplier',
      scope: supplierId,
    });
  }
  for (const [carrierId, apiKey] of Object.entries(keys.courier)) {
    await savePrincipal(document, table, {
      apiKey,
      principalId: `courier:${carrierId}`,
      role: 'courier',
      scope: carrierId,
    });
  }
}

/** Seeds through the public HTTP API, so the demo data is validated exactly like a client's. */
async function seedDemoWorld(api: string, keys: DemoKeys, log: (line: string) => void): Promise<void> {
  const call = async (method: string, path: string, apiKey: string, body: unknown) => {
    const response = await fetch(`${api}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: JSON.stringify(body),
    });
    if (!response.ok)
      throw new Error(`seeding ${method} ${path} failed: ${response.status} ${await response.text()}`);
  };
  for (const [locationId, location] of Object.entries(demoLocations))
    await call('PUT', `/locations/${locationId}`, keys.ops, location);
  for (const [sku, byLocation] of Object.entries(demoStock)) {
    for (const [locationId, stock] of Object.entries(byLocation)) {
      await call('PUT', `/locations/${locationId}/stock/${sku}`, keys.ops, stock);
    }
  }
  for (const [supplierId, items] of Object.entries(demoSuppliers)) {
    await call('POST', `/suppliers/${supplierId}/stock`, keys.supplier[supplierId] as string, {
      feedSeq: Date.now(),
      items,
    });
  }
  log(
    `Seeded ${Object.keys(demoLocations).length} locations, ${Object.keys(demoStock).length} SKUs, ${Object.keys(demoSuppliers).length} suppliers, ${demoCarriers.length} carriers`,
  );
}
