// What the journeys API answers, as plain types the routes and the web share.
import type { JourneyDefinition, Problem, StepType } from './graph.ts';

export type JourneyStatus = 'draft' | 'active' | 'paused' | 'archived';
export const JOURNEY_STATUSES: readonly JourneyStatus[] = ['draft', 'active', 'paused', 'archived'];
export type RunStatus = 'active' | 'completed' | 'converted' | 'exited' | 'failed';
export const RUN_STATUSES: readonly RunStatus[] = ['active', 'completed', 'converted', 'exited', 'failed'];

export type StarterKey = 'welcome' | 'abandoned_cart' | 'unopened_reminder' | 'winback_30d' | 'vip_drifting' | 'birthday' | 'cross_sell';

export type JourneyView = {
  id: string;
  name: string;
  description: string | null;
  status: JourneyStatus;
  /** The live version (0 before the first activation). */
  version: number;
  /** The saved definition differs from the live version (activating makes a new version). */
  changedSinceVersion: boolean;
  starterKey: StarterKey | null;
  definition: JourneyDefinition;
  /** What must be fixed before it can be activated (empty when it can). */
  problems: Problem[];
  /** Runs now in the journey, and all that ever entered. */
  activeRuns: number;
  enteredRuns: number;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  activatedAt: string | null;
  pausedAt: string | null;
};

export type StepFigures = {
  stepId: string;
  type: StepType;
  label: string | null;
  /** Runs that arrived at the step. */
  reached: number;
  /** Runs waiting at it now. */
  waiting: number;
  /** What happened there: done, sent, suppressed, held_out, yes, no, event, timeout, or a split branch's key. */
  outcomes: Record<string, number>;
  /** A message step's messages by how far they got (opened includes clicked). */
  messages?: { sent: number; opened: number; clicked: number };
};

export type GroupFigures = { runs: number; converted: number; rate: number };

export type JourneyReport = {
  journeyId: string;
  totals: { entered: number; active: number; completed: number; converted: number; exited: number; failed: number; heldOut: number };
  steps: StepFigures[];
  messages: { created: number; sent: number; delivered: number; opened: number; clicked: number; suppressed: number; failed: number };
  /** Reaching the goal within its window: those who got the messages against the holdout. */
  goal: {
    event: string | null;
    windowDays: number | null;
    treated: GroupFigures;
    holdout: GroupFigures;
    /** Treated rate − holdout rate, with a 95% interval; null without a holdout or a goal. */
    uplift: { difference: number; low: number; high: number } | null;
    /** The goal events' `revenue`/`total` property summed over the converted (minor units). */
    revenue: number;
  };
};

export type RunStepView = { seq: number; stepId: string; stepType: StepType; label: string | null; outcome: string; at: string; messageId: string | null; detail: Record<string, unknown> | null };

export type RunView = {
  id: string;
  journeyId: string;
  version: number;
  customerId: string;
  status: RunStatus;
  stepId: string | null;
  stepLabel: string | null;
  stepType: StepType | null;
  waiting: boolean;
  /** When it moves on next (the end of a delay, a wait's timeout). */
  dueAt: string | null;
  holdout: boolean;
  enteredAt: string;
  finishedAt: string | null;
  exitReason: string | null;
  /** The steps it took, oldest first: "where is this customer, and why". */
  steps: RunStepView[];
};

export type RunPage = { items: RunView[]; nextCursor: string | null };
export type StarterView = { key: StarterKey; definition: JourneyDefinition };
