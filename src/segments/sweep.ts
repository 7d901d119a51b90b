// The sweep's incremental form. A segment whose conditions read the clock ("viewed in the last 30
// days", "not seen for 30 days", "signed up in the last week") changes with time alone, and the
// sweep catches that every minute. New data is evaluated live when it arrives; between two sweeps
// only the customers with a time under a condition's moving edge can change: events, orders or
// times that left a window (or came of age for a first/last condition) since the last sweep,
// and the rows dated ahead of their arrival that a window has just reached. sweepPlan names
// those customers, as queries, so a sweep re-evaluates them and not every customer (at 1M
// customers a full recompute of a behavioural segment takes seconds, every minute, holding the
// segment's lock against live updates).
import { sql, type SQL } from 'drizzle-orm';
import { utcDay } from './compile.ts';
import { ATTRIBUTE_PREFIX, METRIC_FIELDS, PROFILE_FIELDS, walk, type SegmentDefinition, type Within } from './definition.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** Past this gap since the last sweep (a worker that was down), a full recompute is simpler and not dearer. */
export const SWEEP_INCREMENTAL_MAX_MS = 6 * 3_600_000;

export type SweepPlan = { full: true; reason: string } | { full: false; candidates: SQL[] };

/** A span back from now: [from − span, to − span], the times a moving window's edge passed. */
type Slice = { from: Date; to: Date };

const spanOf = (within: Within) => ('minutes' in within ? within.minutes * MINUTE : 'hours' in within ? within.hours * 3_600_000 : within.days * DAY);

/** Profile times a person or an import may set ahead of today (created_at and updated_at are the database's now). */
const FUTURE_PROFILE_TIMES = new Set(['signed_up_at']);
/** Metric times moved by events and orders, which may be dated ahead of their arrival. */
const FUTURE_METRIC_TIMES = new Set(['first_seen_at', 'last_seen_at', 'first_order_at', 'last_order_at']);

/**
 * Which customers' membership can have changed between `from` (the time the segment's membership
 * is computed for) and `to` with no new data, as queries of `customer_id`s (a superset: evaluating
 * a customer whose membership holds changes nothing). `full` when that is not known cheaply: a
 * condition on calendar days (birthdays, dates, custom attributes) when the day (UTC) changed, an
 * event condition on any event name, or a gap longer than SWEEP_INCREMENTAL_MAX_MS.
 */
export function sweepPlan(def: SegmentDefinition, opts: { workspaceId: string; from: Date; to: Date }): SweepPlan {
  const { from, to } = opts;
  if (to.getTime() < from.getTime()) return { full: true, reason: 'the clock went back' };
  if (to.getTime() - from.getTime() > SWEEP_INCREMENTAL_MAX_MS) return { full: true, reason: 'long since the last sweep' };
  const sameDay = utcDay(from) === utcDay(to);
  const ws = sql`${opts.workspaceId}::uuid`;
  const at = (d: Date) => sql`${d.toISOString()}::timestamptz`;
  const back = (span: number): Slice => ({ from: new Date(from.getTime() - span), to: new Date(to.getTime() - span) });
  const between = (col: SQL, s: Slice) => sql`${col} between ${at(s.from)} and ${at(s.to)}`;
  const now: Slice = { from, to };
  // Events dated ahead of their arrival that a window's upper edge (now) has reached: the live
  // update at their arrival did not count them yet (drizzle/0008 indexes only those).
  const futureEvents = (name: string | undefined) =>
    sql`select customer_id from events where workspace_id = ${ws} and timestamp > received_at and ${between(sql`timestamp`, now)} and customer_id is not null${
      name === undefined ? sql`` : sql` and name = ${name}::text`
    }`;
  const orders = (slices: Slice[]) =>
    sql`select customer_id from orders where workspace_id = ${ws} and customer_id is not null and (${sql.join(
      slices.map((s) => between(sql`placed_at`, s)),
      sql` or `,
    )})`;

  const candidates: SQL[] = [];
  let full: string | undefined;
  const dayBased = (what: string) => {
    if (!sameDay) full ??= `${what} counts calendar days and the day changed`;
  };
  walk(def, (leaf) => {
    switch (leaf.type) {
      case 'attribute':
      case 'metric': {
        if (leaf.op === 'anniversary_within_days') return dayBased(leaf.field);
        if (leaf.op !== 'within_last_days') return;
        // Within the last N days: (now − N days, now] for a time, calendar days for a date.
        const kind = leaf.type === 'metric' ? METRIC_FIELDS[leaf.field] : leaf.field.startsWith(ATTRIBUTE_PREFIX) ? 'custom' : PROFILE_FIELDS[leaf.field as keyof typeof PROFILE_FIELDS];
        if (kind !== 'time') return dayBased(leaf.field);
        const col = sql.raw(leaf.field); // a known field name (checked by the validator), not user text
        const edge = back((leaf.value as number) * DAY);
        if (leaf.type === 'attribute') {
          const slices = FUTURE_PROFILE_TIMES.has(leaf.field) ? sql`(${between(col, edge)} or ${between(col, now)})` : between(col, edge);
          candidates.push(sql`select id as customer_id from customers where workspace_id = ${ws} and deleted_at is null and ${slices}`);
        } else {
          // One read of the table for a field without an index (last_seen_at: an index on it
          // would make every event's metrics update a non-HOT one, see drizzle/0011).
          candidates.push(sql`select customer_id from customer_metrics where workspace_id = ${ws} and ${between(col, edge)}`);
          if (FUTURE_METRIC_TIMES.has(leaf.field)) candidates.push(futureEvents(undefined), orders([now]));
        }
        return;
      }
      case 'event': {
        const slices: Slice[] = [];
        if (leaf.within) slices.push(back(spanOf(leaf.within)));
        for (const t of [leaf.first, leaf.last]) if (t && 'days_ago' in t) slices.push(back(t.days_ago * DAY));
        if (slices.length === 0 && !leaf.within) return;
        // Without a name the events of a time range have no index to be found by.
        if (leaf.name === undefined) {
          full ??= 'an event condition on any event reads the clock';
          return;
        }
        if (slices.length) {
          candidates.push(
            sql`select customer_id from events where workspace_id = ${ws} and name = ${leaf.name}::text and customer_id is not null and (${sql.join(
              slices.map((s) => between(sql`timestamp`, s)),
              sql` or `,
            )})`,
          );
        }
        if (leaf.within) candidates.push(futureEvents(leaf.name));
        return;
      }
      case 'orders':
        if (leaf.within) candidates.push(orders([back(spanOf(leaf.within)), now]));
        return;
      default:
        return;
    }
  });
  if (full) return { full: true, reason: full };
  return { full: false, candidates };
}
