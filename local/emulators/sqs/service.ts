import type { AddressInfo } from 'node:net';
import { type AwsJsonResponse, createAwsJsonServer } from '../protocol/aws-json-server';
import { localAccountId, queueArn } from '../protocol/identity';
import type { DeliveryOptions, ResolvedDelivery } from './delivery';
import { type DeadLetterEvent, type QueueAttributes, SqsEngine } from './engine';
import { SqsError } from './errors';
import { loadSnapshot, SnapshotFile } from './persistence';

export interface LocalQueueDefinition {
  name: string;
  visibilityTimeoutSeconds?: number;
  messageRetentionSeconds?: number;
  redrivePolicy?: { deadLetterQueueName: string; maxReceiveCount: number };
}

export interface SqsServiceOptions {
  /** 0 or absent = a free port on 127.0.0.1. */
  port?: number;
  queues: LocalQueueDefinition[];
  /** When set, queues and messages survive restarts (written debounced, atomically). */
  persistFile?: string;
  /** Exact (the default) or at-least-once delivery, like an AWS standard queue; see delivery.ts. */
  delivery?: DeliveryOptions;
  /** Messages a second a message move task moves when it does not say (MaxNumberOfMessagesPerSecond). */
  moveRatePerSecond?: number;
  /** Told when a message is moved to its dead-letter queue (maxReceiveCount reached). */
  onDeadLetter?: (event: DeadLetterEvent) => void;
}

export interface SqsService {
  url: string;
  /** The delivery settings in effect, with the seed that reproduces an at-least-once run. */
  delivery: ResolvedDelivery;
  queueUrl(name: string): string;
  close(): Promise<void>;
}

const targetPrefix = 'AmazonSQS.';
/** Well above the 1 MiB message limit times a 10-entry batch cap in practice, but bounded. */
const maxRequestBytes = 12 * 1024 * 1024;

/** SQS's error body, plus the header query-compatible SDKs (JS v3, botocore) read to pick the exception class; see errors.ts. */
function errorResponse(error: unknown): AwsJsonResponse {
  if (error instanceof SqsError) {
    return {
      status: error.status,
      body: { __type: `com.amazonaws.sqs#${error.shape}`, message: error.message },
      headers: { 'x-amzn-query-error': `${error.queryCode};Sender` },
    };
  }
  return {
    status: 500,
    body: { __type: 'com.amazonaws.sqs#InternalError', message: String(error) },
    headers: { 'x-amzn-query-error': 'InternalError;Receiver' },
  };
}

function definitionAttributes(definition: LocalQueueDefinition): Partial<QueueAttributes> {
  return {
    ...(definition.visibilityTimeoutSeconds !== undefined
      ? { VisibilityTimeout: definition.visibilityTimeoutSeconds }
      : {}),
    ...(definition.messageRetentionSeconds !== undefined
      ? { MessageRetentionPeriod: definition.messageRetentionSeconds }
      : {}),
    ...(definition.redrivePolicy
      ? {
          RedrivePolicy: {
            deadLetterTargetArn: queueArn(definition.redrivePolicy.deadLetterQueueName),
            maxReceiveCount: definition.redrivePolicy.maxReceiveCount,
          },
        }
      : {}),
  };
}

/**
 * Starts a local SQS endpoint speaking the AWS JSON 1.0 protocol (POST /, `X-Amz-Target: AmazonSQS.<Op>`),
 * which is what @aws-sdk/client-sqs v3, boto3 and the AWS CLI use today.
 */
export async function startSqsService(options: SqsServiceOptions): Promise<SqsService> {
  for (const definition of options.queues) {
    const dlq = definition.redrivePolicy?.deadLetterQueueName;
    if (dlq !== undefined && !options.queues.some((candidate) => candidate.name === dlq)) {
      throw new Error(`queue ${definition.name}: dead-letter queue ${dlq} is not defined`);
    }
  }

  let baseUrl = '';
  const queueUrl = (name: string): string => `${baseUrl}/${localAccountId}/${name}`;

  // The engine reports every change; the file is written shortly after (the engine exists by then).
  const persistence = new SnapshotFile(options.persistFile, () => engine.snapshot());
  const engine = new SqsEngine(queueUrl, () => persistence.schedule(), {
    delivery: options.delivery,
    moveRatePerSecond: options.moveRatePerSecond,
    onDeadLetter: options.onDeadLetter,
  });
  if (options.persistFile) {
    const snapshot = loadSnapshot(options.persistFile);
    if (snapshot) engine.restore(snapshot);
  }
  // Dead-letter queues first is not required here (definitions bypass validation), but the definition
  // always wins over persisted settings so a changed system definition takes effect on restart.
  for (const definition of options.queues)
    engine.defineQueue(definition.name, definitionAttributes(definition));

  const server = sqsProtocolServer(engine);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;
  persistence.saveNow();

  let closing: Promise<void> | undefined;
  return {
    url: baseUrl,
    delivery: engine.delivery.settings,
    queueUrl,
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        // Pending long polls answer "no messages" at once, then idle keep-alive sockets are dropped.
        engine.close();
        server.close((error) => {
          try {
            persistence.saveNow();
          } catch (persistError) {
            reject(persistError);
            return;
          }
          if (error) reject(error);
          else resolve();
        });
        server.closeIdleConnections();
        setImmediate(() => server.closeAllConnections());
      });
      return closing;
    },
  };
}

/** The SQS JSON protocol over the engine, refusing what AWS's endpoint refuses with its error shapes. */
function sqsProtocolServer(engine: SqsEngine) {
  return createAwsJsonServer({
    maxRequestBytes,
    route: (target) =>
      target.startsWith(targetPrefix)
        ? (input, signal) => engine.handle(target.slice(targetPrefix.length), input, signal)
        : undefined,
    errors: {
      notPost: () =>
        new SqsError(
          'UnknownOperationException',
          'Only POST requests of the AWS JSON 1.0 protocol are supported.',
        ),
      unknownTarget: () =>
        new SqsError(
          'UnknownOperationException',
          'Missing or unsupported X-Amz-Target header (the legacy query protocol is not supported; use the JSON protocol).',
        ),
      tooLarge: () => new SqsError('InvalidParameterValue', 'Request is too large.'),
      invalidJson: () => new SqsError('SerializationException', 'The request body is not valid JSON.'),
      notObject: () => new SqsError('SerializationException', 'The request body must be a JSON object.'),
    },
    errorResponse,
  });
}
