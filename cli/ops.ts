import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

/**
 * The operations CLI: the ops API from a terminal (`npm run ops -- <command>`). It talks HTTP only, so the
 * same commands work against the local cloud and a deployed stack. Without `--api`/`--key` it uses the
 * local cloud's `.local/endpoints.json` (written by `npm start`).
 */

export const usage = `Usage: npm run ops -- <command> [options]

Commands
  executions [--status FAILED|RUNNING|SUCCEEDED|...]   workflow executions (default: FAILED)
  redrive <executionId>                                 redrive a failed execution from the failed step
  dead-letters                                          messages in the dead-letter queues
  dead-letters redrive [--queue NAME]                   move dead letters back to their queue
  faults set --workflow W --state S [--error E] [--times N] [--phase before|after]   (local cloud only)
  faults clear                                          (local cloud only)

Options
  --api URL    the API (default: "api" in .local/endpoints.json)
  --key KEY    an ops API key (default: "keys.ops" in .local/endpoints.json)
  --json       print the API's JSON instead of a table`;

export interface CliIo {
  readonly print: (line: string) => void;
  readonly fetch: typeof fetch;
  /** Where `.local/endpoints.json` is looked for. */
  readonly stateDir: string;
}

class UsageError extends Error {}
class UnreachableError extends Error {}

/** Runs one command; returns the process exit code (0 ok, 1 the API refused, 2 bad usage). */
export async function runOpsCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.print(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  let target: { api: string; key: string };
  try {
    target = resolveTarget(values, io.stateDir);
  } catch (error) {
    io.print((error as Error).message);
    return 2;
  }
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await io
      .fetch(`${target.api}${path}`, {
        method,
        headers: { 'x-api-key': target.key, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      .catch((error: Error) => {
        throw new UnreachableError(
          `Cannot reach the API at ${target.api} (${String((error.cause as Error | undefined)?.message ?? error.message)}). Is npm start running? Otherwise give --api.`,
        );
      });
    const text = await response.text();
    return { status: response.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
  const report = (answer: { status: number; json: Record<string, unknown> }, table: () => string[]) => {
    if (answer.status >= 400) {
      io.print(`${answer.status} ${String(answer.json.title ?? '')}: ${String(answer.json.detail ?? '')}`);
      return 1;
    }
    for (const line of values.json ? [JSON.stringify(answer.json, null, 2)] : table()) io.print(line);
    return 0;
  };

  try {
    if (command === 'executions' && rest.length === 0) {
      const status = values.status ?? 'FAILED';
      const answer = await call('GET', `/ops/executions?status=${encodeURIComponent(status)}`);
      return report(answer, () =>
        executionTable(answer.json.items as ExecutionRow[], status, !values.status),
      );
    }
    if (command === 'redrive' && rest.length === 1) {
      const answer = await call('POST', `/ops/executions/${encodeURIComponent(rest[0] as string)}/redrive`);
      return report(answer, () => [
        `redriven: ${String(answer.json.executionArn)} (${String(answer.json.status)})`,
      ]);
    }
    if (command === 'dead-letters' && rest.length === 0) {
      const answer = await call('GET', '/ops/dead-letters');
      return report(answer, () => deadLetterTable(answer.json as unknown as DeadLetterAnswer));
    }
    if (command === 'dead-letters' && rest[0] === 'redrive' && rest.length === 1) {
      const answer = await call(
        'POST',
        '/ops/dead-letters/redrive',
        values.queue ? { queue: values.queue } : {},
      );
      return report(answer, () =>
        (answer.json.items as { queue: string; approximateMessagesToMove: number }[]).map(
          (item) => `${item.queue}: moving ~${item.approximateMessagesToMove} message(s) back`,
        ),
      );
    }
    if (command === 'faults' && rest[0] === 'set' && rest.length === 1) {
      if (!values.workflow || !values.state) throw new UsageError('faults set needs --workflow and --state');
      const fault = {
        workflow: values.workflow,
        state: values.state,
        ...(values.error ? { error: values.error } : {}),
        times: Number(values.times ?? 1),
        ...(values.phase ? { phase: values.phase } : {}),
      };
      const answer = await call('PUT', '/ops/faults', fault);
      return report(answer, () => [`fault set: ${JSON.stringify(answer.json)}`]);
    }
    if (command === 'faults' && rest[0] === 'clear' && rest.length === 1) {
      const answer = await call('DELETE', '/ops/faults');
      return report(answer, () => ['faults cleared']);
    }
    throw new UsageError(command ? `unknown command: ${positionals.join(' ')}` : 'no command');
  } catch (error) {
    if (error instanceof UsageError) {
      io.print(`${error.message}\n\n${usage}`);
      return 2;
    }
    if (error instanceof UnreachableError) {
      io.print(error.message);
      return 1;
    }
    throw error;
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      api: { type: 'string' },
      key: { type: 'string' },
      json: { type: 'boolean' },
      status: { type: 'string' },
      queue: { type: 'string' },
      workflow: { type: 'string' },
      state: { type: 'string' },
      error: { type: 'string' },
      times: { type: 'string' },
      phase: { type: 'string' },
    },
  });
}

function resolveTarget(values: { api?: string; key?: string }, stateDir: string) {
  const file = `${stateDir}/endpoints.json`;
  const local = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { api?: string; keys?: { ops?: string } })
    : {};
  const api = values.api ?? local.api;
  const key = values.key ?? local.keys?.ops;
  if (!api || !key)
    throw new UsageError(`Give --api and --key, or start the local cloud (npm start) so ${file} exists.`);
  return { api: api.replace(/\/$/, ''), key };
}

interface ExecutionRow {
  executionId: string;
  workflow: string;
  status: string;
  failedState?: string;
  error?: string;
  cause?: string;
}

/** Says which status it listed: an empty FAILED list must not read as "nothing ran". */
function executionTable(items: readonly ExecutionRow[], status: string, defaulted: boolean): string[] {
  const filter = `${status} executions${defaulted ? ' (the default; --status RUNNING, SUCCEEDED, … lists others)' : ''}`;
  if (items.length === 0) return [`no ${filter}`];
  return [
    `${items.length} ${filter}:`,
    ...columns(
      ['EXECUTION', 'WORKFLOW', 'STATUS', 'FAILED STATE', 'ERROR', 'CAUSE'],
      items.map((item) => [
        item.executionId,
        item.workflow,
        item.status,
        item.failedState ?? '',
        item.error ?? '',
        (item.cause ?? '').slice(0, 60),
      ]),
    ),
  ];
}

interface DeadLetterAnswer {
  items: { queue: string; messageId: string; receiveCount: number; body: string }[];
  queues: { queue: string; approximateMessages: number; listed?: number; complete?: boolean }[];
}

function deadLetterTable(answer: DeadLetterAnswer): string[] {
  const summary = answer.queues.map(
    (queue) =>
      `${queue.queue}: ~${queue.approximateMessages} dead letter(s)${
        queue.complete === false ? ` (listing incomplete: ${queue.listed ?? 0} shown)` : ''
      }`,
  );
  if (answer.items.length === 0) return summary;
  return [
    ...summary,
    ...columns(
      ['QUEUE', 'MESSAGE', 'RECEIVES', 'BODY'],
      answer.items.map((item) => [
        item.queue,
        item.messageId,
        String(item.receiveCount),
        item.body.slice(0, 60),
      ]),
    ),
  ];
}

function columns(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, index) =>
    Math.max(title.length, ...rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, index) => cell.padEnd(widths[index] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
