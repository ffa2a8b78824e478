import { Graph, layout } from '@dagrejs/dagre';

/**
 * A workflow's graph from its ASL, laid out by dagre: one node per top-level state, one edge per way out of
 * it (Next, a Choice's rules and Default, a Catch's Next). The layout is computed, never drawn by hand, so a
 * changed workflow draws itself.
 */
export interface LaidOutNode {
  readonly name: string;
  readonly type: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}
export interface LaidOutEdge {
  readonly from: string;
  readonly to: string;
  readonly label?: string;
  readonly points: readonly { x: number; y: number }[];
}
export interface LaidOutGraph {
  readonly nodes: LaidOutNode[];
  readonly edges: LaidOutEdge[];
  readonly width: number;
  readonly height: number;
}

type AslState = {
  Type?: string;
  Next?: string;
  Default?: string;
  Choices?: { Next?: string }[];
  Catch?: { Next?: string; ErrorEquals?: string[] }[];
};

/** Every way out of a state, with a label where there is more than one kind. */
export function transitionsOf(state: AslState): { to: string; label?: string }[] {
  const out: { to: string; label?: string }[] = [];
  if (state.Next) out.push({ to: state.Next });
  for (const choice of state.Choices ?? []) if (choice.Next) out.push({ to: choice.Next, label: 'when' });
  if (state.Default) out.push({ to: state.Default, label: 'default' });
  for (const handler of state.Catch ?? [])
    if (handler.Next)
      out.push({ to: handler.Next, label: `catch ${(handler.ErrorEquals ?? []).join(', ')}` });
  return out;
}

const characterWidth = 7.5;

export function layOut(definition: { States?: Record<string, AslState> }): LaidOutGraph {
  const states = definition.States ?? {};
  const graph = new Graph({ multigraph: true });
  graph.setGraph({ rankdir: 'TB', nodesep: 30, ranksep: 40, marginx: 10, marginy: 10 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const [name, state] of Object.entries(states))
    graph.setNode(name, {
      width: Math.max(110, name.length * characterWidth + 24),
      height: 38,
      type: state.Type,
    });
  Object.entries(states).forEach(([name, state]) => {
    transitionsOf(state).forEach((transition, index) => {
      if (states[transition.to])
        graph.setEdge(name, transition.to, { label: transition.label }, `${name}-${index}`);
    });
  });
  layout(graph);
  const nodes = graph.nodes().map((name) => {
    const node = graph.node(name) as { x: number; y: number; width: number; height: number };
    return {
      name,
      type: states[name]?.Type ?? '',
      x: node.x,
      y: node.y,
      width: node.width,
      height: node.height,
    };
  });
  const edges = graph.edges().map((edge) => {
    const label = graph.edge(edge) as { points?: { x: number; y: number }[]; label?: string };
    return {
      from: edge.v,
      to: edge.w,
      points: label.points ?? [],
      ...(label.label ? { label: label.label } : {}),
    };
  });
  const size = graph.graph() as { width?: number; height?: number };
  return { nodes, edges, width: size.width ?? 0, height: size.height ?? 0 };
}
