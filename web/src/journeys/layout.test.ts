import { describe, expect, it } from 'vitest';
import type { JourneyDefinition } from './api.ts';
import { autoLayout, COLUMN_GAP, LAYER_GAP, layers, placeSteps, tidy } from './layout.ts';

const graph: JourneyDefinition['graph'] = {
  start: 'a',
  steps: [
    { id: 'lost', type: 'exit' },
    { id: 'c', type: 'send', kind: 'email', templateId: null, purpose: 'marketing', next: 'end' },
    { id: 'a', type: 'condition', definition: { type: 'tag', tag: 'x' }, next: 'b', elseNext: 'c' },
    { id: 'b', type: 'delay', mode: 'duration', duration: { days: 1 }, next: 'a' },
    { id: 'end', type: 'exit' },
  ],
};

describe('layers', () => {
  it('puts each step at its breadth-first distance from the first step, unreached ones below all', () => {
    expect(Object.fromEntries(layers(graph))).toEqual({ a: 0, b: 1, c: 1, end: 2, lost: 3 });
  });

  it('puts every step in one row when there is no first step', () => {
    expect([...layers({ start: null, steps: graph.steps }).values()]).toEqual([0, 0, 0, 0, 0]);
  });
});

describe('autoLayout', () => {
  it('centres each layer, branches left to right in their order, layers top-down', () => {
    const p = autoLayout(graph);
    expect(p.get('a')).toEqual({ x: 0, y: LAYER_GAP });
    expect(p.get('b')).toEqual({ x: -COLUMN_GAP / 2, y: 2 * LAYER_GAP });
    expect(p.get('c')).toEqual({ x: COLUMN_GAP / 2, y: 2 * LAYER_GAP });
    expect(p.get('end')).toEqual({ x: 0, y: 3 * LAYER_GAP });
    expect(p.get('lost')).toEqual({ x: 0, y: 4 * LAYER_GAP });
  });
});

describe('placeSteps', () => {
  it('keeps stored positions, lays out the others, and puts the trigger above the top over the first step', () => {
    const withOne = { graph: { ...graph, steps: graph.steps.map((s) => (s.id === 'a' ? { ...s, position: { x: 500, y: 40 } } : s)) } };
    const { steps, trigger } = placeSteps(withOne);
    expect(steps.get('a')).toEqual({ x: 500, y: 40 });
    expect(steps.get('end')).toEqual({ x: 0, y: 3 * LAYER_GAP });
    expect(trigger).toEqual({ x: 500, y: 40 - LAYER_GAP });
  });

  it('puts the trigger at the origin of an empty journey', () => {
    expect(placeSteps({ graph: { start: null, steps: [] } })).toEqual({ steps: new Map(), trigger: { x: 0, y: 0 } });
  });
});

describe('tidy', () => {
  it('moves every step to its automatic position', () => {
    const messy = { ...graph, steps: graph.steps.map((s) => ({ ...s, position: { x: 9, y: 9 } })) };
    const tidied = tidy(messy);
    expect(tidied.steps.find((s) => s.id === 'c')!.position).toEqual({ x: COLUMN_GAP / 2, y: 2 * LAYER_GAP });
    expect(tidied.start).toBe('a');
  });
});
