// The event explorer's reads: the event list and its live "newer than" stream, one event with
// its customer, the event names in use, and the volume of one name per hour or day.
//
// Events are listed newest-received first, by id: ids are UUIDv7 minted on arrival, so the
// primary key (workspace_id, id) orders the stream without a sort, and an event sent late (a
// phone coming back online, a back-fill) still shows up in the live stream when it arrives.
import { and, desc, eq, gt, gte, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { getCustomerRow, toCustomer, type Customer } from '../customers/customers.ts';
import { findCustomerIdByIdentity } from '../customers/identities.ts';
import { containsEmail, maskPersonalData, maskText } from '../customers/personal-data.ts';
import { getWorkspace } from '../workspaces/workspaces.ts';
import { events } from './schema.ts';
import { EVENT_TYPES, type EventType } from './types.ts';

export type EventFilter = {
  type?: EventType;
  name?: string;
  customerId?: string;
  anonymousId?: string;
  /** Event time (`timestamp`), inclusive. */
  from?: Date;
  /** Event time, exclusive. */
  to?: Date;
};

export type EventSummary = {
  id: string;
  type: EventType;
  name: string | null;
  customerId: string | null;
  anonymousId: string | null;
  userId: string | null;
  sessionId: string | null;
  properties: Record<string, unknown>;
  timestamp: string;
  receivedAt: string;
};

/** Who a listed event belongs to, enough to name them (e-mail masked without pii.read). */
export type CustomerRef = { id: string; name: string | null; email: string | null; externalId: string | null };
export type ListedEvent = EventSummary & { customer: CustomerRef | null };

export type EventDetail = EventSummary & {
  messageId: string;
  context: Record<string, unknown>;
  /** The customer the event belongs to, if known and still there (merged or deleted: null). */
  customer: Customer | null;
};

export type EventPage = {
  items: ListedEvent[];
  /** Older events: pass as `cursor`. */
  nextCursor: string | null;
  /** Newer events from now on: pass as `after` (the live stream). */
  streamCursor: string;
  /** A stream answer had more new events than `limit`: the oldest of them were left out. */
  truncated: boolean;
};

/**
 * How long after its id was minted an event may still become visible (the ingesting
 * transaction commits after the id is made). The stream looks back this far on every poll, so
 * no event is missed; the client drops the ones it already has by id.
 */
export const STREAM_LOOKBACK_MS = 10_000;

// ---- pure helpers ----------------------------------------------------------------------------

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The smallest UUIDv7 of millisecond `ms`: every id minted at or after `ms` sorts above it. */
export function uuidv7Floor(ms: number): string {
  const hex = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0').slice(-12);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-000000000000`;
}

type CursorKind = 'before' | 'after';

export function encodeEventCursor(kind: CursorKind, id: string): string {
  return Buffer.from(JSON.stringify({ [kind]: id })).toString('base64url');
}

export function decodeEventCursor(kind: CursorKind, raw: string, field: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Record<string, unknown>;
    const id = parsed[kind];
    if (typeof id === 'string' && UUID.test(id)) return id;
  } catch {
    /* fall through */
  }
  const other = kind === 'before' ? 'streamCursor as `after`' : 'nextCursor as `cursor`';
  throw new AppError('invalid_input', `${field}: is not a cursor of this list (pass nextCursor as \`cursor\` and ${other}, as given)`);
}

/**
 * Properties or context as a role without `pii.read` may see them: personal keys (e-mail,
 * phone, names of people, addresses, IP, user agent, everything under `traits`) masked at any
 * depth, and e-mail addresses and phone numbers found elsewhere masked too (the one detector,
 * src/customers/personal-data.ts). `traits`: the data is the traits of an identify or group
 * call, where `name` is a person's; in the properties of a track, page or screen call `name` is
 * a product's or a page's.
 */
export function maskEventData(data: Record<string, unknown>, opts: { pii: boolean; traits: boolean }): Record<string, unknown> {
  if (opts.pii) return data;
  return maskPersonalData(data, { traits: opts.traits });
}

export const carriesTraits = (type: string) => type === 'identify' || type === 'group';

/** A user id that is an e-mail address is personal data too. */
export function maskUserId(userId: string | null, pii: boolean): string | null {
  if (pii || !userId || !containsEmail(userId)) return userId;
  return maskText(userId);
}

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}

// ---- queries ---------------------------------------------------------------------------------

type EventRow = typeof events.$inferSelect;

function toSummary(row: EventRow, pii: boolean): EventSummary {
  return {
    id: row.id,
    type: row.type as EventType,
    name: row.name,
    customerId: row.customerId,
    anonymousId: row.anonymousId,
    userId: maskUserId(row.userId, pii),
    sessionId: row.sessionId,
    properties: maskEventData(row.properties, { pii, traits: carriesTraits(row.type) }),
    timestamp: row.timestamp.toISOString(),
    receivedAt: row.receivedAt.toISOString(),
  };
}

/** The customers of a page of events, one lookup per distinct customer (a page holds at most 200 events). */
async function withCustomers(db: Queryable, workspaceId: string, rows: EventRow[], pii: boolean): Promise<ListedEvent[]> {
  const ids = [...new Set(rows.flatMap((r) => (r.customerId ? [r.customerId] : [])))];
  const found = await Promise.all(ids.map((id) => getCustomerRow(db, { workspaceId, id })));
  const refs = new Map<string, CustomerRef>();
  for (const row of found) {
    if (!row || row.mergedIntoId) continue;
    const c = toCustomer(row, { pii });
    refs.set(c.id, { id: c.id, name: c.name, email: c.email, externalId: c.externalId });
  }
  return rows.map((r) => ({ ...toSummary(r, pii), customer: (r.customerId && refs.get(r.customerId)) || null }));
}

async function filterConditions(db: Queryable, workspaceId: string, f: EventFilter): Promise<SQL[]> {
  if (f.from && f.to && f.from.getTime() >= f.to.getTime()) throw new AppError('invalid_input', 'query.to: must be later than query.from');
  const conditions: SQL[] = [eq(events.workspaceId, workspaceId)];
  if (f.type) conditions.push(eq(events.type, f.type));
  if (f.name) conditions.push(eq(events.name, f.name));
  if (f.customerId) conditions.push(eq(events.customerId, f.customerId));
  if (f.anonymousId) {
    // A visitor's events are either nobody's yet (the partial anonymous-id index) or, once
    // stitching claimed them, the customer's who holds the anonymous id (the customer index):
    // asking for both lets each index answer instead of a scan of the whole stream.
    const owner = await findCustomerIdByIdentity(db, { workspaceId, kind: 'anonymous_id', value: f.anonymousId });
    const unclaimed = and(isNull(events.customerId), eq(events.anonymousId, f.anonymousId))!;
    conditions.push(owner ? or(unclaimed, and(eq(events.customerId, owner), eq(events.anonymousId, f.anonymousId)))! : unclaimed);
  }
  if (f.from) conditions.push(gte(events.timestamp, f.from));
  if (f.to) conditions.push(lt(events.timestamp, f.to));
  return conditions;
}

/** The next stream cursor: never behind the last one, and looking back far enough to miss nothing. */
function nextStreamCursor(now: number, after?: string): string {
  const floor = uuidv7Floor(now - STREAM_LOOKBACK_MS);
  return encodeEventCursor('after', after && after > floor ? after : floor);
}

/** Newest received first, `limit` at a time; `cursor` (a nextCursor) continues with older ones. */
export async function listEvents(
  db: Queryable,
  opts: { workspaceId: string; filter: EventFilter; limit: number; cursor?: string; pii: boolean; now: number },
): Promise<EventPage> {
  const conditions = await filterConditions(db, opts.workspaceId, opts.filter);
  if (opts.cursor) conditions.push(lt(events.id, decodeEventCursor('before', opts.cursor, 'query.cursor')));
  const rows = await db
    .select()
    .from(events)
    .where(and(...conditions))
    .orderBy(desc(events.id))
    .limit(opts.limit + 1);
  const page = rows.slice(0, opts.limit);
  return {
    items: await withCustomers(db, opts.workspaceId, page, opts.pii),
    nextCursor: rows.length > opts.limit ? encodeEventCursor('before', page.at(-1)!.id) : null,
    streamCursor: nextStreamCursor(opts.now),
    truncated: false,
  };
}

/**
 * The live stream: events received after `after` (a streamCursor), newest first. When more than
 * `limit` arrived, the newest `limit` come and `truncated` says some were skipped. The answer
 * may repeat events of the last few seconds (see STREAM_LOOKBACK_MS); ids tell them apart.
 */
export async function streamEvents(
  db: Queryable,
  opts: { workspaceId: string; filter: EventFilter; limit: number; after: string; pii: boolean; now: number },
): Promise<EventPage> {
  const after = decodeEventCursor('after', opts.after, 'query.after');
  const rows = await db
    .select()
    .from(events)
    .where(and(...(await filterConditions(db, opts.workspaceId, opts.filter)), gt(events.id, after)))
    .orderBy(desc(events.id))
    .limit(opts.limit + 1);
  const page = rows.slice(0, opts.limit);
  return {
    items: await withCustomers(db, opts.workspaceId, page, opts.pii),
    nextCursor: null,
    streamCursor: nextStreamCursor(opts.now, after),
    truncated: rows.length > opts.limit,
  };
}

/** One event with its context and the customer it belongs to. */
export async function getEvent(db: Queryable, opts: { workspaceId: string; id: string; pii: boolean }): Promise<EventDetail> {
  const [row] = await db
    .select()
    .from(events)
    .where(and(eq(events.workspaceId, opts.workspaceId), eq(events.id, opts.id)))
    .limit(1);
  if (!row) throw new AppError('not_found', `event ${opts.id} not found`);
  const customer = row.customerId ? await getCustomerRow(db, { workspaceId: opts.workspaceId, id: row.customerId }) : undefined;
  return {
    ...toSummary(row, opts.pii),
    messageId: row.messageId,
    context: maskEventData(row.context, { pii: opts.pii, traits: false }),
    customer: customer && !customer.mergedIntoId ? toCustomer(customer, { pii: opts.pii }) : null,
  };
}

export type EventName = { name: string; count: number; lastSeenAt: string };

/** Distinct names listed at most; a sender that puts ids in names cannot make the answer huge. */
export const MAX_EVENT_NAMES = 500;
/**
 * Counts stop here per name ("10,000+"): the list is for choosing, the volume chart for counting.
 * With the cap, a million events under a thousand names list in about 40 ms on PostgreSQL.
 */
export const NAME_COUNT_CAP = 10_000;

/**
 * Every event name in use with how often it occurred since `since` (capped at NAME_COUNT_CAP)
 * and when it was last seen, most frequent first. Reads only the (workspace, name, timestamp)
 * index: one probe per distinct name (a skip scan), then a bounded count per name.
 */
export async function listEventNames(db: Queryable, opts: { workspaceId: string; since: Date }): Promise<{ items: EventName[]; truncated: boolean; countCap: number }> {
  const ws = opts.workspaceId;
  const { rows } = await db.execute<{ name: string; count: number; last_seen_at: string | Date }>(sql`
    with recursive names(name) as (
      (select name from ${events} where workspace_id = ${ws} and name is not null order by name limit 1)
      union all
      select (select e.name from ${events} e where e.workspace_id = ${ws} and e.name > n.name order by e.name limit 1)
      from names n where n.name is not null
    ),
    listed as (select name from names where name is not null limit ${MAX_EVENT_NAMES + 1})
    select l.name,
      (select count(*)::int from (select 1 from ${events} e where e.workspace_id = ${ws} and e.name = l.name and e.timestamp >= ${opts.since.toISOString()}::timestamptz limit ${NAME_COUNT_CAP}) c) as count,
      (select max(e.timestamp) from ${events} e where e.workspace_id = ${ws} and e.name = l.name) as last_seen_at
    from listed l`);
  const items = rows.slice(0, MAX_EVENT_NAMES).map((r) => ({ name: r.name, count: Number(r.count), lastSeenAt: new Date(r.last_seen_at).toISOString() }));
  items.sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { items, truncated: rows.length > MAX_EVENT_NAMES, countCap: NAME_COUNT_CAP };
}

export const VOLUME_INTERVALS = ['hour', 'day'] as const;
export type VolumeInterval = (typeof VOLUME_INTERVALS)[number];

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Longest range per interval: a month of hours, a bit over a year of days. */
export const MAX_VOLUME_RANGE_MS: Record<VolumeInterval, number> = { hour: 31 * DAY_MS, day: 400 * DAY_MS };
const DEFAULT_VOLUME_RANGE_MS: Record<VolumeInterval, number> = { hour: DAY_MS, day: 30 * DAY_MS };

/** The range a volume query covers: defaults to the last day (hours) or 30 days (days); bounded. */
export function volumeRange(interval: VolumeInterval, now: number, from?: Date, to?: Date): { from: Date; to: Date } {
  const end = to ?? (from ? new Date(Math.min(now, from.getTime() + DEFAULT_VOLUME_RANGE_MS[interval])) : new Date(now));
  const start = from ?? new Date(end.getTime() - DEFAULT_VOLUME_RANGE_MS[interval]);
  if (start.getTime() >= end.getTime()) throw new AppError('invalid_input', 'query.to: must be later than query.from');
  if (end.getTime() - start.getTime() > MAX_VOLUME_RANGE_MS[interval]) {
    throw new AppError('invalid_input', `query.from: the range may span at most ${MAX_VOLUME_RANGE_MS[interval] / DAY_MS} days with interval=${interval}`);
  }
  return { from: start, to: end };
}

export type VolumeBucket = { start: string; count: number };
export type EventVolume = { name: string; interval: VolumeInterval; timeZone: string; from: string; to: string; total: number; buckets: VolumeBucket[] };

/**
 * How many `name` events happened per hour or day (of the workspace's time zone) from `from` to
 * `to`, widened to whole buckets (a chart of days counts whole days): one grouped query over the
 * (workspace, name, timestamp) index, every bucket listed, empty ones with 0.
 */
export async function eventVolume(
  db: Queryable,
  opts: { workspaceId: string; name: string; interval: VolumeInterval; from?: Date; to?: Date; now: number },
): Promise<EventVolume> {
  const workspace = await getWorkspace(db, opts.workspaceId);
  if (!workspace) throw new AppError('not_found', `workspace ${opts.workspaceId} not found`);
  const { from, to } = volumeRange(opts.interval, opts.now, opts.from, opts.to);
  const tz = workspace.timeZone;
  const unit = opts.interval;
  const step = unit === 'hour' ? '1 hour' : '1 day';
  // Buckets are local wall-clock hours or days: truncated and stepped in local time, converted
  // back to instants with the zone's offset of that moment (a day across a DST change has 23 or 25 hours).
  const { rows } = await db.execute<{ start: string | Date; count: number; range_start: string | Date; range_end: string | Date }>(sql`
    with bounds as (
      select date_trunc(${unit}, ${from.toISOString()}::timestamptz at time zone ${tz}) as lo,
             date_trunc(${unit}, (${to.toISOString()}::timestamptz - interval '1 microsecond') at time zone ${tz}) + ${step}::interval as hi
    ),
    counts as (
      select date_trunc(${unit}, e.timestamp at time zone ${tz}) as bucket, count(*)::int as n
      from ${events} e, bounds b
      where e.workspace_id = ${opts.workspaceId} and e.name = ${opts.name}
        and e.timestamp >= (b.lo at time zone ${tz}) and e.timestamp < (b.hi at time zone ${tz})
      group by 1
    )
    select s.bucket at time zone ${tz} as start, coalesce(c.n, 0)::int as count,
      b.lo at time zone ${tz} as range_start, b.hi at time zone ${tz} as range_end
    from bounds b
    cross join generate_series(b.lo, b.hi - ${step}::interval, ${step}::interval) as s(bucket)
    left join counts c on c.bucket = s.bucket
    order by s.bucket`);
  const buckets = rows.map((r) => ({ start: new Date(r.start).toISOString(), count: Number(r.count) }));
  return {
    name: opts.name,
    interval: opts.interval,
    timeZone: tz,
    from: rows[0] ? new Date(rows[0].range_start).toISOString() : from.toISOString(),
    to: rows[0] ? new Date(rows[0].range_end).toISOString() : to.toISOString(),
    total: buckets.reduce((sum, b) => sum + b.count, 0),
    buckets,
  };
}
