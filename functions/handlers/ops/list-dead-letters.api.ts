import { createSqsClient } from '../../adapters/sqs/client';
import { peekDeadLetters } from '../../adapters/sqs/dead-letters';
import { platformContracts } from '../../contracts/api-platform';
import { deadLetterQueueUrls, loadFunctionEnvironment } from '../../shared/env';
import { httpHandler } from '../../shared/http';

const queueUrls = deadLetterQueueUrls(loadFunctionEnvironment('listDeadLetters'));
const sqs = createSqsClient();

export const handler = httpHandler(platformContracts['GET /ops/dead-letters'], async () => {
  const entries = Object.entries(queueUrls) as [keyof typeof queueUrls, string][];
  const perQueue = await Promise.all(
    entries.map(async ([queue, url]) => ({ queue, peek: await peekDeadLetters(sqs, url) })),
  );
  return {
    body: {
      items: perQueue.flatMap(({ queue, peek }) => peek.letters.map((letter) => ({ queue, ...letter }))),
      queues: perQueue.map(({ queue, peek }) => ({
        queue,
        approximateMessages: peek.approximateMessages,
        listed: peek.letters.length,
        complete: peek.complete,
      })),
    },
  };
});
