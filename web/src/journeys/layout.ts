// Where to draw steps that have no stored position: top-down layers by their distance from the
// first step (breadth first), each layer centred under the trigger, steps nobody reaches in a last
// row. Steps with a stored position keep it. Pure.
import type { JourneyDefinition } from './api.ts';
import { successors } from './branches.ts';

export type Point = { x: number; y: number };

export const LAYER_GAP = 170;
export const COLUMN_GAP = 280;

/** Each step's layer: its breadth-first distance from the first step; steps not reached go one layer below the deepest. */
export function layers(graph: JourneyDefinition['graph']): Map<string, number> {
  const byId = new Map(graph.steps.map((s) => [s.id, s]));
  const depth = new Map<string, number>();
  if (graph.start && byId.has(graph.start)) {
    depth.set(graph.start, 0);
    const queue = [graph.start];
    for (let i = 0; i < queue.length; i++) {
      const id = queue[i]!;
      for (const next of successors(byId.get(id)!)) {
        if (next === null || !byId.has(next) || depth.has(next)) continue;
        depth.set(next, depth.get(id)! + 1);
        queue.push(next);
      }
    }
  }
  const deepest = Math.max(-1, ...depth.values());
  for (const s of graph.steps) if (!depth.has(s.id)) depth.set(s.id, deepest + 1);
  return depth;
}

/** Automatic positions of every step (layer by layer; within a layer in the order they were reached). */
export function autoLayout(graph: JourneyDefinition['graph']): Map<string, Point> {
  const depth = layers(graph);
  // `layers` lists steps in breadth-first order and the sort is stable, so a layer keeps it: a
  // branch's children sit under it, left to right.
  const order = [...depth.entries()].sort((a, b) => a[1] - b[1]).map(([id]) => id);
  const rows = new Map<number, string[]>();
  for (const id of order) {
    const d = depth.get(id)!;
    rows.set(d, [...(rows.get(d) ?? []), id]);
  }
  const out = new Map<string, Point>();
  for (const [d, ids] of rows) {
    ids.forEach((id, i) => out.set(id, { x: Math.round((i - (ids.length - 1) / 2) * COLUMN_GAP), y: (d + 1) * LAYER_GAP }));
  }
  return out;
}

/** The positions to draw: each step's stored one or the automatic one; the trigger one layer above the top, over the first step. */
export function placeSteps(def: Pick<JourneyDefinition, 'graph'>): { steps: Map<string, Point>; trigger: Point } {
  const missing = def.graph.steps.some((s) => !s.position);
  const auto = missing ? autoLayout(def.graph) : new Map<string, Point>();
  const steps = new Map<string, Point>(def.graph.steps.map((s) => [s.id, s.position ?? auto.get(s.id)!]));
  const first = def.graph.start ? steps.get(def.graph.start) : undefined;
  const top = Math.min(LAYER_GAP, ...[...steps.values()].map((p) => p.y));
  return { steps, trigger: { x: first?.x ?? 0, y: top - LAYER_GAP } };
}

/** The graph with every step moved to its automatic position ("tidy up"). */
export function tidy<G extends JourneyDefinition['graph']>(graph: G): G {
  const auto = autoLayout(graph);
  return { ...graph, steps: graph.steps.map((s) => ({ ...s, position: auto.get(s.id)! })) };
}
