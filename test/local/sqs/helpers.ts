import { SQSClient } from '@aws-sdk/client-sqs';
import { localCredentials, localRegion } from '../../../local/aws';
import { type SqsService, type SqsServiceOptions, startSqsService } from '../../../local/sqs/service';

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

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 8_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
}
