import type { LaidOutGraph, LaidOutNode } from './graph-layout';
import type { StateRun } from './types';

/** What each history status looks like; colour is never the only cue (the label says it too). */
export const statusStyles: Record<StateRun['status'], { fill: string; stroke: string; label: string }> = {
  SUCCEEDED: { fill: '#d8f3dc', stroke: '#1b7a3a', label: 'succeeded' },
  FAILED: { fill: '#fde2e1', stroke: '#b3261e', label: 'failed' },
  IN_PROGRESS: { fill: '#dbe9ff', stroke: '#1f5fbf', label: 'in progress' },
  WAITING: { fill: '#fff3cd', stroke: '#8a6100', label: 'waiting for a callback' },
  NOT_REACHED: { fill: '#f1f3f5', stroke: '#6c757d', label: 'not reached' },
};

export function WorkflowGraph(props: {
  graph: LaidOutGraph;
  runs: ReadonlyMap<string, StateRun>;
  selected?: string;
  onSelect: (name: string) => void;
}) {
  const { graph, runs, selected, onSelect } = props;
  return (
    <svg
      class="graph"
      viewBox={`0 0 ${graph.width} ${graph.height}`}
      width={graph.width}
      height={graph.height}
      aria-labelledby="graph-title"
    >
      <title id="graph-title">Workflow graph: each state coloured by the execution's history</title>
      <defs>
        <marker
          id="arrow"
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto"
        >
          <path d="M0,0 L10,5 L0,10 z" fill="#495057" />
        </marker>
      </defs>
      {graph.edges.map((edge) => (
        <polyline
          key={`${edge.from}-${edge.to}-${edge.label ?? ''}`}
          points={edge.points.map((point) => `${point.x},${point.y}`).join(' ')}
          fill="none"
          stroke={edge.label?.startsWith('catch') ? '#b3261e' : '#495057'}
          stroke-dasharray={edge.label?.startsWith('catch') ? '4 3' : undefined}
          marker-end="url(#arrow)"
        />
      ))}
      {graph.nodes.map((node) => (
        <GraphNode
          key={node.name}
          node={node}
          status={runs.get(node.name)?.status ?? 'NOT_REACHED'}
          selected={selected === node.name}
          onSelect={() => onSelect(node.name)}
        />
      ))}
    </svg>
  );
}

/** A state: a keyboard-usable button in the SVG, its colour and its label both saying what the history says. */
function GraphNode(props: {
  node: LaidOutNode;
  status: StateRun['status'];
  selected: boolean;
  onSelect: () => void;
}) {
  const { node, status, selected, onSelect } = props;
  const style = statusStyles[status];
  const failed = status === 'FAILED';
  return (
    // biome-ignore lint/a11y/useSemanticElements: an SVG node cannot be a <button>; role and keys make it one
    <g
      role="button"
      tabIndex={0}
      data-state={node.name}
      data-status={status}
      aria-label={`${node.name} (${node.type}): ${style.label}`}
      aria-pressed={selected}
      class={`node${failed ? ' failed' : ''}`}
      onClick={onSelect}
      onKeyDown={(event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          onSelect();
        }
      }}
    >
      <rect
        x={node.x - node.width / 2}
        y={node.y - node.height / 2}
        width={node.width}
        height={node.height}
        rx={node.type === 'Choice' ? 18 : 6}
        fill={style.fill}
        stroke={selected ? '#000' : style.stroke}
        stroke-width={failed || selected ? 4 : 1.5}
      />
      <text x={node.x} y={node.y + 4} text-anchor="middle" font-size="13" fill="#111">
        {failed ? `✖ ${node.name}` : node.name}
      </text>
    </g>
  );
}

export function GraphLegend() {
  return (
    <ul class="legend" aria-label="Colours">
      {Object.entries(statusStyles).map(([status, style]) => (
        <li key={status}>
          <span class="swatch" style={{ background: style.fill, borderColor: style.stroke }} /> {style.label}
        </li>
      ))}
    </ul>
  );
}
