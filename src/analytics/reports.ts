// What the analytics pages and the customer profile read: the RFM grid and segments, grades and
// their movement, the CLV distribution and model report, the at-risk and dormant lists, cohorts,
// basket rules and the recommendation evaluation. Reads only: the jobs write.
import { sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import { maskEmail, maskPhone } from '../customers/fields.ts';
import { getWorkspace } from '../workspaces/workspaces.ts';
import { clvFitWarnings } from './fit-checks.ts';
import { lastRun, lastRuns } from './runs.ts';
import { recencyOf } from './rfm-scores.ts';
import { GRADE_CHANGED_EVENT } from './scores.ts';
import { getAnalyticsSettings } from './settings.ts';

type Ws = { workspaceId: string };
const num = (v: unknown): number => Number(v ?? 0);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

async function currencyOf(db: Queryable, workspaceId: string): Promise<string> {
  return (await getWorkspace(db, workspaceId))?.currency ?? 'KRW';
}

/** Live customers' metrics rows of the workspace (merged and deleted profiles left out). */
const live = (ws: string, alias = 'm') => sql`
  ${sql.raw(alias)}.workspace_id = ${ws}::uuid
  and exists (select 1 from customers c where c.workspace_id = ${sql.raw(alias)}.workspace_id and c.id = ${sql.raw(alias)}.customer_id and c.deleted_at is null)`;

export async function analyticsOverview(db: Queryable, opts: Ws) {
  const settings = await getAnalyticsSettings(db, opts);
  const { rows } = await db.execute<{ scored: number; at_risk: number; dormant: number; buyers: number; clv: number | null; p_alive: number | null }>(sql`
    select count(*) filter (where rfm_segment is not null)::int as scored,
      count(*) filter (where churn_risk)::int as at_risk,
      count(*) filter (where greatest(last_seen_at, last_order_at) < now() - make_interval(days => ${settings.dormantDays}))::int as dormant,
      count(*) filter (where order_count > 0)::int as buyers,
      sum(clv)::float8 as clv, avg(p_alive) filter (where order_count > 0)::float8 as p_alive
    from customer_metrics m where ${live(opts.workspaceId)}`);
  const r = rows[0];
  const cohorts = await lastRun(db, { workspaceId: opts.workspaceId, kind: 'cohorts', succeeded: true });
  const k = (cohorts?.result ?? {}) as Record<string, unknown>;
  return {
    currency: await currencyOf(db, opts.workspaceId),
    runs: await lastRuns(db, opts),
    customers: { scored: num(r?.scored), buyers: num(r?.buyers), atRisk: num(r?.at_risk), dormant: num(r?.dormant) },
    totalClv: numOrNull(r?.clv),
    meanPAlive: numOrNull(r?.p_alive),
    kpis: cohorts
      ? {
          orders: num(k.orders),
          revenue: num(k.revenue),
          averageOrderValue: numOrNull(k.averageOrderValue),
          repeatPurchaseRate: numOrNull(k.repeatPurchaseRate),
          revenueByGrade: (k.revenueByGrade ?? []) as unknown[],
        }
      : null,
  };
}

/** R × F heat map with counts and revenue, and the named segments' sizes and revenue. */
export async function rfmReport(db: Queryable, opts: Ws) {
  const { rows: cells } = await db.execute<{ r: number; f: number; customers: number; revenue: number }>(sql`
    select rfm_r as r, rfm_f as f, count(*)::int as customers, coalesce(sum(rfm_monetary), 0)::float8 as revenue
    from customer_metrics m where ${live(opts.workspaceId)} and rfm_r is not null group by 1, 2 order by 1, 2`);
  const { rows: segments } = await db.execute<{ segment: string; customers: number; revenue: number; recency: number; frequency: number }>(sql`
    select rfm_segment as segment, count(*)::int as customers, coalesce(sum(rfm_monetary), 0)::float8 as revenue,
      avg(${recencyOf(new Date())})::float8 as recency, avg(rfm_frequency)::float8 as frequency
    from customer_metrics m where ${live(opts.workspaceId)} and rfm_segment is not null group by 1 order by 2 desc`);
  const run = await lastRun(db, { workspaceId: opts.workspaceId, kind: 'scores', succeeded: true, mode: 'full' });
  const result = (run?.result ?? {}) as { rfm?: { cutPoints?: unknown } };
  return {
    currency: await currencyOf(db, opts.workspaceId),
    computedAt: run?.finishedAt ?? null,
    cutPoints: result.rfm?.cutPoints ?? null,
    cells: cells.map((c) => ({ r: num(c.r), f: num(c.f), customers: num(c.customers), revenue: num(c.revenue) })),
    segments: segments.map((s) => ({
      segment: s.segment,
      customers: num(s.customers),
      revenue: num(s.revenue),
      meanRecencyDays: numOrNull(s.recency),
      meanFrequency: numOrNull(s.frequency),
    })),
  };
}

/** Customers per grade, and grade movements (from → to) over the last `days` days. */
export async function gradesReport(db: Queryable, opts: Ws & { days?: number }) {
  const days = opts.days ?? 30;
  const settings = await getAnalyticsSettings(db, opts);
  const { rows: dist } = await db.execute<{ grade: string; customers: number; revenue: number; clv: number }>(sql`
    select grade, count(*)::int as customers, coalesce(sum(total_spend), 0)::float8 as revenue, coalesce(sum(clv), 0)::float8 as clv
    from customer_metrics m where ${live(opts.workspaceId)} and grade is not null group by 1`);
  const { rows: moves } = await db.execute<{ from: string | null; to: string | null; customers: number }>(sql`
    select properties->>'from' as "from", properties->>'to' as "to", count(*)::int as customers
    from events where workspace_id = ${opts.workspaceId}::uuid and name = ${GRADE_CHANGED_EVENT}
      and timestamp > now() - make_interval(days => ${days})
    group by 1, 2 order by 3 desc`);
  const order = settings.grades.map((g) => g.name);
  const byName = new Map(dist.map((d) => [d.grade, d]));
  return {
    currency: await currencyOf(db, opts.workspaceId),
    days,
    grades: settings.grades,
    distribution: [...order, ...dist.map((d) => d.grade).filter((g) => !order.includes(g))].map((grade) => {
      const d = byName.get(grade);
      return { grade, customers: num(d?.customers), revenue: num(d?.revenue), clv: num(d?.clv) };
    }),
    movements: moves.map((m) => ({
      from: m.from,
      to: m.to,
      customers: num(m.customers),
      // Higher grades come first in the list; losing every grade (to = null) is a move down.
      direction: m.from === null ? 'new' : m.to === null ? 'down' : order.indexOf(m.to) < order.indexOf(m.from) ? 'up' : 'down',
    })),
  };
}

/** CLV histogram (10 buckets up to the 99th percentile, the rest in the last), the fitted models and the holdout check. */
export async function clvReport(db: Queryable, opts: Ws) {
  const { rows: stats } = await db.execute<{ n: number; p99: number | null; total: number | null; mean: number | null }>(sql`
    select count(clv)::int as n, percentile_disc(0.99) within group (order by clv)::float8 as p99, sum(clv)::float8 as total, avg(clv)::float8 as mean
    from customer_metrics m where ${live(opts.workspaceId)} and clv is not null`);
  const s = stats[0];
  const top = Math.max(1, num(s?.p99));
  const width = Math.ceil(top / 10);
  const { rows: buckets } = await db.execute<{ b: number; customers: number; clv: number }>(sql`
    select least(floor(clv / ${width}::float8), 9)::int as b, count(*)::int as customers, sum(clv)::float8 as clv
    from customer_metrics m where ${live(opts.workspaceId)} and clv is not null group by 1 order by 1`);
  const { rows: alive } = await db.execute<{ b: number; customers: number }>(sql`
    select least(floor(p_alive * 10), 9)::int as b, count(*)::int as customers
    from customer_metrics m where ${live(opts.workspaceId)} and p_alive is not null group by 1 order by 1`);
  const run = await lastRun(db, { workspaceId: opts.workspaceId, kind: 'scores', succeeded: true, mode: 'full' });
  const result = (run?.result ?? {}) as { clv?: Record<string, unknown> & Parameters<typeof clvFitWarnings>[0]; holdout?: unknown };
  const settings = await getAnalyticsSettings(db, opts);
  return {
    currency: await currencyOf(db, opts.workspaceId),
    computedAt: run?.finishedAt ?? null,
    horizonDays: settings.clvHorizonDays,
    discountRate: settings.clvDiscountRate,
    predictionDays: settings.predictionDays,
    customers: num(s?.n),
    total: numOrNull(s?.total),
    mean: numOrNull(s?.mean),
    histogram: buckets.map((b) => ({ from: num(b.b) * width, to: num(b.b) === 9 ? null : (num(b.b) + 1) * width, customers: num(b.customers), clv: num(b.clv) })),
    pAliveHistogram: alive.map((b) => ({ from: num(b.b) / 10, to: (num(b.b) + 1) / 10, customers: num(b.customers) })),
    // What in the fitted models to be wary of (degenerate fits), from the stored parameters.
    models: result.clv ? { ...result.clv, warnings: clvFitWarnings(result.clv) } : null,
    holdout: result.holdout ?? null,
  };
}

type Person = { customer_id: string; name: string | null; email: string | null; phone: string | null };
const person = (r: Person, pii: boolean) => ({
  customerId: r.customer_id,
  name: r.name,
  email: pii ? r.email : maskEmail(r.email),
  phone: pii ? r.phone : maskPhone(r.phone),
});

function page(limit?: number, offset?: number): SQL {
  return sql`limit ${Math.min(limit ?? 50, 500)} offset ${offset ?? 0}`;
}

/** At-risk customers, most valuable first. */
export async function atRiskList(db: Queryable, opts: Ws & { pii: boolean; limit?: number; offset?: number }) {
  const { rows } = await db.execute<
    Person & { grade: string | null; clv: number | null; p_alive: number | null; recency: number | null; churn_flagged_at: Date | null; churn_priority: number; total_spend: number; order_count: number; rfm_segment: string | null }
  >(sql`
    select m.customer_id, c.name, c.email, c.phone, m.grade, m.clv, m.p_alive, ${recencyOf(new Date())} as recency, m.churn_flagged_at, m.churn_priority,
      m.total_spend, m.order_count, m.rfm_segment
    from customer_metrics m join customers c on c.workspace_id = m.workspace_id and c.id = m.customer_id and c.deleted_at is null
    where m.workspace_id = ${opts.workspaceId}::uuid and m.churn_risk
    order by m.churn_priority desc nulls last, m.customer_id ${page(opts.limit, opts.offset)}`);
  const { rows: total } = await db.execute<{ n: number }>(sql`select count(*)::int as n from customer_metrics m where ${live(opts.workspaceId)} and churn_risk`);
  return {
    currency: await currencyOf(db, opts.workspaceId),
    total: num(total[0]?.n),
    customers: rows.map((r) => ({
      ...person(r, opts.pii),
      grade: r.grade,
      segment: r.rfm_segment,
      clv: numOrNull(r.clv),
      pAlive: numOrNull(r.p_alive),
      daysSinceLastOrder: numOrNull(r.recency),
      orders: num(r.order_count),
      totalSpend: num(r.total_spend),
      flaggedAt: r.churn_flagged_at ? new Date(r.churn_flagged_at).toISOString() : null,
    })),
  };
}

/** Dormant customers: no event and no order for the workspace's dormant days, the most recently active first. */
export async function dormantList(db: Queryable, opts: Ws & { pii: boolean; days?: number; limit?: number; offset?: number }) {
  const settings = await getAnalyticsSettings(db, opts);
  const days = opts.days ?? settings.dormantDays;
  const lastActive = sql`greatest(m.last_seen_at, m.last_order_at)`;
  const { rows } = await db.execute<Person & { last_active: Date; grade: string | null; clv: number | null; total_spend: number; order_count: number }>(sql`
    select m.customer_id, c.name, c.email, c.phone, ${lastActive} as last_active, m.grade, m.clv, m.total_spend, m.order_count
    from customer_metrics m join customers c on c.workspace_id = m.workspace_id and c.id = m.customer_id and c.deleted_at is null
    where m.workspace_id = ${opts.workspaceId}::uuid and ${lastActive} < now() - make_interval(days => ${days})
    order by ${lastActive} desc, m.customer_id ${page(opts.limit, opts.offset)}`);
  const { rows: total } = await db.execute<{ n: number }>(
    sql`select count(*)::int as n from customer_metrics m where ${live(opts.workspaceId)} and ${lastActive} < now() - make_interval(days => ${days})`,
  );
  return {
    currency: await currencyOf(db, opts.workspaceId),
    days,
    total: num(total[0]?.n),
    customers: rows.map((r) => ({
      ...person(r, opts.pii),
      lastActiveAt: new Date(r.last_active).toISOString(),
      grade: r.grade,
      clv: numOrNull(r.clv),
      orders: num(r.order_count),
      totalSpend: num(r.total_spend),
    })),
  };
}

export async function cohortsReport(db: Queryable, opts: Ws) {
  const run = await lastRun(db, { workspaceId: opts.workspaceId, kind: 'cohorts', succeeded: true });
  return { computedAt: run?.finishedAt ?? null, kpis: run?.result ?? null };
}

/** Basket rules with filters; product rules name their products. */
export async function basketRulesReport(
  db: Queryable,
  opts: Ws & { level: 'product' | 'category'; minLift?: number; minConfidence?: number; item?: string; limit?: number; offset?: number },
) {
  const where = sql`r.workspace_id = ${opts.workspaceId}::uuid and r.level = ${opts.level}
    and r.lift >= ${opts.minLift ?? 0} and r.confidence >= ${opts.minConfidence ?? 0}
    ${opts.item ? sql`and (r.consequent = ${opts.item} or ${opts.item} = any(r.antecedent))` : sql``}`;
  const { rows } = await db.execute<{ rank: number; antecedent: string[]; consequent: string; count: number; support: number; confidence: number; lift: number; computed_at: Date }>(sql`
    select rank, antecedent, consequent, count, support, confidence, lift, computed_at from basket_rules r where ${where}
    order by rank ${page(opts.limit, opts.offset)}`);
  const { rows: total } = await db.execute<{ n: number }>(sql`select count(*)::int as n from basket_rules r where ${where}`);
  const names = new Map<string, string>();
  if (opts.level === 'product') {
    const ids = [...new Set(rows.flatMap((r) => [...r.antecedent, r.consequent]))].filter((id) => /^[0-9a-f-]{36}$/.test(id));
    if (ids.length) {
      const { rows: products } = await db.execute<{ id: string; name: string }>(
        sql`select id, name from products where workspace_id = ${opts.workspaceId}::uuid and id = any(${sql.param(ids)}::uuid[])`,
      );
      for (const p of products) names.set(p.id, p.name);
    }
  }
  const label = (id: string) => ({ id, name: names.get(id) ?? id });
  const run = await lastRun(db, { workspaceId: opts.workspaceId, kind: 'basket', succeeded: true });
  return {
    level: opts.level,
    computedAt: run?.finishedAt ?? null,
    summary: run?.result ?? null,
    total: num(total[0]?.n),
    rules: rows.map((r) => ({
      rank: num(r.rank),
      antecedent: r.antecedent.map(label),
      consequent: label(r.consequent),
      count: num(r.count),
      support: Number(r.support),
      confidence: Number(r.confidence),
      lift: Number(r.lift),
    })),
  };
}

export async function recommendationEvaluation(db: Queryable, opts: Ws) {
  const run = await lastRun(db, { workspaceId: opts.workspaceId, kind: 'recommendations', succeeded: true, mode: 'full' });
  const result = (run?.result ?? {}) as { evaluation?: unknown; purchases?: number };
  return { computedAt: run?.finishedAt ?? null, purchases: result.purchases ?? 0, evaluation: result.evaluation ?? null };
}

/** A customer's scores, grade, P(alive), CLV, inferred affinities and recommendations (for the profile). */
export async function customerAnalytics(db: Queryable, opts: Ws & { customerId: string }) {
  const ws = opts.workspaceId;
  const { rows } = await db.execute<Record<string, unknown>>(sql`
    select case when m.rfm_r is null then null else ${recencyOf(new Date())} end as rfm_recency_days, rfm_frequency, rfm_monetary, rfm_r, rfm_f, rfm_m, rfm_segment, grade, grade_since,
      expected_purchases, p_alive, clv, churn_risk, churn_flagged_at, scores_updated_at
    from customer_metrics m where workspace_id = ${ws}::uuid and customer_id = ${opts.customerId}::uuid`);
  const m = rows[0];
  const { rows: recs } = await db.execute<{ rank: number; product_id: string; score: number; reasons: string[]; computed_at: Date; sku: string | null; name: string | null; category: string | null; price: number | null; currency: string | null; image_url: string | null }>(sql`
    select r.rank, r.product_id, r.score, r.reasons, r.computed_at, p.sku, p.name, p.category, p.price, p.currency, p.image_url
    from customer_recommendations r left join products p on p.workspace_id = r.workspace_id and p.id = r.product_id
    where r.workspace_id = ${ws}::uuid and r.customer_id = ${opts.customerId}::uuid and (p.deleted_at is null)
    order by r.rank`);
  const { rows: prefs } = await db.execute<{ category: string; weight: number; updated_at: Date }>(sql`
    select category, weight, updated_at from customer_preferences
    where workspace_id = ${ws}::uuid and customer_id = ${opts.customerId}::uuid and source = 'inferred' order by weight desc, category`);
  const settings = await getAnalyticsSettings(db, opts);
  const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
  const affinity = (prefix: string | null) =>
    prefs
      .filter((p) => (prefix ? p.category.startsWith(prefix) : !p.category.includes(':')))
      .map((p) => ({ key: prefix ? p.category.slice(prefix.length) : p.category, weight: Number(p.weight) }));
  return {
    customerId: opts.customerId,
    currency: await currencyOf(db, ws),
    predictionDays: settings.predictionDays,
    clvHorizonDays: settings.clvHorizonDays,
    scores: m
      ? {
          recencyDays: numOrNull(m.rfm_recency_days),
          frequency: numOrNull(m.rfm_frequency),
          monetary: numOrNull(m.rfm_monetary),
          r: numOrNull(m.rfm_r),
          f: numOrNull(m.rfm_f),
          m: numOrNull(m.rfm_m),
          segment: (m.rfm_segment as string | null) ?? null,
          grade: (m.grade as string | null) ?? null,
          gradeSince: iso(m.grade_since),
          expectedPurchases: numOrNull(m.expected_purchases),
          pAlive: numOrNull(m.p_alive),
          clv: numOrNull(m.clv),
          churnRisk: Boolean(m.churn_risk),
          churnFlaggedAt: iso(m.churn_flagged_at),
          updatedAt: iso(m.scores_updated_at),
        }
      : null,
    affinities: { categories: affinity(null), brands: affinity('brand:'), priceBands: affinity('price:') },
    recommendations: recs.map((r) => ({
      rank: num(r.rank),
      productId: r.product_id,
      sku: r.sku,
      name: r.name,
      category: r.category,
      price: numOrNull(r.price),
      currency: r.currency,
      imageUrl: r.image_url,
      score: Number(r.score),
      reasons: r.reasons,
    })),
    recommendationsComputedAt: recs[0] ? new Date(recs[0].computed_at).toISOString() : null,
  };
}
