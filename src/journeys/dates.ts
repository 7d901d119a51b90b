// Date triggers: each year, `daysBefore` days before the customer's date (birthday, sign-up
// anniversary, a custom date attribute) and from `hour` on in their time zone (the workspace's
// when they have none), the customer enters. A job every 15 minutes looks; the entry key names
// the field, the year of the date and the customer, so a customer enters once a year however often it looks. Someone born
// on 29 February is celebrated on the 28th in other years.
import { sql, type SQL } from 'drizzle-orm';
import { clock } from '../clock.ts';
import type { Queryable } from '../db/connection.ts';
import { isTimeZone } from '../messaging/quiet-hours.ts';
import { getWorkspace } from '../workspaces/workspaces.ts';
import { DAY_MS, type JourneyTrigger } from './graph.ts';
import { enterRuns, liveJourneys, type LiveJourney } from './entry.ts';
import { wakeJourneys } from './listen.ts';

export const JOURNEYS_DATES_JOB = 'journeys.dates';

type DateTrigger = Extract<JourneyTrigger, { type: 'date' }>;

/** The customer's date of this field, as SQL over `customers c` (null when they have none). */
function dateOf(field: string): SQL {
  if (field === 'birthday') return sql`c.birthday`;
  if (field === 'signed_up') return sql`c.signed_up_at::date`;
  const key = field.slice('attributes.'.length);
  // Only well-formed dates count; anything else in the attribute is not a date to celebrate.
  return sql`case when c.attributes->>${key} ~ '^\\d{4}-\\d{2}-\\d{2}' then left(c.attributes->>${key}, 10)::date end`;
}

/** Local calendar date and hour at `now` in `timeZone`. Pure. */
export function localDateHour(now: Date, timeZone: string): { date: string; hour: number } {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return { date: `${get('year')}-${get('month')}-${get('day')}`, hour: Number(get('hour')) };
}

/** The month-days that fall on `date` (YYYY-MM-DD): the day itself, and 29 February on the 28th of a common year. */
export function monthDaysOn(date: string): string[] {
  const md = date.slice(5);
  const year = Number(date.slice(0, 4));
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return md === '02-28' && !leap ? ['02-28', '02-29'] : [md];
}

/** Enters the customers whose date comes round now in every active date-triggered journey of the workspace. */
export async function enterByDates(db: Queryable, opts: { workspaceId: string; now?: Date }): Promise<{ entered: number }> {
  const now = opts.now ?? clock.now();
  const journeys = (await liveJourneys(db, opts.workspaceId)).filter((j): j is LiveJourney & { definition: { trigger: DateTrigger } } => j.definition.trigger.type === 'date');
  if (journeys.length === 0) return { entered: 0 };
  const workspace = await getWorkspace(db, opts.workspaceId);
  const wsZone = workspace?.timeZone ?? 'Asia/Seoul';
  const ws = sql`${opts.workspaceId}::uuid`;
  const { rows: zoneRows } = await db.execute<{ time_zone: string | null }>(sql`select distinct time_zone from customers where workspace_id = ${ws} and deleted_at is null`);
  const zones = [...new Set([wsZone, ...zoneRows.map((z) => z.time_zone).filter((z): z is string => isTimeZone(z))])];
  let entered = 0;
  for (const j of journeys) {
    const t = j.definition.trigger;
    // Per zone: the local day `daysBefore` ahead, if the local hour has come.
    const due: { zone: string; target: string }[] = [];
    for (const zone of zones) {
      const local = localDateHour(now, zone);
      if (local.hour < t.hour) continue;
      due.push({ zone, target: new Date(Date.parse(`${local.date}T00:00:00Z`) + t.daysBefore * DAY_MS).toISOString().slice(0, 10) });
    }
    if (due.length === 0) continue;
    const zoneOf = sql`case when c.time_zone = any(${sql.param(zones)}::text[]) then c.time_zone else ${wsZone} end`;
    const conds = due.map(
      (d) => sql`(${zoneOf} = ${d.zone} and to_char(${dateOf(t.field)}, 'MM-DD') = any(${sql.param(monthDaysOn(d.target))}::text[])
        and ${dateOf(t.field)} < ${d.target}::date)`,
    );
    const { rows } = await db.execute<{ id: string; target: string }>(sql`
      select c.id, t.target from customers c
      join (select unnest(${sql.param(due.map((d) => d.zone))}::text[]) as zone, unnest(${sql.param(due.map((d) => d.target))}::text[]) as target) t on t.zone = ${zoneOf}
      where c.workspace_id = ${ws} and c.deleted_at is null and c.merged_into_id is null and (${sql.join(conds, sql` or `)})`);
    const made = await enterRuns(db, {
      workspaceId: opts.workspaceId,
      journey: j,
      entries: rows.map((r) => ({ customerId: r.id, entryKey: `date:${t.field}:${String(r.target).slice(0, 4)}:${r.id}`, data: { date_field: t.field, date: String(r.target).slice(0, 10) } })),
      now,
    });
    entered += made.length;
  }
  if (entered) await wakeJourneys(db, opts.workspaceId);
  return { entered };
}

/** The hourly job: every workspace with an active date-triggered journey. */
export async function runDatesJob(db: Queryable, job: { workspaceId: string | null }, now: Date = clock.now()): Promise<{ workspaces: number; entered: number }> {
  const ids = job.workspaceId
    ? [job.workspaceId]
    : (
        await db.execute<{ workspace_id: string }>(sql`
          select distinct j.workspace_id from journeys j
          join journey_versions v on v.workspace_id = j.workspace_id and v.journey_id = j.id and v.version = j.version
          where j.status = 'active' and v.definition->'trigger'->>'type' = 'date'`)
      ).rows.map((r) => r.workspace_id);
  let entered = 0;
  for (const workspaceId of ids) entered += (await db.transaction((tx) => enterByDates(tx, { workspaceId, now }))).entered;
  return { workspaces: ids.length, entered };
}
