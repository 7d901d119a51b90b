// Changes the editor makes to a journey's graph: add a step (with a fresh id, linked after the
// chosen one), remove one (what led to it then leads nowhere), connect and disconnect branches,
// change one step. Each returns a new definition. Pure.
import type { JourneyDefinition, JourneyStep, StepType } from './api.ts';
import { branchesOf, withBranch } from './branches.ts';
import { TRIGGER_ID } from './flow.ts';
import { LAYER_GAP, placeSteps } from './layout.ts';

export const PALETTE: readonly StepType[] = ['send', 'delay', 'wait_event', 'condition', 'split', 'update_profile', 'notify', 'exit'];
export const MAX_STEPS = 100;
export const DEFAULT_WAIT_EVENT = 'Order Completed';

type Graph = JourneyDefinition['graph'];

/** `send-1`, `send-2`…: the first free one for the type (ids are 1–40 letters, digits, - or _). */
export function newStepId(graph: Graph, type: StepType): string {
  const used = new Set(graph.steps.map((s) => s.id));
  const prefix = type.replace('_', '-');
  for (let n = 1; ; n++) if (!used.has(`${prefix}-${n}`)) return `${prefix}-${n}`;
}

/** A new step of the type, valid to store (a message without its template is a problem to fix, not a refusal). */
export function newStep(type: StepType, id: string, texts: { notifySubject: string; notifyBody: string }): JourneyStep {
  switch (type) {
    case 'delay':
      return { id, type, mode: 'duration', duration: { days: 1 }, next: null };
    case 'wait_event':
      return { id, type, event: DEFAULT_WAIT_EVENT, filters: [], timeout: { days: 3 }, next: null, timeoutNext: null };
    case 'condition':
      return { id, type, definition: { type: 'consent', channel: 'email', purpose: 'marketing' }, next: null, elseNext: null };
    case 'split':
      return {
        id,
        type,
        branches: [
          { key: 'A', share: 50, next: null },
          { key: 'B', share: 50, next: null },
        ],
      };
    case 'send':
      return { id, type, kind: 'email', channelId: null, templateId: null, purpose: 'marketing', bestHour: false, next: null };
    case 'update_profile':
      return { id, type, addTags: [], removeTags: [], next: null };
    case 'notify':
      return { id, type, memberEmail: null, subject: texts.notifySubject, body: texts.notifyBody, next: null };
    case 'exit':
      return { id, type };
  }
}

/** The first branch of the step that leads nowhere yet. */
export function firstFreeHandle(step: JourneyStep): string | null {
  return branchesOf(step).find((b) => b.target === null)?.handle ?? null;
}

/**
 * The definition with `step` added: after `afterId` on its first free branch (placed under it), or
 * else below everything; the first step of an empty journey becomes its start.
 */
export function addStep<D extends JourneyDefinition>(def: D, step: JourneyStep, afterId?: string | null): D {
  const placed = placeSteps(def);
  const after = afterId ? def.graph.steps.find((s) => s.id === afterId) : undefined;
  const handle = after ? firstFreeHandle(after) : null;
  const lowest = Math.max(0, ...[...placed.steps.values()].map((p) => p.y));
  const anchor = after ? placed.steps.get(after.id) : undefined;
  const position = anchor && handle ? { x: anchor.x, y: anchor.y + LAYER_GAP } : { x: anchor?.x ?? 0, y: lowest + LAYER_GAP };
  // Steps drawn by the automatic layout keep where they are drawn now.
  const steps = def.graph.steps.map((s) => {
    const fixed = s.position ? s : { ...s, position: placed.steps.get(s.id)! };
    return after && handle && s.id === after.id ? withBranch(fixed, handle, step.id) : fixed;
  });
  return { ...def, graph: { start: def.graph.start ?? step.id, steps: [...steps, { ...step, position }] } };
}

/** The definition without the step; whatever led to it leads nowhere now. */
export function removeStep<D extends JourneyDefinition>(def: D, id: string): D {
  const steps = def.graph.steps.filter((s) => s.id !== id).map((s) => branchesOf(s).reduce((acc, b) => (b.target === id ? withBranch(acc, b.handle, null) : acc), s));
  return { ...def, graph: { start: def.graph.start === id ? null : def.graph.start, steps } };
}

/** Links the source's branch (or, from the trigger, the start) to `target`, replacing what it led to. */
export function connect<D extends JourneyDefinition>(def: D, source: string, handle: string | null | undefined, target: string | null): D {
  if (source === TRIGGER_ID) return { ...def, graph: { ...def.graph, start: target } };
  if (target === TRIGGER_ID) return def;
  return updateStep(def, source, (s) => withBranch(s, handle ?? 'next', target));
}

export const disconnect = <D extends JourneyDefinition>(def: D, source: string, handle: string | null | undefined): D => connect(def, source, handle, null);

export function updateStep<D extends JourneyDefinition>(def: D, id: string, fn: (s: JourneyStep) => JourneyStep): D {
  return { ...def, graph: { ...def.graph, steps: def.graph.steps.map((s) => (s.id === id ? fn(s) : s)) } };
}

/** A split's branches after one more is added (2–5, shares evened out to sum 100). */
export function evenShares(count: number): number[] {
  const base = Math.floor(100 / count);
  return Array.from({ length: count }, (_, i) => base + (i < 100 - base * count ? 1 : 0));
}

/** The next free branch key: A, B, C… */
export function nextBranchKey(keys: readonly string[]): string {
  for (const k of ['A', 'B', 'C', 'D', 'E', 'F']) if (!keys.includes(k)) return k;
  return `B${keys.length + 1}`;
}

/** A journey with no steps yet, entered through the API until its trigger is chosen (a valid shape to store). */
export function blankDefinition(): JourneyDefinition {
  return { trigger: { type: 'api' }, entry: { mode: 'once', segmentId: null }, exit: { goal: null, leaveSegmentId: null }, graph: { start: null, steps: [] }, holdoutShare: 0 };
}
