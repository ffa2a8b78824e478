import { useState } from 'preact/hooks';
import { get } from '../api';
import { BarChart } from '../chart';
import { useLoad } from '../hooks';
import { countExecutions, workflows } from '../queries';
import type { DeadLetters, ReturnKpis } from '../types';
import { Problem, When } from '../widgets';
import { OrderKpisSection } from './order-kpis';

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

/** Each KPI says what it counts, on the page: a number nobody can define is a number nobody can act on. */
export function KpisPage() {
  const [from, setFrom] = useState(day(-29));
  const [to, setTo] = useState(day(0));
  const returns = useLoad(() => get<ReturnKpis>(`/ops/kpis/returns?from=${from}&to=${to}`), [from, to]);
  const reasons = Object.entries(returns.data?.byReason ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return (
    <section aria-labelledby="kpis-title">
      <h1 id="kpis-title">KPIs</h1>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          From
          <input type="date" value={from} onInput={(event) => setFrom(event.currentTarget.value)} />
        </label>
        <label>
          To
          <input type="date" value={to} onInput={(event) => setTo(event.currentTarget.value)} />
        </label>
      </form>
      <OrderKpisSection from={from} to={to} />
      <Problem error={returns.error} />
      <h2>Return rate by reason</h2>
      <p class="definition">
        Units asked back over units delivered in the period, by the reason the customer gave; counted once per
        fact from the table's stream (docs/returns.md).
      </p>
      <When loading={!returns.data && returns.loading}>
        {returns.data && (
          <>
            <p>
              <span data-testid="return-rate">
                {returns.data.returnRate === null
                  ? 'no deliveries yet'
                  : `${(returns.data.returnRate * 100).toFixed(1)} %`}
              </span>{' '}
              ({returns.data.unitsReturned} of {returns.data.unitsDelivered} units delivered,{' '}
              {returns.data.returns} return(s))
            </p>
            <BarChart
              title="Units returned by reason"
              unit="units"
              labels={reasons.map(([reason]) => reason)}
              values={reasons.map(([, units]) => units)}
            />
          </>
        )}
      </When>
      <FailureHealth />
    </section>
  );
}

/** Failed executions by workflow (counted with the summary view: no read per execution) and dead letters. */
function FailureHealth() {
  const health = useLoad(
    async () => {
      const failed = await countExecutions('FAILED');
      const byWorkflow = Object.fromEntries(workflows.map((workflow) => [workflow, 0]));
      for (const execution of failed)
        byWorkflow[execution.workflow] = (byWorkflow[execution.workflow] ?? 0) + 1;
      const letters = await get<DeadLetters>('/ops/dead-letters');
      return {
        failed: failed.length,
        byWorkflow,
        deadLetters: letters.queues.reduce((sum, queue) => sum + queue.approximateMessages, 0),
      };
    },
    [],
    10_000,
  );
  return (
    <>
      <h2>Failed executions and dead letters</h2>
      <p class="definition">
        Executions stopped FAILED (waiting for a fix and a redrive), and messages in every dead-letter queue,
        now.
      </p>
      {health.data && (
        <BarChart
          title="Failed executions by workflow"
          unit="executions"
          labels={Object.keys(health.data.byWorkflow)}
          values={Object.values(health.data.byWorkflow)}
        />
      )}
      {health.data && (
        <dl class="figures">
          <dt>Failed executions</dt>
          <dd data-testid="failed-executions">{health.data.failed}</dd>
          <dt>Dead letters</dt>
          <dd>{health.data.deadLetters}</dd>
        </dl>
      )}
      <Problem error={health.error} />
    </>
  );
}
