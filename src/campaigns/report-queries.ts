// What the campaign report reads, in four independent aggregates that run side by side on a
// server (each on its own connection) and one after another on PGlite:
//  - the messages by group, status, reason and what they cost (messages carry their group, so
//    this needs no join with the recipients);
//  - the recipients by group and status, and how many have no message yet;
//  - the goal's conversions per recipient and day within the window;
//  - last-touch orders within the window after a click.
import { sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import type { CampaignRow } from './campaigns.ts';

export type MessageCounts = { variant: string; status: string; reason: string | null; costKey: string; n: number; sent: number; delivered: number; opened: number; clicked: number };
export type RecipientCounts = { variant: string; status: string; n: number; unmade: number };
/** Per group: converted recipients, the sum of their revenue and of its squares (minor units). */
export type ConversionTotals = { variant: string; converted: number; revenue: number; revenueSq: number };
/** Per group and day: recipients converting for the first time that day, and that day's revenue. */
export type ConversionDay = { variant: string; day: string; firstConversions: number; revenue: number };
export type Touches = { variant: string; orders: number; revenue: number };

export type ReportData = { messages: MessageCounts[]; recipients: RecipientCounts[]; conversions: ConversionTotals[]; days: ConversionDay[]; touches: Touches[] };

const num = (v: unknown) => Number(v ?? 0);

/**
 * The goal's conversions within the window per recipient and day (in the workspace's zone):
 * `variant, customer_id, day, revenue`.
 */
function conversionsSql(c: CampaignRow, from: Date, to: Date, scale: number, timeZone: string): SQL {
  const goal = c.goal;
  const ws = sql`${c.workspaceId}::uuid`;
  const recipients = sql`join campaign_recipients r on r.workspace_id = ${ws} and r.campaign_id = ${c.id}::uuid and r.customer_id = x.customer_id`;
  // Orders are the truth for `Order Completed` (whatever way they arrived: events, the API, imports).
  if (goal.event === 'Order Completed' && goal.filters.every((f) => f.property === 'total' && f.op !== 'eq')) {
    const filters = goal.filters.map((f) => (f.op === 'gte' ? sql`and x.total >= ${f.value}` : sql`and x.total <= ${f.value}`));
    return sql`select r.variant, x.customer_id, to_char((x.placed_at at time zone ${timeZone})::date, 'YYYY-MM-DD') as day, sum(x.total - x.refunded_total)::float8 as revenue
      from orders x ${recipients}
      where x.workspace_id = ${ws} and x.status <> 'cancelled' and x.placed_at >= ${from} and x.placed_at < ${to} ${sql.join(filters, sql` `)}
      group by 1, 2, 3`;
  }
  const prop = (p: string) => sql`(case when jsonb_typeof(x.properties->${p}) = 'number' then (x.properties->>${p})::numeric end)`;
  const filters = goal.filters.map((f) =>
    f.op === 'eq' ? sql`and x.properties->>${f.property} = ${String(f.value)}` : f.op === 'gte' ? sql`and ${prop(f.property)} >= ${f.value}` : sql`and ${prop(f.property)} <= ${f.value}`,
  );
  // Event properties carry amounts in major units (₩, $); the report, like the rest of the API, in minor units.
  return sql`select r.variant, x.customer_id, to_char((x.timestamp at time zone ${timeZone})::date, 'YYYY-MM-DD') as day,
      (coalesce(sum(coalesce(${prop('revenue')}, ${prop('total')}, ${prop('value')}, 0)), 0) * ${scale})::float8 as revenue
    from events x ${recipients}
    where x.workspace_id = ${ws} and x.name = ${goal.event} and x.timestamp >= ${from} and x.timestamp < ${to} ${sql.join(filters, sql` `)}
    group by 1, 2, 3`;
}

/** One statement in its own transaction (its own connection on a server), without JIT: compiling these one-off aggregates costs more than it saves. */
async function run(db: Queryable, query: SQL): Promise<Record<string, unknown>[]> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('jit', 'off', true), set_config('work_mem', '64MB', true), set_config('max_parallel_workers_per_gather', '0', true)`);
    return (await tx.execute<Record<string, unknown>>(query)).rows;
  });
}

export async function readReportData(db: Queryable, c: CampaignRow, opts: { from: Date | null; to: Date | null; scale: number; timeZone: string }): Promise<ReportData> {
  const ws = sql`${c.workspaceId}::uuid`;
  const ofCampaign = sql`m.workspace_id = ${ws} and m.origin = 'campaign' and m.origin_id = ${c.id}::uuid`;
  const { from, to } = opts;
  const [messages, recipients, conversions, touches] = await Promise.all([
    run(
      db,
      sql`select m.origin_group as variant, m.status, m.reason,
          case when m.kind in ('sms', 'kakao') then coalesce(m.content->>'type', m.kind) else m.kind end as cost_key,
          count(*)::int as n, count(m.sent_at)::int as sent, count(m.delivered_at)::int as delivered, count(m.opened_at)::int as opened, count(m.clicked_at)::int as clicked
        from messages m where ${ofCampaign} group by 1, 2, 3, 4`,
    ),
    run(
      db,
      sql`select variant, status, count(*)::int as n, count(*) filter (where status = 'pending' and seq > ${c.enqueuedSeq})::int as unmade
        from campaign_recipients where workspace_id = ${ws} and campaign_id = ${c.id}::uuid group by 1, 2`,
    ),
    from && to
      ? run(
          db,
          sql`with conv_day as materialized (${conversionsSql(c, from, to, opts.scale, opts.timeZone)}),
            conv as (select variant, customer_id, sum(revenue) as revenue, min(day) as first_day from conv_day group by 1, 2)
          select 'total' as part, variant, null as day, count(*)::int as n, coalesce(sum(revenue), 0)::float8 as revenue, coalesce(sum(revenue * revenue), 0)::float8 as revenue_sq
          from conv group by 2
          union all
          select 'first', variant, first_day, count(*)::int, null, null from conv group by 2, 3
          union all
          select 'day', variant, day, null, sum(revenue)::float8, null from conv_day group by 2, 3`,
        )
      : Promise.resolve([]),
    run(
      db,
      sql`select m.origin_group as variant, count(distinct o.id)::int as orders, coalesce(sum(o.total - o.refunded_total), 0)::float8 as revenue
        from messages m
        join orders o on o.workspace_id = ${ws} and o.customer_id = m.customer_id and o.status <> 'cancelled'
          and o.placed_at >= m.clicked_at and o.placed_at < m.clicked_at + ${`${c.goal.windowDays} days`}::interval
          ${from ? sql`and o.placed_at >= ${from}` : sql``}
        where ${ofCampaign} and m.clicked_at is not null
        group by 1`,
    ),
  ]);
  return {
    messages: messages.map((r) => ({
      variant: String(r.variant ?? ''),
      status: String(r.status),
      reason: (r.reason as string | null) ?? null,
      costKey: String(r.cost_key ?? ''),
      n: num(r.n),
      sent: num(r.sent),
      delivered: num(r.delivered),
      opened: num(r.opened),
      clicked: num(r.clicked),
    })),
    recipients: recipients.map((r) => ({ variant: String(r.variant), status: String(r.status), n: num(r.n), unmade: num(r.unmade) })),
    conversions: conversions.filter((r) => r.part === 'total').map((r) => ({ variant: String(r.variant), converted: num(r.n), revenue: num(r.revenue), revenueSq: num(r.revenue_sq) })),
    days: [
      ...conversions.filter((r) => r.part === 'first').map((r) => ({ variant: String(r.variant), day: String(r.day), firstConversions: num(r.n), revenue: 0 })),
      ...conversions.filter((r) => r.part === 'day').map((r) => ({ variant: String(r.variant), day: String(r.day), firstConversions: 0, revenue: num(r.revenue) })),
    ],
    touches: touches.map((r) => ({ variant: String(r.variant ?? ''), orders: num(r.orders), revenue: num(r.revenue) })),
  };
}
