import { describe, expect, it } from 'vitest';
import type { JourneyDefinition } from './api.ts';
import { edgeId, fromFlow, toFlow, TRIGGER_ID } from './flow.ts';

const base: Omit<JourneyDefinition, 'graph'> = { trigger: { type: 'event', event: 'Cart Abandoned', filters: [] }, entry: { mode: 'once', segmentId: null }, exit: { goal: null, leaveSegmentId: null }, holdoutShare: 10 };

/** Every kind of branch: a wait (happened / didn't), a condition (yes / no), a split of three, a loop back through a delay. */
const sample: JourneyDefinition = {
  ...base,
  graph: {
    start: 'wait',
    steps: [
      { id: 'wait', type: 'wait_event', event: 'Order Completed', filters: [], timeout: { hours: 1 }, next: 'end', timeoutNext: 'vip', position: { x: 0, y: 100 } },
      { id: 'vip', type: 'condition', definition: { type: 'tag', tag: 'vip' }, next: 'split', elseNext: 'mail', position: { x: 0, y: 250 } },
      { id: 'split', type: 'split', branches: [{ key: 'A', share: 40, next: 'mail' }, { key: 'B', share: 40, next: 'later' }, { key: 'C', share: 20, next: null }], position: { x: -200, y: 400 } },
      { id: 'mail', type: 'send', kind: 'email', templateId: null, purpose: 'marketing', next: 'end', label: 'Reminder', position: { x: 200, y: 400 } },
      { id: 'later', type: 'delay', mode: 'duration', duration: { days: 1 }, next: 'wait', position: { x: -200, y: 550 } },
      { id: 'end', type: 'exit', position: { x: 0, y: 700 } },
    ],
  },
};

describe('toFlow', () => {
  it('draws a node per step at its position, and the trigger over the first step', () => {
    const { nodes } = toFlow(sample);
    expect(nodes.map((n) => n.id)).toEqual([TRIGGER_ID, 'wait', 'vip', 'split', 'mail', 'later', 'end']);
    expect(nodes.find((n) => n.id === 'split')!.position).toEqual({ x: -200, y: 400 });
    const trigger = nodes[0]!;
    expect(trigger.type).toBe('trigger');
    expect(trigger.position.x).toBe(0);
    expect(trigger.position.y).toBeLessThan(100);
  });

  it('draws one edge per connected branch, from its own handle, with what it means', () => {
    const { edges } = toFlow(sample);
    const byId = new Map(edges.map((e) => [e.id, e]));
    expect(byId.get(edgeId(TRIGGER_ID, 'next'))).toMatchObject({ source: TRIGGER_ID, target: 'wait', data: { kind: 'start' } });
    expect(byId.get('wait:next')).toMatchObject({ target: 'end', sourceHandle: 'next', data: { kind: 'happened' } });
    expect(byId.get('wait:timeoutNext')).toMatchObject({ target: 'vip', data: { kind: 'timeout' } });
    expect(byId.get('vip:next')).toMatchObject({ target: 'split', data: { kind: 'yes' } });
    expect(byId.get('vip:elseNext')).toMatchObject({ target: 'mail', data: { kind: 'no' } });
    expect(byId.get('split:branch-0')).toMatchObject({ target: 'mail', data: { kind: 'split', key: 'A', share: 40 } });
    expect(byId.get('split:branch-1')).toMatchObject({ target: 'later', data: { kind: 'split', key: 'B', share: 40 } });
    // Branch C leads nowhere: no edge (the problems list says so).
    expect(byId.has('split:branch-2')).toBe(false);
    expect(edges).toHaveLength(9);
  });

  it('draws no edge to a step that does not exist', () => {
    const def: JourneyDefinition = { ...sample, graph: { start: 'ghost', steps: [{ id: 'a', type: 'delay', mode: 'best_hour', next: 'ghost' }] } };
    expect(toFlow(def).edges).toEqual([]);
  });
});

describe('fromFlow', () => {
  it('gives back the same definition: ids, links, labels and positions', () => {
    const { nodes, edges } = toFlow(sample);
    expect(fromFlow(sample, nodes, edges)).toEqual(sample);
  });

  it('stores the automatic positions of steps that had none, and keeps every id and link', () => {
    const bare: JourneyDefinition = { ...sample, graph: { ...sample.graph, steps: sample.graph.steps.map(({ position: _, ...s }) => s) } };
    const { nodes, edges } = toFlow(bare);
    const back = fromFlow(bare, nodes, edges);
    expect(back.graph.steps.map((s) => s.id)).toEqual(bare.graph.steps.map((s) => s.id));
    expect(back.graph.steps.every((s) => s.position && Number.isInteger(s.position.x) && Number.isInteger(s.position.y))).toBe(true);
    expect(back.graph.steps.map(({ position: _, ...s }) => s)).toEqual(bare.graph.steps);
    expect(back.graph.start).toBe('wait');
  });

  it('links as the edges say: a moved node, a removed edge, a new edge', () => {
    const { nodes, edges } = toFlow(sample);
    const moved = nodes.map((n) => (n.id === 'mail' ? { ...n, position: { x: 333.4, y: 444.6 } } : n));
    const kept = edges.filter((e) => e.id !== 'vip:elseNext');
    const added = [...kept, { source: 'split', sourceHandle: 'branch-2', target: 'end' }];
    const back = fromFlow(sample, moved, added);
    const step = (id: string) => back.graph.steps.find((s) => s.id === id)!;
    expect(step('mail').position).toEqual({ x: 333, y: 445 });
    expect(step('vip')).toMatchObject({ next: 'split', elseNext: null });
    expect(step('split')).toMatchObject({ branches: [{ next: 'mail' }, { next: 'later' }, { key: 'C', next: 'end' }] });
  });

  it('drops steps whose node is gone, and edges to them; no trigger edge means no start', () => {
    const { nodes, edges } = toFlow(sample);
    const back = fromFlow(
      sample,
      nodes.filter((n) => n.id !== 'end'),
      edges.filter((e) => e.source !== TRIGGER_ID),
    );
    expect(back.graph.start).toBeNull();
    expect(back.graph.steps.map((s) => s.id)).not.toContain('end');
    expect(back.graph.steps.find((s) => s.id === 'wait')).toMatchObject({ next: null, timeoutNext: 'vip' });
    expect(back.graph.steps.find((s) => s.id === 'mail')).toMatchObject({ next: null });
  });
});
