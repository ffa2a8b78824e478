import { useState } from 'preact/hooks';
import { post } from '../api';
import { belongsTo } from '../belongs-to';
import { messageOf, useLoad } from '../hooks';
import { armedFaults, executionPages, workflows } from '../queries';
import type { ExecutionSummary, Fault } from '../types';
import { Problem, When } from '../widgets';

const statuses = ['FAILED', 'TIMED_OUT', 'ABORTED', 'RUNNING', 'SUCCEEDED'] as const;
const redrivable = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

export function ExecutionsPage() {
  const [status, setStatus] = useState<string>('FAILED');
  const [workflow, setWorkflow] = useState<string>('');
  const [since, setSince] = useState<string>('');
  const [confirming, setConfirming] = useState(false);
  const [outcome, setOutcome] = useState<string>();
  const [pages, setPages] = useState(1);
  const listed = useLoad(() => executionPages(status, workflow, pages), [status, workflow, pages], 5000);
  const faults = useLoad(armedFaults, [], 5000);
  const shown = (listed.data?.items ?? []).filter(
    (execution) =>
      (!workflow || execution.workflow === workflow) &&
      (!since || execution.startDate >= new Date(since).toISOString()),
  );
  const redrive = async (targets: ExecutionSummary[]) => {
    const results = await Promise.all(
      targets.map((execution) =>
        post(`/ops/executions/${encodeURIComponent(execution.executionId)}/redrive`).then(
          () => `${execution.executionId}: redriven`,
          (error: unknown) => `${execution.executionId}: ${messageOf(error)}`,
        ),
      ),
    );
    setOutcome(results.join('\n'));
    setConfirming(false);
    listed.reload();
  };
  return (
    <section aria-labelledby="executions-title">
      <h1 id="executions-title">Executions</h1>
      <FaultBanner faults={faults.data ?? []} />
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <Choice label="Workflow" value={workflow} options={['', ...workflows]} onChange={setWorkflow} />
        <Choice label="Status" value={status} options={statuses} onChange={setStatus} />
        <label>
          Started since
          <input
            type="datetime-local"
            value={since}
            onInput={(event) => setSince(event.currentTarget.value)}
          />
        </label>
        {redrivable.has(status) && shown.length > 0 && (
          <button type="button" onClick={() => setConfirming(true)}>
            Redrive all {shown.length} shown
          </button>
        )}
      </form>
      {confirming && (
        <BulkConfirm
          count={shown.length}
          onConfirm={() => void redrive(shown)}
          onCancel={() => setConfirming(false)}
        />
      )}
      {outcome && (
        <pre class="outcome" aria-live="polite">
          {outcome}
        </pre>
      )}
      <Problem error={listed.error ?? faults.error} />
      <When loading={listed.loading && !listed.data}>
        <ExecutionTable executions={shown} onRedrive={(execution) => void redrive([execution])} />
        {listed.data?.nextToken && (
          <button type="button" onClick={() => setPages(pages + 1)}>
            Show 100 more
          </button>
        )}
      </When>
    </section>
  );
}

function Choice(props: {
  label: string;
  value: string;
  options: readonly string[];
  onChange: (value: string) => void;
}) {
  return (
    <label>
      {props.label}
      <select value={props.value} onChange={(event) => props.onChange(event.currentTarget.value)}>
        {props.options.map((option) => (
          <option key={option} value={option}>
            {option || 'all'}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Armed local faults: a rehearsal is never mistaken for an incident. */
function FaultBanner(props: { faults: Fault[] }) {
  if (props.faults.length === 0) return null;
  return (
    <div class="banner rehearsal" role="alert">
      <strong>Fault injection is active (a local rehearsal, not an incident):</strong>
      <ul>
        {props.faults.map((fault) => (
          <li key={`${fault.workflow}-${fault.state}`}>
            {fault.workflow} · {fault.state}: {fault.error}, {fault.phase} its task, {fault.remaining} more
            attempt(s)
          </li>
        ))}
      </ul>
    </div>
  );
}

function BulkConfirm(props: { count: number; onConfirm: () => void; onCancel: () => void }) {
  return (
    <div class="confirm" role="alertdialog" aria-labelledby="confirm-bulk">
      <p id="confirm-bulk">
        Redrive {props.count} execution(s) from the step each failed at? Fix the cause first.
      </p>
      <button type="button" onClick={props.onConfirm}>
        Confirm redrive of {props.count}
      </button>
      <button type="button" onClick={props.onCancel}>
        Cancel
      </button>
    </div>
  );
}

function ExecutionTable(props: {
  executions: ExecutionSummary[];
  onRedrive: (execution: ExecutionSummary) => void;
}) {
  if (props.executions.length === 0) return <p>No executions match.</p>;
  return (
    <table>
      <caption>{props.executions.length} execution(s)</caption>
      <thead>
        <tr>
          <th scope="col">Execution</th>
          <th scope="col">Workflow</th>
          <th scope="col">Belongs to</th>
          <th scope="col">Status</th>
          <th scope="col">Failed state</th>
          <th scope="col">Error and cause</th>
          <th scope="col">When</th>
          <th scope="col">Action</th>
        </tr>
      </thead>
      <tbody>
        {props.executions.map((execution) => {
          const about = belongsTo(execution.workflow, execution.executionId);
          return (
            <tr key={execution.executionArn} data-execution={execution.executionId}>
              <td>
                <a href={`#/executions/${execution.workflow}/${encodeURIComponent(execution.executionId)}`}>
                  {execution.executionId}
                </a>
              </td>
              <td>{execution.workflow}</td>
              <td>
                {about.kind}{' '}
                {about.orderId ? (
                  <a href={`#/orders/${encodeURIComponent(about.orderId)}`}>{about.id}</a>
                ) : (
                  about.id
                )}
              </td>
              <td>
                <span class={`status ${execution.status.toLowerCase()}`}>{execution.status}</span>
              </td>
              <td>{execution.failedState ?? ''}</td>
              <td class="cause">
                {execution.error ?? ''} {execution.cause ? `— ${execution.cause}` : ''}
              </td>
              <td>{new Date(execution.stopDate ?? execution.startDate).toLocaleString()}</td>
              <td>
                {redrivable.has(execution.status) && (
                  <button type="button" onClick={() => props.onRedrive(execution)}>
                    Redrive<span class="visually-hidden"> {execution.executionId}</span>
                  </button>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
