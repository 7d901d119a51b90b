// What messaging did over a range of days: sent, delivered, opened, clicked, bounced, suppressed
// and failed messages, by channel kind and by day in the workspace's time zone. Each message
// counts once per outcome, on the day the outcome happened (a message sent on Monday and opened
// on Tuesday is Monday's send and Tuesday's open).
import { sql } from 'drizzle-orm';
import { clock } from '../clock.ts';
import type { Queryable } from '../db/connection.ts';
import { requireCalendarDate } from '../dates.ts';
import { AppError } from '../errors.ts';
import { getWorkspace } from '../workspaces/workspaces.ts';
import { CHANNEL_KINDS, type ChannelKind } from './types.ts';

export const OUTCOMES = ['sent', 'delivered', 'opened', 'clicked', 'bounced', 'suppressed', 'failed'] as const;
type Outcome = (typeof OUTCOMES)[number];
type Counts = Record<Outcome, number>;

export type MessagingStats = {
  from: string;
  to: string;
  timeZone: string;
  totals: Counts;
  byChannel: ({ kind: ChannelKind } & Counts)[];
  byDay: ({ day: string } & Counts)[];
};

const MAX_DAYS = 366;
const DAY_MS = 86_400_000;

const zero = (): Counts => ({ sent: 0, delivered: 0, opened: 0, clicked: 0, bounced: 0, suppressed: 0, failed: 0 });

/** The calendar day of `at` in `timeZone`, as YYYY-MM-DD. */
export function dayIn(timeZone: string, at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** The calendar day `n` days after a YYYY-MM-DD day. */
export const addDays = (day: string, n: number): string => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

/** `from`/`to` (inclusive days); by default the last 30 days up to today in the workspace's time zone. */
export async function messagingStats(db: Queryable, opts: { workspaceId: string; from?: string; to?: string }): Promise<MessagingStats> {
  const workspace = await getWorkspace(db, opts.workspaceId);
  const timeZone = workspace?.timeZone ?? 'Asia/Seoul';
  const to = opts.to === undefined ? dayIn(timeZone, clock.now()) : requireCalendarDate(opts.to, 'query.to');
  const from = opts.from === undefined ? addDays(to, -29) : requireCalendarDate(opts.from, 'query.from');
  const days = Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS) + 1;
  if (days < 1) throw new AppError('invalid_input', `query.to: ${to} is before query.from ${from}`);
  if (days > MAX_DAYS) throw new AppError('invalid_input', `query.from: a range of at most ${MAX_DAYS} days (this one has ${days})`);

  // Day bounds in the workspace's zone, computed by the database (it knows the zone's rules).
  const start = sql`(${from}::date)::timestamp at time zone ${timeZone}`;
  const end = sql`(${addDays(to, 1)}::date)::timestamp at time zone ${timeZone}`;
  const ws = opts.workspaceId;
  const stamp = (column: string, outcome: Outcome) => sql`
    select kind, ${outcome}::text as outcome, ${sql.raw(column)} as at, id as message_id from messages
    where workspace_id = ${ws}::uuid and ${sql.raw(column)} >= ${start} and ${sql.raw(column)} < ${end}`;
  const { rows } = await db.execute<{ day: string; kind: string; outcome: Outcome; n: number }>(sql`
    select to_char((e.at at time zone ${timeZone})::date, 'YYYY-MM-DD') as day, e.kind, e.outcome, count(distinct e.message_id)::int as n
    from (
      ${stamp('sent_at', 'sent')}
      union all ${stamp('delivered_at', 'delivered')}
      union all ${stamp('opened_at', 'opened')}
      union all ${stamp('clicked_at', 'clicked')}
      union all
      select m.kind, h.status as outcome, h.at, h.message_id
      from message_status_history h
      join messages m on m.workspace_id = h.workspace_id and m.id = h.message_id
      where h.workspace_id = ${ws}::uuid and h.status in ('bounced', 'suppressed', 'failed') and h.at >= ${start} and h.at < ${end}
    ) e
    group by 1, 2, 3`);

  const totals = zero();
  const byKind = new Map<string, Counts>(CHANNEL_KINDS.map((k) => [k, zero()]));
  const byDay = new Map<string, Counts>();
  for (let i = 0; i < days; i++) byDay.set(addDays(from, i), zero());
  for (const r of rows) {
    const n = Number(r.n);
    totals[r.outcome] += n;
    const k = byKind.get(r.kind);
    if (k) k[r.outcome] += n;
    const d = byDay.get(r.day);
    if (d) d[r.outcome] += n;
  }
  return {
    from,
    to,
    timeZone,
    totals,
    byChannel: [...byKind].map(([kind, c]) => ({ kind: kind as ChannelKind, ...c })),
    byDay: [...byDay].map(([day, c]) => ({ day, ...c })),
  };
}
