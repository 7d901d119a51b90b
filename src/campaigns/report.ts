// What a campaign earned, per variant and for the holdout: the delivery funnel (from its messages),
// conversions and revenue within the goal's window (from the orders or the goal's events), the
// uplift of each variant over the holdout and over variant A with 95% intervals and a sentence a
// marketer can read, last-touch attribution (orders after a click) for campaigns without a
// holdout, and the messages' cost and return.
//
// Conversions are counted for everyone assigned, sent or not (intent to treat): a variant's
// suppressed recipients stay in its figures as the holdout's unsent ones do in its own, so the
// comparison is between the groups the hash made, which differ only by the campaign.
import { sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import { clock } from '../clock.ts';
import { currencyExponent } from '../commerce/money.ts';
import { dayIn } from '../messaging/stats.ts';
import { getWorkspace } from '../workspaces/workspaces.ts';
import { getCampaignSettings } from './audience.ts';
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

const DAY_MS = 86_400_000;
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

function timelineOf(groups: GroupFigures[], all: (Row & { part: string; key: string | null })[], timeZone: string, from: Date, to: Date): Timeline {
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
      for (const r of all) {
        if (r.variant !== g.key || (r.part !== 'first' && r.part !== 'day')) continue;
        const i = index.get(r.key ?? '');
        if (i === undefined) continue;
        if (r.part === 'first') converted[i]! += n(r.targeted);
        else revenue[i]! += n(r.revenue);
      }
      for (let i = 1; i < days.length; i++) {
        converted[i]! += converted[i - 1]!;
        revenue[i]! += revenue[i - 1]!;
      }
      return { key: g.key, converted, revenue };
    }),
  };
}

const n = (v: unknown) => Number(v ?? 0);

/** The sentence speaks of ₩ and $, not of minor units. */
function inMajorUnits(u: RevenueUplift, scale: number): RevenueUplift {
  const div = (v: number | null) => (v === null ? null : v / scale);
  return { ...u, treatedMean: div(u.treatedMean), controlMean: div(u.controlMean), diff: div(u.diff), low: div(u.low), high: div(u.high) };
}

/**
 * The goal's conversions within the window per recipient and day (in the workspace's zone):
 * `variant, customer_id, day, conversions, revenue`.
 */
function conversionsSql(c: CampaignRow, from: Date, to: Date, scale: number, timeZone: string): SQL {
  const goal = c.goal;
  const ws = sql`${c.workspaceId}::uuid`;
  const recipients = sql`join campaign_recipients r on r.workspace_id = ${ws} and r.campaign_id = ${c.id}::uuid and r.customer_id = x.customer_id`;
  // Orders are the truth for `Order Completed` (whatever way they arrived: events, the API, imports).
  if (goal.event === 'Order Completed' && goal.filters.every((f) => f.property === 'total' && f.op !== 'eq')) {
    const filters = goal.filters.map((f) => (f.op === 'gte' ? sql`and x.total >= ${f.value}` : sql`and x.total <= ${f.value}`));
    return sql`select r.variant, x.customer_id, to_char((x.placed_at at time zone ${timeZone})::date, 'YYYY-MM-DD') as day,
        count(*) as conversions, sum(x.total - x.refunded_total)::float8 as revenue
      from orders x ${recipients}
      where x.workspace_id = ${ws} and x.status <> 'cancelled' and x.placed_at >= ${from} and x.placed_at < ${to} ${sql.join(filters, sql` `)}
      group by 1, 2, 3`;
  }
  const num = (prop: string) => sql`(case when jsonb_typeof(x.properties->${prop}) = 'number' then (x.properties->>${prop})::numeric end)`;
  const filters = goal.filters.map((f) =>
    f.op === 'eq' ? sql`and x.properties->>${f.property} = ${String(f.value)}` : f.op === 'gte' ? sql`and ${num(f.property)} >= ${f.value}` : sql`and ${num(f.property)} <= ${f.value}`,
  );
  // Event properties carry amounts in major units (₩, $); the report, like the rest of the API, in minor units.
  return sql`select r.variant, x.customer_id, to_char((x.timestamp at time zone ${timeZone})::date, 'YYYY-MM-DD') as day,
      count(*) as conversions, (coalesce(sum(coalesce(${num('revenue')}, ${num('total')}, ${num('value')}, 0)), 0) * ${scale})::float8 as revenue
    from events x ${recipients}
    where x.workspace_id = ${ws} and x.name = ${goal.event} and x.timestamp >= ${from} and x.timestamp < ${to} ${sql.join(filters, sql` `)}
    group by 1, 2, 3`;
}

type Row = Record<string, unknown> & { variant: string };

export async function campaignReport(db: Queryable, c: CampaignRow): Promise<CampaignReport> {
  const workspace = await getWorkspace(db, c.workspaceId);
  const currency = workspace?.currency ?? 'KRW';
  const timeZone = workspace?.timeZone ?? 'Asia/Seoul';
  // Amounts are in minor units (as orders are stored); prices in the settings are per message in major units.
  const scale = 10 ** currencyExponent(currency);
  const settings = await getCampaignSettings(db, c.workspaceId);
  const from = c.startedAt;
  const to = from ? new Date(from.getTime() + c.goal.windowDays * 86_400_000) : null;
  const ws = sql`${c.workspaceId}::uuid`;
  const empty = sql`select null::text as variant, null::uuid as customer_id, null::text as day, 0 as conversions, 0::float8 as revenue where false`;
  // One pass over the recipients and their messages (found through the campaign's messages, not
  // the whole table), aggregated four ways: per group, suppression reasons, what was sent by what
  // it costs, and last-touch orders after a click; and the conversions by day for the timeline.
  const all = await db.transaction(async (tx) => {
    // JIT would spend seconds compiling this one-off query (it has 500,000-row joins) and save less.
    await tx.execute(sql`select set_config('jit', 'off', true), set_config('work_mem', '64MB', true)`);
    const { rows } = await tx.execute<Row & { part: string; key: string | null }>(sql`
    with conv_day as materialized (${from && to ? conversionsSql(c, from, to, scale, timeZone) : empty}),
    conv as (select customer_id, sum(conversions) as conversions, sum(revenue)::float8 as revenue from conv_day group by customer_id),
    m as (
      select id, status, reason, sent_at, delivered_at, opened_at, clicked_at,
        case when kind in ('sms', 'kakao') then coalesce(content->>'type', kind) else kind end as cost_key
      from messages where workspace_id = ${ws} and origin = 'campaign' and origin_id = ${c.id}::uuid),
    rm as materialized (
      select r.variant, r.status as r_status, r.customer_id, m.*
      from campaign_recipients r left join m on m.id = r.message_id
      where r.workspace_id = ${ws} and r.campaign_id = ${c.id}::uuid)
    select 'group' as part, rm.variant, null as key, count(*)::int as targeted,
      count(*) filter (where (rm.r_status = 'pending' and rm.id is null) or rm.status in ('queued', 'deferred', 'sending'))::int as waiting,
      count(*) filter (where rm.status = 'suppressed' or rm.r_status = 'cancelled')::int as suppressed,
      count(rm.sent_at)::int as sent, count(rm.delivered_at)::int as delivered, count(rm.opened_at)::int as opened, count(rm.clicked_at)::int as clicked,
      count(*) filter (where rm.status = 'unsubscribed')::int as unsubscribed, count(*) filter (where rm.status = 'bounced')::int as bounced,
      count(*) filter (where rm.status = 'failed')::int as failed,
      count(conv.customer_id)::int as converted, coalesce(sum(conv.revenue), 0)::float8 as revenue,
      coalesce(sum(conv.revenue * conv.revenue), 0)::float8 as revenue_sq, coalesce(var_samp(coalesce(conv.revenue, 0)), 0)::float8 as revenue_var
    from rm left join conv on conv.customer_id = rm.customer_id
    group by rm.variant
    union all
    select 'reason', variant, case when r_status = 'cancelled' then 'campaign_cancelled' else reason end, count(*)::int, null, null, null, null, null, null, null, null, null, null, null, null, null
    from rm where status = 'suppressed' or r_status = 'cancelled' group by 2, 3
    union all
    select 'cost', variant, cost_key, count(*)::int, null, null, null, null, null, null, null, null, null, null, null, null, null
    from rm where sent_at is not null group by 2, 3
    union all
    select 'touch', rm.variant, null, count(distinct o.id)::int, null, null, null, null, null, null, null, null, null, null, coalesce(sum(o.total - o.refunded_total), 0)::float8, null, null
    from rm join orders o on o.workspace_id = ${ws} and o.customer_id = rm.customer_id and o.status <> 'cancelled'
      and o.placed_at >= rm.clicked_at and o.placed_at < rm.clicked_at + ${`${c.goal.windowDays} days`}::interval
    where rm.clicked_at is not null
    group by 2
    union all
    select 'first', variant, first_day, count(*)::int, null, null, null, null, null, null, null, null, null, null, null, null, null
    from (select variant, customer_id, min(day) as first_day from conv_day group by 1, 2) f group by 2, 3
    union all
    select 'day', variant, day, null, null, null, null, null, null, null, null, null, null, null, sum(revenue)::float8, null, null
    from conv_day group by 2, 3`);
    return rows;
  });
  const rows = all.filter((r) => r.part === 'group');
  const reasons = all.filter((r) => r.part === 'reason').map((r) => ({ variant: r.variant, reason: r.key, n: n(r.targeted) }));
  const sentKinds = all.filter((r) => r.part === 'cost').map((r) => ({ variant: r.variant, cost_key: r.key ?? '', n: n(r.targeted) }));
  const touched = all.filter((r) => r.part === 'touch').map((r) => ({ variant: r.variant, orders: n(r.targeted), revenue: n(r.revenue) }));

  const byVariant = new Map(rows.map((r) => [r.variant, r]));
  // With a winner to pick the variants are the test's groups, and the rest (who get the winner) one more.
  const testShare = c.winner ? c.winner.testShare / 100 : 1;
  const order = [
    ...c.variants.map((v) => ({ key: v.key, name: v.name, share: Math.round(v.share * testShare) })),
    ...(c.winner ? [{ key: 'winner', name: 'winner', share: Math.round((100 - c.holdoutShare) * (1 - testShare)) }] : []),
    ...(c.holdoutShare > 0 ? [{ key: 'holdout', name: 'holdout', share: c.holdoutShare }] : []),
  ];
  const groups: GroupFigures[] = order.map((g) => {
    const r = byVariant.get(g.key);
    const targeted = n(r?.targeted);
    const revenue = n(r?.revenue);
    const touch = touched.find((t) => t.variant === g.key);
    const suppressedBy: Record<string, number> = {};
    for (const x of reasons.filter((x) => x.variant === g.key)) suppressedBy[x.reason ?? 'unknown'] = n(x.n);
    const cost = sentKinds.filter((k) => k.variant === g.key).reduce((sum, k) => sum + n(k.n) * (settings.costs[k.cost_key] ?? 0) * scale, 0);
    return {
      ...g,
      targeted,
      waiting: g.key === 'holdout' ? 0 : n(r?.waiting),
      suppressed: n(r?.suppressed),
      suppressedBy,
      sent: n(r?.sent),
      delivered: n(r?.delivered),
      opened: n(r?.opened),
      clicked: n(r?.clicked),
      unsubscribed: n(r?.unsubscribed),
      bounced: n(r?.bounced),
      failed: n(r?.failed),
      converted: n(r?.converted),
      conversionRate: targeted ? n(r?.converted) / targeted : null,
      revenue,
      revenuePerRecipient: targeted ? revenue / targeted : null,
      attributedOrders: n(touch?.orders),
      attributedRevenue: n(touch?.revenue),
      cost,
    };
  });

  const sums = (key: string) => {
    const r = byVariant.get(key);
    return { n: n(r?.targeted), sum: n(r?.revenue), sumSquares: n(r?.revenue_sq), variance: n(r?.revenue_var) };
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
    timeline: from && to ? timelineOf(groups, all, timeZone, from, to) : null,
  };
}
