/**
 * What `npm start` prints, without --verbose, while the system runs: only what needs a human. Function logs
 * are Powertools JSON lines; an ERROR (or CRITICAL) one becomes one readable line, the rest stay silent.
 */

/** Powertools' own keys: the same on every line, so they say nothing about this error. */
const standardKeys = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'sampling_rate',
  'xray_trace_id',
  'cold_start',
  'function_name',
  'function_memory_size',
  'function_arn',
  'function_request_id',
]);

const maxDetailLength = 300;

/** `fn: message (details)` for an error line, else undefined (other levels, or not JSON at all). */
export function errorNoticeOf(functionName: string, line: string): string | undefined {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof entry !== 'object' || entry === null) return undefined;
  const level = String(entry.level ?? '').toUpperCase();
  if (level !== 'ERROR' && level !== 'CRITICAL') return undefined;
  const details = Object.fromEntries(
    Object.entries(entry)
      .filter(([key]) => !standardKeys.has(key))
      .map(([key, value]) => [key, brief(value)]),
  );
  const detailText = JSON.stringify(details);
  const shown =
    detailText.length > maxDetailLength ? `${detailText.slice(0, maxDetailLength - 1)}…` : detailText;
  return `${functionName}: ${String(entry.message ?? '(no message)')}${detailText === '{}' ? '' : ` ${shown}`}`;
}

/** An error object keeps its name and message; its stack belongs to --verbose. */
function brief(value: unknown): unknown {
  if (value && typeof value === 'object' && 'stack' in value) {
    const { name, message } = value as { name?: unknown; message?: unknown };
    return { name, message };
  }
  return value;
}
