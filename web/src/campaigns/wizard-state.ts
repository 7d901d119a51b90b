// What the campaign wizard holds, how it becomes the API's body and back, what each step still
// lacks, and which step and field a server error names. Pure.
import type { ChannelKind, MessagePurpose } from '../../../src/messaging/types.ts';
import type { Campaign, CampaignInput, CampaignWinner, WinnerMeasure } from './api.ts';
import { isoToZonedLocal, zonedLocalToIso } from './time.ts';

export const MAX_VARIANTS = 5;
/** The keys the server gives the variants, in order. */
export const VARIANT_LETTERS = ['A', 'B', 'C', 'D', 'E'] as const;
export const MAX_HOLDOUT = 50;
export const STEPS = ['audience', 'content', 'schedule', 'review'] as const;
export type Step = (typeof STEPS)[number];
export type When = 'now' | 'at' | 'best_hour';

export type VariantDraft = { templateId: string | null; share: number; name?: string };
/** Winner selection as the wizard edits it: the numbers are kept while it is switched off. */
export type WinnerDraft = { on: boolean; testShare: number; afterHours: number; by: WinnerMeasure };
export const WINNER_TEST_SHARE = { min: 5, max: 50, default: 20 } as const;
export const WINNER_AFTER_HOURS = { min: 1, max: 168, default: 4 } as const;

export type WizardDraft = {
  name: string;
  segmentIds: string[];
  excludeSegmentIds: string[];
  kind: ChannelKind;
  purpose: MessagePurpose;
  variants: VariantDraft[];
  holdoutShare: number;
  when: When;
  /** The local date and time (YYYY-MM-DDTHH:mm) of a campaign "at a time". */
  at: string;
  /** `at` in each customer's time zone rather than the workspace's. */
  customerTimeZone: boolean;
  throttlePerMinute: number;
  goalEvent: string;
  goalWindowDays: number;
  /** Filters of a goal set through the API: the wizard does not edit them, but keeps them. */
  goalFilters: Campaign['goal']['filters'];
  winner: WinnerDraft;
};

export function defaultWinner(): WinnerDraft {
  return { on: false, testShare: WINNER_TEST_SHARE.default, afterHours: WINNER_AFTER_HOURS.default, by: 'conversion' };
}

export const DEFAULT_GOAL_EVENT = 'Order Completed';
export const DEFAULT_WINDOW_DAYS = 7;

export function emptyDraft(segmentId?: string | null): WizardDraft {
  return {
    name: '',
    segmentIds: segmentId ? [segmentId] : [],
    excludeSegmentIds: [],
    kind: 'email',
    purpose: 'marketing',
    // A holdout by default: without one, nobody can say what the campaign changed.
    variants: [{ templateId: null, share: 90 }],
    holdoutShare: 10,
    when: 'now',
    at: '',
    customerTimeZone: false,
    throttlePerMinute: 0,
    goalEvent: DEFAULT_GOAL_EVENT,
    goalWindowDays: DEFAULT_WINDOW_DAYS,
    goalFilters: [],
    winner: defaultWinner(),
  };
}

/** A saved draft back in the wizard; a time "at" reads in the workspace's zone (or as the customers' local time). */
export function draftFromCampaign(c: Campaign, timeZone: string): WizardDraft {
  const s = c.schedule;
  return {
    name: c.name,
    segmentIds: c.audience.segmentIds,
    excludeSegmentIds: c.audience.excludeSegmentIds,
    kind: c.kind,
    purpose: c.purpose,
    variants: c.variants.map((v) => ({ templateId: v.templateId, share: v.share, name: v.name })),
    holdoutShare: c.holdoutShare,
    when: s.mode,
    at: s.mode === 'at' ? (s.customerTimeZone ? s.at : isoToZonedLocal(s.at, timeZone)) : '',
    customerTimeZone: s.mode === 'at' && Boolean(s.customerTimeZone),
    throttlePerMinute: c.throttlePerMinute,
    goalEvent: c.goal.event,
    goalWindowDays: c.goal.windowDays,
    goalFilters: c.goal.filters,
    winner: c.winner ? { on: true, testShare: c.winner.testShare, afterHours: c.winner.afterHours, by: c.winner.by } : defaultWinner(),
  };
}

/** Is a winner to be picked? Only with two variants or more (the server refuses it otherwise). */
export const picksWinner = (d: Pick<WizardDraft, 'variants' | 'winner'>): boolean => d.winner.on && d.variants.length >= 2;

/**
 * The body for a new campaign, or (`editing`) for the saved draft: a winner only when it is switched
 * on; on an edit, `winner: null` otherwise, so one switched off is removed (absent would keep it).
 */
export function draftToInput(d: WizardDraft, timeZone: string, { editing = false }: { editing?: boolean } = {}): CampaignInput {
  const schedule: CampaignInput['schedule'] =
    d.when === 'at' ? (d.customerTimeZone ? { mode: 'at', at: d.at, customerTimeZone: true } : { mode: 'at', at: zonedLocalToIso(d.at, timeZone) ?? d.at }) : { mode: d.when };
  return {
    name: d.name.trim(),
    purpose: d.purpose,
    kind: d.kind,
    audience: { segmentIds: d.segmentIds, excludeSegmentIds: d.excludeSegmentIds },
    variants: d.variants.map((v) => ({ templateId: v.templateId ?? '', share: v.share, ...(v.name ? { name: v.name } : {}) })),
    holdoutShare: d.holdoutShare,
    schedule,
    // The server refuses a throttle at each customer's best hour (that is spread over the day already).
    throttlePerMinute: d.when === 'best_hour' ? 0 : d.throttlePerMinute,
    goal: { event: d.goalEvent.trim() || DEFAULT_GOAL_EVENT, windowDays: d.goalWindowDays, filters: d.goalFilters },
    ...(picksWinner(d) ? { winner: winnerOf(d.winner) } : editing ? { winner: null } : {}),
  };
}

const winnerOf = (w: WinnerDraft): CampaignWinner => ({ testShare: w.testShare, afterHours: w.afterHours, by: w.by });

/**
 * What winner selection does, in per cents of the whole audience: the variants (`keys`) go to
 * `test` first (`testShare` of those outside the holdout), the winner to `rest` after `afterHours`;
 * with the holdout they make 100.
 */
export type WinnerPlan = { keys: string[]; testShare: number; test: number; rest: number; afterHours: number; by: WinnerMeasure };
export function planOf(keys: readonly string[], holdoutShare: number, w: CampaignWinner): WinnerPlan {
  const sent = 100 - holdoutShare;
  return { keys: [...keys], testShare: w.testShare, test: (sent * w.testShare) / 100, rest: (sent * (100 - w.testShare)) / 100, afterHours: w.afterHours, by: w.by };
}

/** The draft's plan with its current numbers; null when no winner is picked. */
export function winnerPlan(d: Pick<WizardDraft, 'variants' | 'winner' | 'holdoutShare'>): WinnerPlan | null {
  return picksWinner(d) ? planOf(d.variants.map((_, i) => VARIANT_LETTERS[i]!), d.holdoutShare, winnerOf(d.winner)) : null;
}

/** The variants' shares and the holdout: the server wants exactly 100. */
export function shareTotal(d: Pick<WizardDraft, 'variants' | 'holdoutShare'>): number {
  return d.variants.reduce((sum, v) => sum + (Number.isFinite(v.share) ? v.share : 0), 0) + (Number.isFinite(d.holdoutShare) ? d.holdoutShare : 0);
}

/** What is left after the holdout, split as evenly as whole per cents allow (the first get the remainder). */
export function evenShares(count: number, holdoutShare: number): number[] {
  const rest = Math.max(0, 100 - holdoutShare);
  const each = Math.floor(rest / count);
  return Array.from({ length: count }, (_, i) => each + (i < rest - each * count ? 1 : 0));
}

export function withVariantCount(d: WizardDraft, count: number): WizardDraft {
  const n = Math.max(1, Math.min(MAX_VARIANTS, count));
  const shares = evenShares(n, d.holdoutShare);
  const variants = Array.from({ length: n }, (_, i) => ({ ...(d.variants[i] ?? { templateId: null }), share: shares[i]! }));
  // One variant leaves nothing to pick from: the switch goes off (its numbers stay for later).
  return { ...d, variants, winner: n < 2 ? { ...d.winner, on: false } : d.winner };
}

export type Problem = 'name' | 'segments' | 'templates' | 'shares' | 'winner' | 'at' | 'goal';

const wholeIn = (v: number, range: { min: number; max: number }) => Number.isInteger(v) && v >= range.min && v <= range.max;
/** Are the test share and the hours to wait whole numbers the server takes? */
export const winnerInRange = (w: Pick<WinnerDraft, 'testShare' | 'afterHours'>): boolean => wholeIn(w.testShare, WINNER_TEST_SHARE) && wholeIn(w.afterHours, WINNER_AFTER_HOURS);

/** What a step still lacks before the next may open (the server checks the rest). */
export function stepProblems(d: WizardDraft, step: Step): Problem[] {
  const problems: Problem[] = [];
  if (step === 'audience') {
    if (!d.name.trim()) problems.push('name');
    if (d.segmentIds.length === 0) problems.push('segments');
  }
  if (step === 'content') {
    if (d.variants.some((v) => !v.templateId)) problems.push('templates');
    if (shareTotal(d) !== 100 || d.variants.some((v) => !(v.share >= 1))) problems.push('shares');
    if (picksWinner(d) && !winnerInRange(d.winner)) problems.push('winner');
  }
  if (step === 'schedule') {
    if (d.when === 'at' && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(d.at)) problems.push('at');
    if (!(d.goalWindowDays >= 1 && d.goalWindowDays <= 90)) problems.push('goal');
  }
  return problems;
}

export type FieldError = { path: string; message: string };

/**
 * The field a server error names, written one way: "body.variants.0.templateId: must…" and
 * "variants[0].templateId: the template…" both become `variants[0].templateId`.
 */
export function fieldErrorOf(message: string): FieldError | null {
  const m = /^([A-Za-z][\w.[\]]*): (.+)$/s.exec(message.trim());
  if (!m) return null;
  const path = m[1]!.replace(/^body\./, '').replace(/\.(\d+)(?=\.|$)/g, '[$1]');
  return { path, message: m[2]! };
}

/** The error's message when it names `path` or a part of it (`audience.segmentIds[0]` under `audience.segmentIds`). */
export function errorAt(error: FieldError | null, path: string): string | undefined {
  if (!error) return undefined;
  return error.path === path || error.path.startsWith(`${path}[`) || error.path.startsWith(`${path}.`) ? error.message : undefined;
}

/** The wizard step where the field a server error names is edited. */
export function stepOfPath(path: string): Step {
  if (/^(name|audience)\b/.test(path)) return 'audience';
  if (/^(kind|purpose|channelId|variants|holdoutShare|winner)\b/.test(path)) return 'content';
  if (/^(schedule|throttlePerMinute|goal)\b/.test(path)) return 'schedule';
  return 'review';
}
