// A journey definition as React Flow draws it, and back: one node per step (its id the step's id,
// its position the step's stored one or the automatic layout's), a trigger node above the first
// step, and one edge per connected branch, leaving from the branch's own source handle. Pure.
import type { Edge, Node } from '@xyflow/react';
import type { JourneyDefinition, JourneyStep } from './api.ts';
import { branchesOf, NEXT, withBranch, withoutLinks, type BranchKind } from './branches.ts';
import { placeSteps, type Point } from './layout.ts';

/** The trigger's node (not a step: it cannot be deleted, and its one edge is the graph's start). */
export const TRIGGER_ID = '__trigger';
/** The handle every step is entered by. */
export const TARGET_HANDLE = 'in';

export type StepNodeData = {
  step: JourneyStep;
  index: number;
  /** Added by the canvas: the step in words, its figures from the report, whether a problem names it. */
  summary?: string;
  figures?: { reached: number; waiting: number } | null;
  problem?: boolean;
};
export type TriggerNodeData = { trigger: JourneyDefinition['trigger']; summary?: string; problem?: boolean };
export type StepNode = Node<StepNodeData, 'step'>;
export type TriggerNode = Node<TriggerNodeData, 'trigger'>;
export type FlowNode = StepNode | TriggerNode;
export type FlowEdgeData = { kind: BranchKind | 'start'; key?: string; share?: number };
export type FlowEdge = Edge<FlowEdgeData>;

export const edgeId = (source: string, handle: string) => `${source}:${handle}`;

/** Nodes and edges of a definition. Links to steps that do not exist draw no edge (the problems list names them). */
export function toFlow(def: Pick<JourneyDefinition, 'trigger' | 'graph'>): { nodes: FlowNode[]; edges: FlowEdge[] } {
  const { steps, trigger } = placeSteps(def);
  const ids = new Set(def.graph.steps.map((s) => s.id));
  const nodes: FlowNode[] = [
    { id: TRIGGER_ID, type: 'trigger', position: trigger, data: { trigger: def.trigger }, deletable: false },
    ...def.graph.steps.map((step, index): StepNode => ({ id: step.id, type: 'step', position: steps.get(step.id)!, data: { step, index } })),
  ];
  const edges: FlowEdge[] = [];
  if (def.graph.start && ids.has(def.graph.start)) {
    edges.push({ id: edgeId(TRIGGER_ID, NEXT), source: TRIGGER_ID, sourceHandle: NEXT, target: def.graph.start, targetHandle: TARGET_HANDLE, data: { kind: 'start' } });
  }
  for (const step of def.graph.steps) {
    for (const b of branchesOf(step)) {
      if (b.target === null || !ids.has(b.target)) continue;
      const data: FlowEdgeData = b.key === undefined ? { kind: b.kind } : { kind: b.kind, key: b.key, share: b.share };
      edges.push({ id: edgeId(step.id, b.handle), source: step.id, sourceHandle: b.handle, target: b.target, targetHandle: TARGET_HANDLE, data });
    }
  }
  return { nodes, edges };
}

/**
 * The definition the nodes and edges draw: the steps of the step nodes in their order, each at its
 * node's position, linked as the edges say (a branch without an edge leads nowhere); the trigger
 * node's edge is the first step. Trigger, entry, exit and holdout come from `def`.
 */
export function fromFlow<D extends JourneyDefinition>(def: D, nodes: readonly FlowNode[], edges: readonly Pick<FlowEdge, 'source' | 'sourceHandle' | 'target'>[]): D {
  const stepNodes = nodes.filter((n): n is StepNode => n.type === 'step');
  const ids = new Set(stepNodes.map((n) => n.id));
  const bySource = new Map<string, { handle: string; target: string }[]>();
  for (const e of edges) {
    if (!ids.has(e.target)) continue;
    const list = bySource.get(e.source) ?? [];
    list.push({ handle: e.sourceHandle ?? NEXT, target: e.target });
    bySource.set(e.source, list);
  }
  const steps = stepNodes.map((n) => {
    let step: JourneyStep = { ...withoutLinks(n.data.step), id: n.id, position: roundPoint(n.position) };
    for (const link of bySource.get(n.id) ?? []) step = withBranch(step, link.handle, link.target);
    return step;
  });
  const start = bySource.get(TRIGGER_ID)?.[0]?.target ?? null;
  return { ...def, graph: { start, steps } };
}

/** Positions are stored as whole pixels. */
export const roundPoint = (p: Point): Point => ({ x: Math.round(p.x), y: Math.round(p.y) });
