import { useState } from 'preact/hooks';
import { get, post } from '../api';
import { messageOf, useLoad } from '../hooks';
import type { DeadLetters } from '../types';
import { Problem, When } from '../widgets';

export function DeadLettersPage() {
  const listed = useLoad(() => get<DeadLetters>('/ops/dead-letters'), [], 5000);
  const [outcome, setOutcome] = useState<string>();
  const replay = async (queue: string) => {
    try {
      const answer = await post<{ items: { approximateMessagesToMove: number }[] }>(
        '/ops/dead-letters/redrive',
        {
          queue,
        },
      );
      setOutcome(
        `${queue}: moving ${answer.items[0]?.approximateMessagesToMove ?? 0} message(s) back to the queue.`,
      );
    } catch (error) {
      setOutcome(`${queue}: ${messageOf(error)}`);
    }
    listed.reload();
  };
  return (
    <section aria-labelledby="dlq-title">
      <h1 id="dlq-title">Dead letters</h1>
      <p>Messages a queue's consumer gave up on. Fix the cause, then replay them to their queue.</p>
      {outcome && <p aria-live="polite">{outcome}</p>}
      <Problem error={listed.error} />
      <When loading={!listed.data && listed.loading}>
        {listed.data?.queues.map((queue) => {
          const letters = listed.data?.items.filter((item) => item.queue === queue.queue) ?? [];
          return (
            <section key={queue.queue} aria-labelledby={`q-${queue.queue}`} data-queue={queue.queue}>
              <h2 id={`q-${queue.queue}`}>
                {queue.queue}: <span data-testid="dead-letter-count">{queue.approximateMessages}</span> dead
                letter(s)
              </h2>
              {queue.approximateMessages > 0 && (
                <button type="button" onClick={() => void replay(queue.queue)}>
                  Replay {queue.queue}
                </button>
              )}
              {letters.length > 0 && (
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Message</th>
                      <th scope="col">Deliveries</th>
                      <th scope="col">Body</th>
                    </tr>
                  </thead>
                  <tbody>
                    {letters.map((letter) => (
                      <tr key={letter.messageId}>
                        <td>{letter.messageId}</td>
                        <td>{letter.receiveCount}</td>
                        <td class="cause">{letter.body.slice(0, 300)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
          );
        })}
      </When>
    </section>
  );
}
