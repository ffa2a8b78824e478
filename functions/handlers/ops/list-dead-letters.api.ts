import { createSqsClient } from '../../adapters/clients';
import { deadLetterQueueFigures, peekDeadLetters } from '../../adapters/sqs/dead-letters';
import { apiContracts } from '../../contracts/api';
import { deadLetterEnvironment, deadLetterQueueUrls, loadEnvironment } from '../../shared/env';
import { httpHandler } from '../../shared/http';

const queueUrls = deadLetterQueueUrls(loadEnvironment(deadLetterEnvironment));
const sqs = createSqsClient();

export const handler = httpHandler(apiContracts['GET /ops/dead-letters'], async () => {
  const entries = Object.entries(queueUrls) as [keyof typeof queueUrls, string][];
  const perQueue = await Promise.all(
    entries.map(async ([queue, url]) => ({
      queue,
      letters: await peekDeadLetters(sqs, url),
      figures: await deadLetterQueueFigures(sqs, url),
    })),
  );
  return {
    body: {
      items: perQueue.flatMap(({ queue, letters }) => letters.map((letter) => ({ queue, ...letter }))),
      queues: perQueue.map(({ queue, figures }) => ({
        queue,
        approximateMessages: figures.approximateMessages,
      })),
    },
  };
});
