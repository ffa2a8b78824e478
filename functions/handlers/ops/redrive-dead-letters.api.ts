import { createSqsClient } from '../../adapters/sqs/client';
import { redriveDeadLetters } from '../../adapters/sqs/dead-letters';
import { platformContracts } from '../../contracts/api-platform';
import { problemCodes } from '../../contracts/errors';
import { deadLetterQueueUrls, loadFunctionEnvironment } from '../../shared/env';
import { httpHandler } from '../../shared/http';
import { HttpProblem } from '../../shared/problem';

const queueUrls = deadLetterQueueUrls(loadFunctionEnvironment('redriveDeadLetters'));
const sqs = createSqsClient();

/** Starts one SQS message move task per chosen dead-letter queue; the source queue's consumer does the rest. */
export const handler = httpHandler(platformContracts['POST /ops/dead-letters/redrive'], async ({ body }) => {
  const chosen = Object.entries(queueUrls).filter(([queue]) => !body?.queue || body.queue === queue);
  const items = [];
  for (const [queue, url] of chosen) {
    const result = await redriveDeadLetters(sqs, url);
    if (result.kind === 'already-running') {
      throw new HttpProblem(
        409,
        problemCodes.deadLetterMoveRunning,
        `A redrive of ${queue}'s dead letters is still running; wait for it to finish.`,
      );
    }
    items.push({
      queue,
      taskHandle: result.taskHandle,
      approximateMessagesToMove: result.approximateMessagesToMove,
    });
  }
  return { body: { items } };
});
