// The churn early warning of a scores run (scores.ts): the flag, its priority, and an event on
// the timeline of each newly flagged customer.
import { sql } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import { recordObservedEvents } from '../events/observed-events.ts';
import { recencyOf } from './rfm-scores.ts';
import type { AnalyticsSettings } from './settings.ts';

export const CHURN_RISK_EVENT = 'Churn Risk Flagged';

/**
 * The churn early warning: buyers whose P(alive) fell below the workspace threshold, or whose
 * last order is older than its recency threshold. Priority = CLV weighted by grade (top grade
 * first). Newly flagged customers get a `Churn Risk Flagged` event.
 */
export async function flagChurnRisk(db: Queryable, opts: { workspaceId: string; asOf: Date; settings: AnalyticsSettings; touched: boolean; count: boolean }) {
  const ws = opts.workspaceId;
  const now = opts.asOf.toISOString();
  const levels = opts.settings.grades.length;
  const gradeWeight = levels
    ? sql`case m.grade ${sql.join(opts.settings.grades.map((g, i) => sql`when ${g.name}::text then ${levels - i}`), sql` `)} else 0 end`
    : sql`0`;
  const { rows } = await db.execute<{ customer_id: string; flagged: boolean; newly: boolean; p_alive: number | null; clv: number | null; grade: string | null; recency: number | null }>(sql`
    with n as (
      select m.customer_id,
        (m.order_count > 0 and ((m.p_alive is not null and m.p_alive < ${opts.settings.churnPAlive}) or ${recencyOf(opts.asOf)} > ${opts.settings.churnRecencyDays})) as risk,
        (1 + ${gradeWeight}) * (1 + coalesce(m.clv, m.total_spend, 0)::float8) as priority,
        m.churn_risk as was
      from customer_metrics m
      join customers c on c.workspace_id = m.workspace_id and c.id = m.customer_id and c.deleted_at is null
      where m.workspace_id = ${ws}::uuid
        ${opts.touched ? sql`and m.customer_id in (select customer_id from scores_touched)` : sql``}
    )
    update customer_metrics m set
      churn_risk = n.risk,
      churn_flagged_at = case when n.risk and not n.was then ${now}::timestamptz when n.risk then m.churn_flagged_at else null end,
      churn_priority = case when n.risk then n.priority else null end
    from n
    where m.workspace_id = ${ws}::uuid and m.customer_id = n.customer_id
      and (m.churn_risk is distinct from n.risk or (n.risk and m.churn_priority is distinct from n.priority))
    returning m.customer_id, n.risk as flagged, (n.risk and not n.was) as newly, m.p_alive, m.clv, m.grade, ${recencyOf(opts.asOf)} as recency`);
  const newly = rows.filter((r) => r.newly);
  const timestamp = opts.asOf.toISOString();
  await recordObservedEvents(db, {
    workspaceId: ws,
    name: CHURN_RISK_EVENT,
    source: 'analytics',
    events: newly.map((r) => ({
      messageId: `churn-risk:${r.customer_id}:${now.slice(0, 10)}`,
      customerId: r.customer_id,
      properties: {
        p_alive: r.p_alive,
        clv: r.clv === null ? null : Number(r.clv),
        grade: r.grade,
        days_since_last_order: r.recency,
        reason: r.p_alive !== null && r.p_alive < opts.settings.churnPAlive ? 'p_alive' : 'recency',
      },
      timestamp,
    })),
  });
  // The customers at risk in all, once (by the last chunk of an incremental run).
  if (!opts.count) return { atRisk: 0, newlyFlagged: newly.length };
  const { rows: count } = await db.execute<{ n: number }>(sql`select count(*)::int as n from customer_metrics where workspace_id = ${ws}::uuid and churn_risk`);
  return { atRisk: Number(count[0]?.n ?? 0), newlyFlagged: newly.length };
}
