import type { ComponentChildren } from 'preact';

/** The API's own words for a failed request, announced to screen readers. */
export function Problem(props: { error?: string }) {
  return props.error ? (
    <p class="problem" role="alert">
      {props.error}
    </p>
  ) : null;
}

export function When(props: { loading: boolean; children: ComponentChildren }) {
  return props.loading ? <p aria-busy="true">Loading…</p> : props.children;
}

/** A JSON text (a state's input or output) pretty-printed when it parses. */
export function JsonBlock(props: { label: string; text?: string }) {
  if (props.text === undefined) return null;
  let shown = props.text;
  try {
    shown = JSON.stringify(JSON.parse(props.text), null, 2);
  } catch {
    // not JSON: shown as it is
  }
  return (
    <div>
      <h3>{props.label}</h3>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus to be scrolled by keyboard (axe scrollable-region-focusable) */}
      <pre tabIndex={0}>{shown}</pre>
    </div>
  );
}
