import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SupplierStockMessage } from '../../contracts/schemas';
import { callAws } from '../errors';

export async function enqueueSupplierFeed(
  sqs: SQSClient,
  queueUrl: string,
  message: SupplierStockMessage,
): Promise<string> {
  const sent = await callAws('enqueueSupplierFeed', () =>
    sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message) })),
  );
  return sent.MessageId ?? '';
}
