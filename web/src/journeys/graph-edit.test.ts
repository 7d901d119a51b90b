import { describe, expect, it } from 'vitest';
import type { JourneyDefinition, JourneyStep } from './api.ts';
import { checkJourneyShape } from '../../../src/journeys/graph.ts';
import { TRIGGER_ID } from './flow.ts';
import { addStep, blankDefinition, connect, disconnect, evenShares, firstFreeHandle, newStep, newStepId, nextBranchKey, PALETTE, removeStep, updateStep } from './graph-edit.ts';
import { LAYER_GAP } from './layout.ts';

const texts = { notifySubject: 'Subject', notifyBody: 'Body' };
const def = (steps: JourneyStep[], start: string | null = steps[0]?.id ?? null): JourneyDefinition => ({ ...blankDefinition(), graph: { start, steps } });

describe('newStepId', () => {
  it('takes the first free number for the type', () => {
    const g = def([newStep('send', 'send-1', texts), newStep('send', 'send-3', texts), newStep('wait_event', 'wait-event-1', texts)]).graph;
    expect(newStepId(g, 'send')).toBe('send-2');
    expect(newStepId(g, 'wait_event')).toBe('wait-event-2');
    expect(newStepId(g, 'exit')).toBe('exit-1');
  });
});

describe('newStep', () => {
  it.each(PALETTE)('makes a %s the server stores as it is', (type) => {
    const d = def([newStep(type, 'x', texts)]);
    expect(checkJourneyShape(d).graph.steps[0]).toMatchObject({ id: 'x', type });
  });
});

describe('addStep', () => {
  it('makes the first step of an empty journey its start', () => {
    const d = addStep(blankDefinition(), newStep('send', 'send-1', texts));
    expect(d.graph.start).toBe('send-1');
    expect(d.graph.steps[0]!.position).toEqual({ x: 0, y: LAYER_GAP });
  });

  it('links it after the selected step on its first free branch, and places it under it', () => {
    const cond = { ...newStep('condition', 'c', texts), next: 'e', position: { x: 100, y: 200 } } as JourneyStep;
    const d = addStep(def([cond, newStep('exit', 'e', texts)]), newStep('send', 's', texts), 'c');
    expect(d.graph.steps.find((s) => s.id === 'c')).toMatchObject({ next: 'e', elseNext: 's' });
    expect(d.graph.steps.find((s) => s.id === 's')!.position).toEqual({ x: 100, y: 200 + LAYER_GAP });
    // Steps drawn by the automatic layout keep where they were drawn.
    expect(d.graph.steps.every((s) => s.position)).toBe(true);
  });

  it('leaves a step with no free branch as it is, and places the new one below everything', () => {
    const d0 = def([{ ...newStep('delay', 'd', texts), next: 'e', position: { x: 0, y: 500 } } as JourneyStep, { ...newStep('exit', 'e', texts), position: { x: 0, y: 900 } }]);
    const d = addStep(d0, newStep('send', 's', texts), 'd');
    expect(d.graph.steps.find((s) => s.id === 'd')).toMatchObject({ next: 'e' });
    expect(d.graph.steps.find((s) => s.id === 's')!.position).toEqual({ x: 0, y: 900 + LAYER_GAP });
  });
});

describe('removeStep', () => {
  it('removes it, and what led to it leads nowhere', () => {
    const d0 = def([{ ...newStep('wait_event', 'w', texts), next: 'x', timeoutNext: 'x' } as JourneyStep, newStep('exit', 'x', texts)]);
    const d = removeStep(d0, 'x');
    expect(d.graph.steps.map((s) => s.id)).toEqual(['w']);
    expect(d.graph.steps[0]).toMatchObject({ next: null, timeoutNext: null });
    expect(removeStep(d0, 'w').graph.start).toBeNull();
  });
});

describe('connect and disconnect', () => {
  const d0 = def([newStep('split', 's', texts), newStep('exit', 'e', texts)]);
  it('links a branch by its handle, replacing its old target', () => {
    const d = connect(connect(d0, 's', 'branch-1', 's'), 's', 'branch-1', 'e');
    expect(d.graph.steps[0]).toMatchObject({ branches: [{ next: null }, { next: 'e' }] });
    expect(disconnect(d, 's', 'branch-1').graph.steps[0]).toMatchObject({ branches: [{ next: null }, { next: null }] });
  });

  it('from the trigger sets the start; never into the trigger', () => {
    expect(connect(d0, TRIGGER_ID, 'next', 'e').graph.start).toBe('e');
    expect(disconnect(d0, TRIGGER_ID, 'next').graph.start).toBeNull();
    expect(connect(d0, 's', 'branch-0', TRIGGER_ID)).toBe(d0);
  });
});

describe('updateStep', () => {
  it('changes one step only', () => {
    const d = updateStep(def([newStep('exit', 'a', texts), newStep('exit', 'b', texts)]), 'b', (s) => ({ ...s, label: 'Done' }));
    expect(d.graph.steps.map((s) => s.label)).toEqual([undefined, 'Done']);
  });
});

describe('split helpers', () => {
  it.each([
    [2, [50, 50]],
    [3, [34, 33, 33]],
    [4, [25, 25, 25, 25]],
    [5, [20, 20, 20, 20, 20]],
  ])('evens %i branches to %j', (n, shares) => {
    expect(evenShares(n)).toEqual(shares);
  });

  it('names a new branch with the next free letter', () => {
    expect(nextBranchKey(['A', 'B'])).toBe('C');
    expect(nextBranchKey(['B'])).toBe('A');
  });

  it('finds the first branch leading nowhere', () => {
    expect(firstFreeHandle({ ...newStep('condition', 'c', texts), next: 'x' } as JourneyStep)).toBe('elseNext');
    expect(firstFreeHandle(newStep('exit', 'e', texts))).toBeNull();
  });
});

describe('blankDefinition', () => {
  it('is stored as it is', () => {
    expect(checkJourneyShape(blankDefinition())).toEqual(blankDefinition());
  });
});
