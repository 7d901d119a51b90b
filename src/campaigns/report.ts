// What a campaign earned, per variant and for the holdout: the delivery funnel (from its messages),
// conversions and revenue within the goal's window (from the orders or the goal's events), the
// uplift of each variant over the holdout and over variant A with 95% intervals and a sentence a
// marketer can read, last-touch attribution (orders after a click) for campaigns without a
// holdout, and the messages' cost and return.
//
// Conversions are counted for everyone assigned, sent or not (intent to treat): a variant's
// suppressed recipients stay in its figures as the holdout's unsent ones do in its own, so the
// comparison is between the groups the hash made, which differ only by the campaign.
import type { Queryable } from '../db/connection.ts';
import { clock } from '../clock.ts';
import { currencyExponent } from '../commerce/money.ts';
import { addDays, dayIn } from '../messaging/stats.ts';
import { getWorkspace } from '../workspaces/workspaces.ts';
import { getCampaignSettings } from './audience.ts';
import { readReportData, type ConversionDay } from './report-queries.ts';
import type { CampaignRow } from './campaigns.ts';
import type { CampaignGoal } from './schema.ts';
import { conversionUplift, meanUplift, type ConversionUplift, type RevenueUplift } from './uplift.ts';
import { describeConversionUplift, describeRevenueUplift, type UpliftVerdict } from './uplift-words.ts';

export type GroupFigures = {
  key: string;
  name: string;
  share: number;
  targeted: number;
  /** Messages not sent yet (queued, deferred, being sent) or recipients whose message is not made yet. */
  waiting: number;
  suppressed: number;
  suppressedBy: Record<string, number>;
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
  unsubscribed: number;
  bounced: number;
  failed: number;
  converted: number;
  conversionRate: number | null;
  revenue: number;
  revenuePerRecipient: number | null;
  /** Orders within the window after a click on this group's message (last touch). Money here is in minor units, as everywhere in the API. */
  attributedOrders: number;
  attributedRevenue: number;
  cost: number;
};

export type Words = { verdict: UpliftVerdict; en: string; ko: string };

export type Comparison = {
  variant: string;
  against: string;
  conversion: ConversionUplift;
  revenuePerRecipient: RevenueUplift;
  conversionWords: Words;
  revenueWords: Words;
};

export type CampaignReport = {
  goal: CampaignGoal;
  /** The window conversions are counted in: from the start of sending, goal.windowDays long. */
  windowFrom: string | null;
  windowTo: string | null;
  currency: string;
  groups: GroupFigures[];
  /** Each variant against the holdout (when there is one), and each later variant against A. */
  comparisons: Comparison[];
  cost: number;
  /** (Each variant's revenue per recipient − the holdout's) × its recipients, summed; null without a holdout. */
  incrementalRevenue: number | null;
  /** (incremental revenue − cost) / cost; null without a holdout or a cost. */
  roi: number | null;
  /** Conversions over time; null before sending starts. */
  timeline: Timeline | null;
};

/**
 * Per group, the converted recipients (by the day of their first conversion) and the revenue, each
 * cumulative at the end of every day of the window so far (days in the workspace's time zone).
 */
export type Timeline = { days: string[]; groups: { key: string; converted: number[]; revenue: number[] }[] };

function timelineOf(groups: GroupFigures[], byDay: ConversionDay[], timeZone: string, from: Date, to: Date): Timeline {
  const first = dayIn(timeZone, from);
  // The window's last day, or today while it is still open.
  const end = new Date(Math.min(to.getTime() - 1, clock.now().getTime()));
  const last = dayIn(timeZone, end < from ? from : end);
  const days: string[] = [];
  for (let d = first; d <= last && days.length <= 400; d = addDays(d, 1)) days.push(d);
  const index = new Map(days.map((d, i) => [d, i]));
  return {
    days,
    groups: groups.map((g) => {
      const converted = new Array<number>(days.length).fill(0);
      const revenue = new Array<number>(days.length).fill(0);
      for (const r of byDay) {
        const i = r.variant === g.key ? index.get(r.day) : undefined;
        if (i === undefined) continue;
        converted[i]! += r.firstConversions;
        revenue[i]! += r.revenue;
      }
      for (let i = 1; i < days.length; i++) {
        converted[i]! += converted[i - 1]!;
        revenue[i]! += revenue[i - 1]!;
      }
      return { key: g.key, converted, revenue };
    }),
  };
}

/** The sentence speaks of ₩ and $, not of minor units. */
function inMajorUnits(u: RevenueUplift, scale: number): RevenueUplift {
  const div = (v: number | null) => (v === null ? null : v / scale);
  return { ...u, treatedMean: div(u.treatedMean), controlMean: div(u.controlMean), diff: div(u.diff), low: div(u.low), high: div(u.high) };
}

export async function campaignReport(db: Queryable, c: CampaignRow): Promise<CampaignReport> {
  const workspace = await getWorkspace(db, c.workspaceId);
  const currency = workspace?.currency ?? 'KRW';
  const timeZone = workspace?.timeZone ?? 'Asia/Seoul';
  // Amounts are in minor units (as orders are stored); prices in the settings are per message in major units.
  const scale = 10 ** currencyExponent(currency);
  const settings = await getCampaignSettings(db, c.workspaceId);
  const from = c.startedAt;
  const to = from ? new Date(from.getTime() + c.goal.windowDays * 86_400_000) : null;
  const data = await readReportData(db, c, { from, to, scale, timeZone });
  // With a winner to pick the variants are the test's groups, and the rest (who get the winner) one more.
  const testShare = c.winner ? c.winner.testShare : 100;
  const order = [
    ...c.variants.map((v) => ({ key: v.key, name: v.name, share: (v.share * testShare) / 100 })),
    ...(c.winner ? [{ key: 'winner', name: 'winner', share: ((100 - c.holdoutShare) * (100 - testShare)) / 100 }] : []),
    ...(c.holdoutShare > 0 ? [{ key: 'holdout', name: 'holdout', share: c.holdoutShare }] : []),
  ];
  const groups: GroupFigures[] = order.map((g) => {
    const messages = data.messages.filter((m) => m.variant === g.key);
    const recipients = data.recipients.filter((r) => r.variant === g.key);
    const conv = data.conversions.find((x) => x.variant === g.key);
    const touch = data.touches.find((t) => t.variant === g.key);
    const count = (status: string) => messages.filter((m) => m.status === status).reduce((sum, m) => sum + m.n, 0);
    const total = (k: 'sent' | 'delivered' | 'opened' | 'clicked') => messages.reduce((sum, m) => sum + m[k], 0);
    const targeted = recipients.reduce((sum, r) => sum + r.n, 0);
    const cancelled = recipients.filter((r) => r.status === 'cancelled').reduce((sum, r) => sum + r.n, 0);
    const suppressedBy: Record<string, number> = {};
    for (const m of messages.filter((x) => x.status === 'suppressed')) suppressedBy[m.reason ?? 'unknown'] = (suppressedBy[m.reason ?? 'unknown'] ?? 0) + m.n;
    if (cancelled) suppressedBy.campaign_cancelled = (suppressedBy.campaign_cancelled ?? 0) + cancelled;
    const cost = messages.reduce((sum, m) => sum + m.sent * (settings.costs[m.costKey] ?? 0) * scale, 0);
    const converted = conv?.converted ?? 0;
    const revenue = conv?.revenue ?? 0;
    return {
      ...g,
      targeted,
      waiting: g.key === 'holdout' ? 0 : recipients.reduce((sum, r) => sum + r.unmade, 0) + count('queued') + count('deferred') + count('sending'),
      suppressed: count('suppressed') + cancelled,
      suppressedBy,
      sent: total('sent'),
      delivered: total('delivered'),
      opened: total('opened'),
      clicked: total('clicked'),
      unsubscribed: count('unsubscribed'),
      bounced: count('bounced'),
      failed: count('failed'),
      converted,
      conversionRate: targeted ? converted / targeted : null,
      revenue,
      revenuePerRecipient: targeted ? revenue / targeted : null,
      attributedOrders: touch?.orders ?? 0,
      attributedRevenue: touch?.revenue ?? 0,
      cost,
    };
  });

  const sums = (key: string) => {
    const g = groups.find((x) => x.key === key);
    const conv = data.conversions.find((x) => x.variant === key);
    return { n: g?.targeted ?? 0, sum: conv?.revenue ?? 0, sumSquares: conv?.revenueSq ?? 0 };
  };
  const label = (key: string, locale: 'ko' | 'en') =>
    key === 'holdout' ? (locale === 'ko' ? '홀드아웃' : 'the holdout') : key === 'winner' ? (locale === 'ko' ? `승자(${c.winnerKey ?? '-'}) 발송분` : `the winner (${c.winnerKey ?? '-'}) sent to the rest`) : key;
  const compare = (variant: string, against: string): Comparison => {
    const t = groups.find((g) => g.key === variant)!;
    const k = groups.find((g) => g.key === against)!;
    const conversion = conversionUplift({ n: t.targeted, conversions: t.converted }, { n: k.targeted, conversions: k.converted });
    const revenuePerRecipient = meanUplift(sums(variant), sums(against));
    const words = (locale: 'ko' | 'en') => ({
      conversion: describeConversionUplift(conversion, { locale, treatedLabel: label(variant, locale), controlLabel: label(against, locale) }),
      revenue: describeRevenueUplift(inMajorUnits(revenuePerRecipient, scale), { locale, treatedLabel: label(variant, locale), controlLabel: label(against, locale), currency }),
    });
    const [en, ko] = [words('en'), words('ko')];
    return {
      variant,
      against,
      conversion,
      revenuePerRecipient,
      conversionWords: { verdict: en.conversion.verdict, en: en.conversion.text, ko: ko.conversion.text },
      revenueWords: { verdict: en.revenue.verdict, en: en.revenue.text, ko: ko.revenue.text },
    };
  };
  const comparisons: Comparison[] = [];
  if (c.holdoutShare > 0) for (const v of c.variants) comparisons.push(compare(v.key, 'holdout'));
  if (c.holdoutShare > 0 && c.winnerKey) comparisons.push(compare('winner', 'holdout'));
  for (const v of c.variants.slice(1)) comparisons.push(compare(v.key, c.variants[0]!.key));

  const cost = groups.reduce((s, g) => s + g.cost, 0);
  const holdout = groups.find((g) => g.key === 'holdout');
  const incrementalRevenue =
    holdout && holdout.revenuePerRecipient !== null
      ? groups.filter((g) => g.key !== 'holdout').reduce((s, g) => s + ((g.revenuePerRecipient ?? 0) - holdout.revenuePerRecipient!) * g.targeted, 0)
      : null;
  return {
    goal: c.goal,
    windowFrom: from?.toISOString() ?? null,
    windowTo: to?.toISOString() ?? null,
    currency,
    groups,
    comparisons,
    cost,
    incrementalRevenue,
    roi: incrementalRevenue !== null && cost > 0 ? (incrementalRevenue - cost) / cost : null,
    timeline: from && to ? timelineOf(groups, data.days, timeZone, from, to) : null,
  };
}
