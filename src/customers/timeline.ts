// One time-ordered stream of everything that happened with a customer, across areas. This area
// contributes profile changes, consent changes and notes; other areas add theirs through their
// registered customer link (src/customers/links.ts) without this file changing.
import { and, desc, eq, isNull, lt, ne, or, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { auditLog } from '../workspaces/schema.ts';
import { customerLinks, type TimelineEntry, type TimelinePage } from './links.ts';
import { maskPersonalData, maskText } from './personal-data.ts';
import { customerConsentHistory, customerNotes, customers } from './schema.ts';

type Source = (db: Queryable, page: TimelinePage) => Promise<TimelineEntry[]>;

// Entries are ordered by (time to the millisecond, entry id): JavaScript dates, and so cursors,
// carry milliseconds while PostgreSQL keeps microseconds.
const ms = (at: AnyColumn) => sql`date_trunc('milliseconds', ${at})`;
const entryId = (prefix: string, id: AnyColumn) => sql`${prefix} || ${id}::text`;

/** `(at, id) < before` for a source whose ids are `prefix` + the row id. */
function olderThan(at: AnyColumn, id: AnyColumn, prefix: string, before: TimelinePage['before']): SQL | undefined {
  if (!before) return undefined;
  return or(lt(ms(at), before.at), and(eq(ms(at), before.at), lt(entryId(prefix, id), before.id)));
}

const newestFirst = (at: AnyColumn, id: AnyColumn, prefix: string) => [desc(ms(at)), desc(entryId(prefix, id))];

/**
 * An entry as a role without pii.read may see it, whichever area made it: its title and data
 * through the detector the event explorer masks with (personal keys at any depth, e-mail
 * addresses and phone numbers anywhere). An identify or group call's properties are traits,
 * where `name` is a person's.
 */
function maskEntry(e: TimelineEntry): TimelineEntry {
  const traits = e.area === 'events' && (e.data.type === 'identify' || e.data.type === 'group');
  return { ...e, title: maskText(e.title), data: maskPersonalData(e.data, { traits }) };
}

const profileChanges: Source = async (db, page) => {
  const rows = await db
    .select()
    .from(auditLog)
    .where(
      and(
        eq(auditLog.workspaceId, page.workspaceId),
        eq(auditLog.entityType, 'customer'),
        eq(auditLog.entityId, page.customerId),
        ne(auditLog.action, 'customer.consent'), // consent history is its own source
        olderThan(auditLog.at, auditLog.id, 'audit:', page.before),
      ),
    )
    .orderBy(...newestFirst(auditLog.at, auditLog.id, 'audit:'))
    .limit(page.limit);
  return rows.map((r) => ({
    id: `audit:${r.id}`,
    at: r.at.toISOString(),
    kind: r.action === 'customer.create' ? 'profile.created' : r.action === 'customer.update' ? 'profile.updated' : r.action.replace(/^customer\./, 'profile.'),
    area: 'customers',
    title: r.action,
    data: { actor: r.actorLabel, diff: r.diff },
  }));
};

const notes: Source = async (db, page) => {
  const rows = await db
    .select()
    .from(customerNotes)
    .where(
      and(
        eq(customerNotes.workspaceId, page.workspaceId),
        eq(customerNotes.customerId, page.customerId),
        isNull(customerNotes.deletedAt),
        olderThan(customerNotes.createdAt, customerNotes.id, 'note:', page.before),
      ),
    )
    .orderBy(...newestFirst(customerNotes.createdAt, customerNotes.id, 'note:'))
    .limit(page.limit);
  return rows.map((r) => ({ id: `note:${r.id}`, at: r.createdAt.toISOString(), kind: 'note', area: 'customers', title: r.body.slice(0, 120), data: { body: r.body, author: r.authorLabel, noteId: r.id } }));
};

const consentChanges: Source = async (db, page) => {
  const rows = await db
    .select()
    .from(customerConsentHistory)
    .where(
      and(
        eq(customerConsentHistory.workspaceId, page.workspaceId),
        eq(customerConsentHistory.customerId, page.customerId),
        olderThan(customerConsentHistory.at, customerConsentHistory.id, 'consent:', page.before),
      ),
    )
    .orderBy(...newestFirst(customerConsentHistory.at, customerConsentHistory.id, 'consent:'))
    .limit(page.limit);
  return rows.map((r) => ({
    id: `consent:${r.id}`,
    at: r.at.toISOString(),
    kind: 'consent',
    area: 'customers',
    title: `${r.channel} ${r.purpose}: ${r.status}`,
    data: { channel: r.channel, purpose: r.purpose, status: r.status, previousStatus: r.previousStatus, source: r.source, actor: r.actorLabel },
  }));
};

/** Imported and bulk-created profiles have no audit entry: their creation time stands in. */
const created: Source = async (db, page) => {
  const [row] = await db
    .select({ createdAt: customers.createdAt, source: customers.source })
    .from(customers)
    .where(and(eq(customers.workspaceId, page.workspaceId), eq(customers.id, page.customerId)));
  if (!row) return [];
  const entry: TimelineEntry = { id: `created:${page.customerId}`, at: row.createdAt.toISOString(), kind: 'profile.first_seen', area: 'customers', title: 'customer.first_seen', data: { source: row.source } };
  const b = page.before;
  if (b && !(row.createdAt.getTime() < b.at.getTime() || (row.createdAt.getTime() === b.at.getTime() && entry.id < b.id))) return [];
  return [entry];
};

export function encodeTimelineCursor(e: TimelineEntry): string {
  return Buffer.from(JSON.stringify([e.at, e.id])).toString('base64url');
}

function decodeTimelineCursor(raw: string): { at: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as [string, string];
    const d = new Date(at);
    if (typeof id === 'string' && !Number.isNaN(d.getTime())) return { at: d, id };
  } catch {
    /* fall through */
  }
  throw new AppError('invalid_input', 'query.cursor: is not a cursor from this timeline (use nextCursor as given)');
}

/** Newest first. Each source returns its newest `limit` entries before the cursor; merging them gives the page. */
export async function customerTimeline(
  db: Queryable,
  opts: { workspaceId: string; customerId: string; limit: number; cursor?: string; pii: boolean },
): Promise<{ items: TimelineEntry[]; nextCursor: string | null }> {
  const page: TimelinePage = {
    workspaceId: opts.workspaceId,
    customerId: opts.customerId,
    before: opts.cursor ? decodeTimelineCursor(opts.cursor) : null,
    limit: opts.limit + 1,
    pii: opts.pii,
  };
  const sources: Source[] = [created, profileChanges, notes, consentChanges, ...customerLinks().flatMap((l) => (l.timeline ? [l.timeline.bind(l)] : []))];
  const all = (await Promise.all(sources.map((s) => s(db, page)))).flat();
  all.sort((x, y) => (x.at === y.at ? (x.id < y.id ? 1 : x.id > y.id ? -1 : 0) : x.at < y.at ? 1 : -1));
  const items = all.slice(0, opts.limit);
  return { items: opts.pii ? items : items.map(maskEntry), nextCursor: all.length > opts.limit ? encodeTimelineCursor(items.at(-1)!) : null };
}
