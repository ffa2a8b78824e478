import { useMemo, useState } from 'preact/hooks';
import { get, post } from '../api';
import { GraphLegend, statusStyles, WorkflowGraph } from '../graph';
import { layOut } from '../graph-layout';
import { messageOf, useLoad } from '../hooks';
import type { ExecutionDetail, StateRun } from '../types';
import { JsonBlock, Problem, When } from '../widgets';

export function ExecutionPage(props: { workflow: string; executionId: string }) {
  const [page, setPage] = useState(1);
  const [selected, setSelected] = useState<string>();
  const [outcome, setOutcome] = useState<string>();
  const path = `/ops/executions/${encodeURIComponent(props.executionId)}?workflow=${props.workflow}&page=${page}`;
  const detail = useLoad(() => get<ExecutionDetail>(path), [path], 3000);
  const data = detail.data;
  const graph = useMemo(() => (data ? layOut(data.definition as never) : undefined), [data?.definition]);
  const runs = useMemo(() => new Map((data?.states ?? []).map((run) => [run.name, run])), [data?.states]);
  const failed = data?.states.find((run) => run.status === 'FAILED');
  const shown = runs.get(selected ?? failed?.name ?? '');
  const redrive = async () => {
    try {
      await post(`/ops/executions/${encodeURIComponent(props.executionId)}/redrive`);
      setOutcome('Redriven: it carries on from the step that failed.');
    } catch (error) {
      setOutcome(messageOf(error));
    }
    detail.reload();
  };
  return (
    <section aria-labelledby="execution-title">
      <h1 id="execution-title">
        {props.workflow} · {props.executionId}
      </h1>
      <Problem error={detail.error} />
      <When loading={!data && detail.loading}>
        {data && graph && (
          <>
            <p>
              Status{' '}
              <span class={`status ${data.execution.status.toLowerCase()}`} data-testid="execution-status">
                {data.execution.status}
              </span>
              {failed && (
                <>
                  {' '}
                  at <strong>{failed.name}</strong>: {data.execution.error} {data.execution.cause}
                </>
              )}{' '}
              {['FAILED', 'TIMED_OUT', 'ABORTED'].includes(data.execution.status) && (
                <button type="button" onClick={() => void redrive()}>
                  Redrive
                </button>
              )}
            </p>
            {outcome && <p aria-live="polite">{outcome}</p>}
            <div class="execution-layout">
              <div class="graph-box">
                <GraphLegend />
                <WorkflowGraph graph={graph} runs={runs} selected={shown?.name} onSelect={setSelected} />
              </div>
              <StatePanel run={shown} />
            </div>
            <History detail={data} onPage={setPage} />
          </>
        )}
      </When>
    </section>
  );
}

function StatePanel(props: { run?: StateRun }) {
  const run = props.run;
  if (!run) return <aside class="state-panel">Select a state to see its input, output and error.</aside>;
  return (
    <aside class="state-panel" aria-labelledby="state-title" aria-live="polite">
      <h2 id="state-title">{run.name}</h2>
      <p>
        {statusStyles[run.status].label}; entered {run.entries} time(s)
        {run.failedAttempts > 0 ? `; ${run.failedAttempts} failed attempt(s) (retries)` : ''}
      </p>
      {run.error && (
        <p class="problem">
          <strong>{run.error}</strong> {run.cause}
        </p>
      )}
      <JsonBlock label="Input" text={run.input} />
      <JsonBlock label="Output" text={run.output} />
    </aside>
  );
}

function History(props: { detail: ExecutionDetail; onPage: (page: number) => void }) {
  const { detail } = props;
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">
        History ({detail.totalEvents} events, page {detail.page} of {detail.pages})
      </h2>
      <nav aria-label="History pages" class="pager">
        <button type="button" disabled={detail.page <= 1} onClick={() => props.onPage(detail.page - 1)}>
          Previous page
        </button>
        <button
          type="button"
          disabled={detail.page >= detail.pages}
          onClick={() => props.onPage(detail.page + 1)}
        >
          Next page
        </button>
      </nav>
      <table>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Type</th>
            <th scope="col">When</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {detail.events.map((event) => (
            <tr key={event.id}>
              <td>{event.id}</td>
              <td>{event.type}</td>
              <td>{new Date(event.timestamp).toLocaleTimeString()}</td>
              <td class="cause">{event.details ? JSON.stringify(event.details).slice(0, 300) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
