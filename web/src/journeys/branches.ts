// A step's ways out (its branches), each with its own source handle on the canvas, and how to
// relink one. Pure.
import type { JourneyStep } from './api.ts';

export const NEXT = 'next';

/** What a branch means, for its edge's label. */
export type BranchKind = 'next' | 'yes' | 'no' | 'happened' | 'timeout' | 'split';
export type Branch = { handle: string; kind: BranchKind; target: string | null; key?: string; share?: number };

/** A step's ways out, in order, each with its own source handle. */
export function branchesOf(step: JourneyStep): Branch[] {
  switch (step.type) {
    case 'wait_event':
      return [
        { handle: NEXT, kind: 'happened', target: step.next },
        { handle: 'timeoutNext', kind: 'timeout', target: step.timeoutNext },
      ];
    case 'condition':
      return [
        { handle: NEXT, kind: 'yes', target: step.next },
        { handle: 'elseNext', kind: 'no', target: step.elseNext },
      ];
    case 'split':
      return step.branches.map((b, i) => ({ handle: splitHandle(i), kind: 'split', target: b.next, key: b.key, share: b.share }));
    case 'exit':
      return [];
    default:
      return [{ handle: NEXT, kind: 'next', target: step.next }];
  }
}

export const splitHandle = (index: number) => `branch-${index}`;

/** Where the step leads (null where a branch is not connected). */
export const successors = (step: JourneyStep): (string | null)[] => branchesOf(step).map((b) => b.target);

/** The step with the branch at `handle` leading to `target` (unchanged when it has no such handle). */
export function withBranch(step: JourneyStep, handle: string, target: string | null): JourneyStep {
  switch (step.type) {
    case 'exit':
      return step;
    case 'wait_event':
      return handle === NEXT ? { ...step, next: target } : handle === 'timeoutNext' ? { ...step, timeoutNext: target } : step;
    case 'condition':
      return handle === NEXT ? { ...step, next: target } : handle === 'elseNext' ? { ...step, elseNext: target } : step;
    case 'split': {
      const i = step.branches.findIndex((_, j) => splitHandle(j) === handle);
      return i < 0 ? step : { ...step, branches: step.branches.map((b, j) => (j === i ? { ...b, next: target } : b)) };
    }
    default:
      return handle === NEXT ? { ...step, next: target } : step;
  }
}

/** The step with every branch disconnected. */
export const withoutLinks = (step: JourneyStep): JourneyStep => branchesOf(step).reduce((s, b) => withBranch(s, b.handle, null), step);
