// The pure step function: from where a run is, what it does now and where it stops (at a delay,
// a wait, its end, or a condition whose answer must first be read from the database). The engine
// (engine.ts) gives it the time, the condition answers and the delay times, and applies what it
// returns in one transaction. Run again with the same inputs it returns the same steps, so the
// engine can call it once more after reading the conditions it asked for.
import { createHash } from 'node:crypto';
import { durationMs, type DelayStep, type JourneyGraph, type JourneyStep, type NotifyStep, type SendStep, type UpdateStep } from './graph.ts';

export type RunState = { id: string; stepId: string | null; seq: number; waiting: boolean; matched: boolean; holdout: boolean };

export type Action = { type: 'send'; step: SendStep; seq: number } | { type: 'update'; step: UpdateStep; seq: number } | { type: 'notify'; step: NotifyStep; seq: number };

/** A step taken: its log row's seq and outcome (a send's outcome is filled in once its message is made). */
export type Taken = { seq: number; step: JourneyStep; outcome: string; detail?: Record<string, unknown> };

export type Advance = {
  stepId: string | null;
  seq: number;
  waiting: boolean;
  /** When the run is next due: the end of its delay or its wait's timeout; null when it stops. */
  dueAt: Date | null;
  taken: Taken[];
  actions: Action[];
  /** Set when the run ended here. */
  finished: { status: 'completed' | 'failed'; reason: string } | null;
  /** Set when the run stopped at a condition whose answer is not known yet. */
  needs: string | null;
};

export type StepInputs = {
  now: Date;
  /** Condition answers by step id (the engine reads them in bulk when a run `needs` one). */
  conditions: ReadonlyMap<string, boolean>;
  /** When a delay of this kind arriving now ends (time of day and best hour depend on the customer). */
  delayUntil: (step: DelayStep) => Date;
};

/** 0–99, the same for a run at a step every time it is asked (a split's draw must not change on a retry). */
export function bucketOf(runId: string, stepId: string, seq: number): number {
  return createHash('sha1').update(`${runId}:${stepId}:${seq}`).digest().readUInt32BE(0) % 100;
}

const MAX_STEPS_AT_ONCE = 200;

export function advanceRun(graph: JourneyGraph, run: RunState, inputs: StepInputs): Advance {
  const byId = new Map(graph.steps.map((s) => [s.id, s]));
  const out: Advance = { stepId: run.stepId, seq: run.seq, waiting: run.waiting, dueAt: null, taken: [], actions: [], finished: null, needs: null };
  let matched = run.matched;
  const take = (step: JourneyStep, outcome: string, next: string | null, detail?: Record<string, unknown>) => {
    out.seq += 1;
    out.taken.push({ seq: out.seq, step, outcome, ...(detail ? { detail } : {}) });
    out.stepId = next;
    out.waiting = false;
  };
  for (let i = 0; i < MAX_STEPS_AT_ONCE; i++) {
    if (out.stepId === null) {
      out.finished = { status: 'completed', reason: 'end' };
      return out;
    }
    const step = byId.get(out.stepId);
    if (!step) {
      out.finished = { status: 'failed', reason: `failed: step ${out.stepId} no longer exists` };
      return out;
    }
    if (out.waiting) {
      // Due while waiting: the delay is over, or the awaited event came, or the wait timed out.
      if (step.type === 'delay') take(step, 'waited', step.next);
      else if (step.type === 'wait_event') {
        if (matched) take(step, 'event', step.next);
        else take(step, 'timeout', step.timeoutNext);
        matched = false;
      } else take(step, 'done', 'next' in step ? step.next : null);
      continue;
    }
    switch (step.type) {
      case 'delay':
        out.waiting = true;
        out.dueAt = inputs.delayUntil(step);
        return out;
      case 'wait_event':
        out.waiting = true;
        out.dueAt = new Date(inputs.now.getTime() + durationMs(step.timeout));
        return out;
      case 'condition': {
        const answer = inputs.conditions.get(step.id);
        if (answer === undefined) {
          out.needs = step.id;
          return out;
        }
        take(step, answer ? 'yes' : 'no', answer ? step.next : step.elseNext);
        break;
      }
      case 'split': {
        const bucket = bucketOf(run.id, step.id, out.seq + 1);
        let from = 0;
        const branch = step.branches.find((b) => bucket < (from += b.share)) ?? step.branches[step.branches.length - 1]!;
        take(step, branch.key, branch.next);
        break;
      }
      case 'send':
        if (run.holdout) take(step, 'held_out', step.next);
        else {
          take(step, 'send', step.next);
          out.actions.push({ type: 'send', step, seq: out.seq });
        }
        break;
      case 'update_profile':
        take(step, 'done', step.next);
        out.actions.push({ type: 'update', step, seq: out.seq });
        break;
      case 'notify':
        take(step, 'done', step.next);
        out.actions.push({ type: 'notify', step, seq: out.seq });
        break;
      case 'exit':
        take(step, 'done', null);
        out.finished = { status: 'completed', reason: 'exit' };
        return out;
    }
  }
  out.finished = { status: 'failed', reason: 'failed: too many steps at once' };
  return out;
}
