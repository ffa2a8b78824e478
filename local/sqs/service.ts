import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { localAccountId, queueArn } from '../aws';
import { type EngineSnapshot, type QueueAttributes, SqsEngine } from './engine';
import { SqsError } from './errors';
import { isRecord } from './input';

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
}

export interface SqsService {
  url: string;
  queueUrl(name: string): string;
  close(): Promise<void>;
}

const jsonContentType = 'application/x-amz-json-1.0';
const targetPrefix = 'AmazonSQS.';
/** Well above the 1 MiB message limit times a 10-entry batch cap in practice, but bounded. */
const maxRequestBytes = 12 * 1024 * 1024;
const persistDebounceMs = 100;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxRequestBytes) {
        reject(new SqsError('InvalidParameterValue', 'Request is too large.'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (response.destroyed || response.writableEnded) return;
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': jsonContentType,
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  response.end(payload);
}

function sendError(response: ServerResponse, error: SqsError): void {
  send(
    response,
    error.status,
    { __type: `com.amazonaws.sqs#${error.shape}`, message: error.message },
    // Read by query-compatible SDKs (JS v3, botocore) to pick the exception class; see errors.ts.
    { 'x-amzn-query-error': `${error.queryCode};Sender` },
  );
}

function loadSnapshot(file: string): EngineSnapshot | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed: unknown = JSON.parse(text);
  if (!isRecord(parsed) || parsed.version !== 1 || !Array.isArray(parsed.queues)) {
    throw new Error(`${file} is not a local SQS state file (version 1)`);
  }
  return parsed as unknown as EngineSnapshot;
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

  let persistTimer: NodeJS.Timeout | undefined;
  const persistNow = (): void => {
    if (persistTimer) clearTimeout(persistTimer);
    persistTimer = undefined;
    if (!options.persistFile) return;
    // Write-then-rename so a crash mid-write never leaves a truncated state file behind.
    const temporary = `${options.persistFile}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(engine.snapshot()));
    renameSync(temporary, options.persistFile);
  };
  const schedulePersist = (): void => {
    if (!options.persistFile || persistTimer) return;
    persistTimer = setTimeout(persistNow, persistDebounceMs);
    persistTimer.unref();
  };

  const engine = new SqsEngine(queueUrl, schedulePersist);
  if (options.persistFile) {
    const snapshot = loadSnapshot(options.persistFile);
    if (snapshot) engine.restore(snapshot);
  }
  // Dead-letter queues first is not required here (definitions bypass validation), but the definition
  // always wins over persisted settings so a changed system definition takes effect on restart.
  for (const definition of options.queues)
    engine.defineQueue(definition.name, definitionAttributes(definition));

  const server = createServer((request, response) => {
    void handle(request, response);
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // The request's lifetime: a client that disconnects mid long poll must not consume messages.
    const abort = new AbortController();
    // The request's lifetime: a client that gives up on a long poll must not consume messages. A client
    // abort reaches us as a FIN, which Node's server only turns into 'close' once the response is written,
    // so the socket's 'end' is watched too.
    const socket = request.socket;
    const gone = () => abort.abort();
    socket.once('end', gone);
    socket.once('close', gone);
    response.once('close', () => {
      abort.abort();
      socket.off('end', gone);
      socket.off('close', gone);
    });
    try {
      if (request.method !== 'POST') {
        throw new SqsError(
          'UnknownOperationException',
          'Only POST requests of the AWS JSON 1.0 protocol are supported.',
        );
      }
      const target = request.headers['x-amz-target'];
      if (typeof target !== 'string' || !target.startsWith(targetPrefix)) {
        throw new SqsError(
          'UnknownOperationException',
          'Missing or unsupported X-Amz-Target header (the legacy query protocol is not supported; use the JSON protocol).',
        );
      }
      const text = await readBody(request);
      let input: unknown;
      try {
        input = text.trim() === '' ? {} : JSON.parse(text);
      } catch {
        throw new SqsError('SerializationException', 'The request body is not valid JSON.');
      }
      if (!isRecord(input))
        throw new SqsError('SerializationException', 'The request body must be a JSON object.');
      const output = await engine.handle(target.slice(targetPrefix.length), input, abort.signal);
      send(response, 200, output);
    } catch (error) {
      if (error instanceof SqsError) {
        sendError(response, error);
      } else {
        send(
          response,
          500,
          { __type: 'com.amazonaws.sqs#InternalError', message: String(error) },
          {
            'x-amzn-query-error': 'InternalError;Receiver',
          },
        );
      }
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;
  if (options.persistFile) persistNow();

  let closing: Promise<void> | undefined;
  return {
    url: baseUrl,
    queueUrl,
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        // Pending long polls answer "no messages" at once, then idle keep-alive sockets are dropped.
        engine.close();
        server.close((error) => {
          try {
            persistNow();
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
