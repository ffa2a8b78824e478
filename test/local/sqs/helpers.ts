import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll } from 'vitest';
import { localCredentials, localRegion } from '../../../local/emulators/protocol/identity';
import {
  type SqsService,
  type SqsServiceOptions,
  startSqsService,
} from '../../../local/emulators/sqs/service';
import { pollUntil } from '../../support/eventually';

/** A real SDK client aimed at a local SQS service (no retries: a test should see the first answer). */
export function sqsClient(service: SqsService): SQSClient {
  return new SQSClient({
    endpoint: service.url,
    region: localRegion,
    credentials: localCredentials,
    maxAttempts: 1,
  });
}

export async function startTestSqs(
  options: Partial<SqsServiceOptions> = {},
): Promise<{ service: SqsService; sqs: SQSClient; close: () => Promise<void> }> {
  const service = await startSqsService({ queues: [], ...options });
  const sqs = sqsClient(service);
  return {
    service,
    sqs,
    close: async () => {
      sqs.destroy();
      await service.close();
    },
  };
}

/**
 * Starts a local SQS service before the calling file's tests and stops it after them. The fields are read
 * inside tests (they exist only once beforeAll has run), which is why they are getters, not values.
 */
export function useTestSqs(options: Partial<SqsServiceOptions>): {
  readonly service: SqsService;
  readonly sqs: SQSClient;
} {
  let started: Awaited<ReturnType<typeof startTestSqs>> | undefined;
  beforeAll(async () => {
    started = await startTestSqs(options);
  });
  afterAll(async () => {
    await started?.close();
  });
  const current = () => {
    if (!started) throw new Error('the local SQS service is only available inside tests');
    return started;
  };
  return {
    get service() {
      return current().service;
    },
    get sqs() {
      return current().sqs;
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns a value (not undefined) or the deadline passes. */
export const eventually = <T>(check: () => Promise<T | undefined>, timeoutMs = 8_000): Promise<T> =>
  pollUntil(check, timeoutMs, 50);

/** The queue's ApproximateNumberOfMessages (visible) and ApproximateNumberOfMessagesNotVisible (in flight). */
export async function visibleAndInFlight(sqs: SQSClient, QueueUrl: string): Promise<[number, number]> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return [
    Number(Attributes?.ApproximateNumberOfMessages),
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible),
  ];
}
