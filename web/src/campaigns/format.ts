// How campaign figures read and are drawn: status colours, a campaign's key figures from its report,
// the funnel's rows, the uplift interval chart's geometry, and recipients' statuses and reasons in
// words. Pure (the translation function is passed in).
import type { TFunction } from 'i18next';
import { MESSAGE_STATUSES, type MessageStatus } from '../../../src/messaging/types.ts';
import { formatPercent } from '../analytics/format.ts';
import { isKnownReason, splitReason } from '../messaging/format.ts';
import { reasonText } from '../messaging/reasons.ts';
import type { Campaign, CampaignReport, CampaignStatus, Comparison, GroupFigures } from './api.ts';
import type { WinnerPlan } from './wizard-state.ts';

export const STATUS_COLORS: Record<CampaignStatus, string> = {
  draft: 'gray',
  scheduled: 'indigo',
  sending: 'blue',
  paused: 'yellow',
  sent: 'teal',
  cancelled: 'red',
};

export const VERDICT_COLORS = { better: 'green', worse: 'red', unclear: 'gray', not_enough_data: 'gray' } as const;

export const HOLDOUT = 'holdout';
/** The rest of the audience of a campaign that picks a winner: they get the winner's template. */
export const WINNER = 'winner';

/** "Variant A", "Holdout", "Winner (B)" or, before it is picked, "Rest — gets the winner", in the UI's language. */
export function groupLabel(t: TFunction, key: string, winnerKey?: string | null): string {
  if (key === HOLDOUT) return t('campaigns.groups.holdout');
  if (key === WINNER) return winnerKey ? t('campaigns.groups.winner', { key: winnerKey }) : t('campaigns.groups.winnerPending');
  return t('campaigns.groups.variant', { key });
}

/**
 * The template name to show under a group's label: a variant's own; the winner's for the rest
 * (none before it is picked: the server calls that group "winner"); none for the holdout.
 */
export function groupTemplateName(groups: readonly Pick<GroupFigures, 'key' | 'name'>[], key: string, winnerKey?: string | null): string | null {
  if (key === HOLDOUT) return null;
  const own = key === WINNER ? (winnerKey ? groups.find((g) => g.key === winnerKey)?.name : undefined) : groups.find((g) => g.key === key)?.name;
  return own && own !== key && own !== WINNER ? own : null;
}

/** The time the winner is due to be picked: the start plus the hours to wait; null before the start. */
export function winnerDueAt(c: Pick<Campaign, 'startedAt' | 'winner'>): string | null {
  if (!c.startedAt || !c.winner) return null;
  const start = new Date(c.startedAt).getTime();
  return Number.isNaN(start) ? null : new Date(start + c.winner.afterHours * 3_600_000).toISOString();
}

/** "A and B go to 18% of the audience first (20% of those who get a message); after 4 hours…" in the UI's language. */
export function winnerPlanText(t: TFunction, plan: WinnerPlan, language: string): string {
  return t('campaigns.winner.plan', {
    variants: new Intl.ListFormat(language, { type: 'conjunction' }).format(plan.keys),
    test: formatPercent(plan.test / 100, language),
    testShare: formatPercent(plan.testShare / 100, language),
    hours: formatHours(plan.afterHours, language),
    measure: t(`campaigns.winner.measure.${plan.by}`),
    rest: formatPercent(plan.rest / 100, language),
  });
}

/** "4 hours", "1 hour", "4시간". */
export function formatHours(hours: number, language: string): string {
  return new Intl.NumberFormat(language, { style: 'unit', unit: 'hour', unitDisplay: 'long' }).format(hours);
}

/** A campaign's figures for the list: what was sent, and the share of the sent groups' recipients who converted. */
export function keyFigures(report: Pick<CampaignReport, 'groups'>): { sent: number; conversionRate: number | null } {
  const sentGroups = report.groups.filter((g) => g.key !== HOLDOUT);
  const targeted = sentGroups.reduce((n, g) => n + g.targeted, 0);
  const converted = sentGroups.reduce((n, g) => n + g.converted, 0);
  return { sent: sentGroups.reduce((n, g) => n + g.sent, 0), conversionRate: targeted > 0 ? converted / targeted : null };
}

export const FUNNEL_STAGES = ['targeted', 'sent', 'delivered', 'opened', 'clicked', 'converted'] as const;
export type FunnelStage = (typeof FUNNEL_STAGES)[number];

/** One row per funnel stage with a column per group (the chart draws a bar per group). */
export function funnelRows(groups: readonly GroupFigures[], stageLabel: (stage: FunnelStage) => string): Record<string, string | number>[] {
  return FUNNEL_STAGES.map((stage) => {
    const row: Record<string, string | number> = { stage: stageLabel(stage) };
    for (const g of groups) row[g.key] = g[stage];
    return row;
  });
}

export const GROUP_COLORS = ['blue.6', 'grape.6', 'orange.6', 'cyan.6', 'pink.6'];
export const HOLDOUT_COLOR = 'gray.5';

/** Each group's colour, the same in every chart of a report: the variants in turn, the holdout grey. */
export function groupColors(keys: readonly string[]): Record<string, string> {
  let next = 0;
  return Object.fromEntries(keys.map((key) => [key, key === HOLDOUT ? HOLDOUT_COLOR : GROUP_COLORS[next++ % GROUP_COLORS.length]!]));
}

/** A per cent of the recipients (0.123 → 12.3) formatted as percentage points with a sign: "+1.5". */
export function formatPoints(value: number, language: string): string {
  return new Intl.NumberFormat(language, { minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: 'exceptZero' }).format(value * 100).replace('-', '\u2212');
}

export type IntervalRow = { variant: string; against: string; verdict: Comparison['conversionWords']['verdict']; diff: number; low: number; high: number; x: number; x0: number; x1: number };
export type IntervalChart = { rows: IntervalRow[]; zeroX: number; min: number; max: number };

/**
 * The conversion uplift of each comparison as a point and its 95% interval on one axis that holds
 * zero, scaled to [0, width]; comparisons the server says it cannot judge yet (too few recipients,
 * no interval) are left out, so the chart never says more than the words.
 */
export function intervalChart(comparisons: readonly Comparison[], width: number): IntervalChart {
  const known = comparisons.filter((c) => c.conversionWords.verdict !== 'not_enough_data' && c.conversion.diff !== null && c.conversion.low !== null && c.conversion.high !== null);
  const lows = known.map((c) => c.conversion.low!);
  const highs = known.map((c) => c.conversion.high!);
  let min = Math.min(0, ...lows);
  let max = Math.max(0, ...highs);
  if (max - min < 1e-9) [min, max] = [-0.01, 0.01];
  const pad = (max - min) * 0.05;
  min -= pad;
  max += pad;
  const scale = (v: number) => ((v - min) / (max - min)) * width;
  return {
    min,
    max,
    zeroX: scale(0),
    rows: known.map((c) => ({
      variant: c.variant,
      against: c.against,
      verdict: c.conversionWords.verdict,
      diff: c.conversion.diff!,
      low: c.conversion.low!,
      high: c.conversion.high!,
      x: scale(c.conversion.diff!),
      x0: scale(c.conversion.low!),
      x1: scale(c.conversion.high!),
    })),
  };
}

/**
 * Why recipients were not sent to (a report's `suppressedBy` key, or a recipient's reason), in words:
 * the campaign's own reasons here, the message gate's from messaging/reasons.ts.
 */
export function suppressionReason(t: TFunction, reason: string, language: string): string {
  const { code } = splitReason(reason);
  if (code === 'campaign_paused') return t('campaigns.reasons.campaign_paused');
  if (code === 'campaign_cancelled' || code === 'cancelled') return t('campaigns.reasons.campaign_cancelled');
  if (code === 'unknown') return t('campaigns.reasons.unknown');
  if (isKnownReason(code)) return reasonText(t, { status: 'suppressed', reason, language }) ?? reason;
  return t('messaging.reasons.other', { reason });
}

export function isMessageStatus(status: string): status is MessageStatus {
  return (MESSAGE_STATUSES as readonly string[]).includes(status);
}

/** A recipient's status in words, with the reason when there is one. */
export function recipientStatusText(t: TFunction, r: { status: string; reason: string | null }, language: string): { status: string; reason: string | null } {
  const status =
    r.status === 'pending' || r.status === 'holdout' || r.status === 'cancelled'
      ? t(`campaigns.recipientStatuses.${r.status}`)
      : isMessageStatus(r.status)
        ? t(`messaging.statuses.${r.status}`)
        : r.status;
  return { status, reason: r.reason ? suppressionReason(t, r.reason, language) : null };
}
