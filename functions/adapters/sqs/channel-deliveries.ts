import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { TransientError } from '../../contracts/errors';
import { callAws } from '../errors';

/**
 * Asks for an order's pending channel events to be delivered: one small message per order (the events stay
 * in the order's event log, so a message repeated, reordered or replayed from the DLQ delivers each event
 * once more at most, and always in order). Ten per SendMessageBatch.
 */
export async function requestDeliveries(
  sqs: SQSClient,
  queueUrl: string,
  orderIds: readonly string[],
): Promise<void> {
  for (let start = 0; start < orderIds.length; start += 10) {
    const batch = orderIds.slice(start, start + 10);
    const sent = await callAws('requestDeliveries', () =>
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((orderId, index) => ({
            Id: String(index),
            MessageBody: JSON.stringify({ orderId }),
          })),
        }),
      ),
    );
    if ((sent.Failed ?? []).length > 0)
      throw new TransientError(
        `${sent.Failed?.length} delivery requests were not queued: ${sent.Failed?.[0]?.Message}`,
      );
  }
}

/** Backs a failed delivery off: the message comes back after `seconds` (exponential, by its receive count). */
export async function deferDelivery(
  sqs: SQSClient,
  queueUrl: string,
  receiptHandle: string,
  seconds: number,
): Promise<void> {
  await callAws('deferDelivery', () =>
    sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: seconds,
      }),
    ),
  );
}
