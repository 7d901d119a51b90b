// The events area's part in a customer's life: events move with merges and stitching, lose
// their personal data on erase, and show on the timeline.
import { and, desc, eq, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { CustomerLink } from '../customers/links.ts';
import { events } from './schema.ts';

// Property and context keys that hold personal data (Segment's reserved traits and the like).
export const PII_KEYS = ['email', 'phone', 'name', 'firstName', 'lastName', 'first_name', 'last_name', 'address', 'birthday', 'username', 'ip', 'userAgent', 'traits'];

export const eventsCustomerLink: CustomerLink = {
  area: 'events',
  async reassign(db, { workspaceId, fromId, toId }) {
    const rows = await db
      .update(events)
      .set({ customerId: toId })
      .where(and(eq(events.workspaceId, workspaceId), eq(events.customerId, fromId)))
      .returning({ id: events.id });
    return rows.map((r) => r.id);
  },
  async undoReassign(db, { workspaceId, fromId, toId, moved }) {
    const ids = Array.isArray(moved) ? (moved as string[]) : [];
    for (let i = 0; i < ids.length; i += 10_000) {
      await db
        .update(events)
        .set({ customerId: fromId })
        .where(and(eq(events.workspaceId, workspaceId), eq(events.customerId, toId), inArray(events.id, ids.slice(i, i + 10_000))));
    }
  },
  async claimAnonymous(db, { workspaceId, anonymousId, customerId }) {
    const rows = await db
      .update(events)
      .set({ customerId })
      .where(and(eq(events.workspaceId, workspaceId), eq(events.anonymousId, anonymousId), isNull(events.customerId)))
      .returning({ id: events.id });
    return rows.length;
  },
  async erase(db, { workspaceId, customerId }) {
    // Keep what happened and when (for aggregates); drop who it was and what identifies them.
    const strip = (column: SQL) => PII_KEYS.reduce((expr, key) => sql`(${expr}) - ${key}`, column);
    await db
      .update(events)
      .set({
        anonymousId: null,
        userId: null,
        properties: sql`${strip(sql`${events.properties}`)}`,
        context: sql`${strip(sql`${events.context}`)}`,
      })
      .where(and(eq(events.workspaceId, workspaceId), eq(events.customerId, customerId)));
  },
  async exportData(db, { workspaceId, customerId }) {
    const rows = await db
      .select()
      .from(events)
      .where(and(eq(events.workspaceId, workspaceId), eq(events.customerId, customerId)))
      .orderBy(desc(events.timestamp));
    return rows.map((r) => ({
      id: r.id,
      type: r.type,
      name: r.name,
      timestamp: r.timestamp.toISOString(),
      anonymousId: r.anonymousId,
      userId: r.userId,
      properties: r.properties,
      context: r.context,
    }));
  },
  async timeline(db, { workspaceId, customerId, before, limit }) {
    const conditions = [eq(events.workspaceId, workspaceId), eq(events.customerId, customerId)];
    // Same order as the timeline: time to the millisecond, then entry id.
    const at = sql`date_trunc('milliseconds', ${events.timestamp})`;
    const entryId = sql`'event:' || ${events.id}::text`;
    if (before) conditions.push(or(lt(at, before.at), and(eq(at, before.at), lt(entryId, before.id)))!);
    const rows = await db
      .select({ id: events.id, type: events.type, name: events.name, timestamp: events.timestamp, properties: events.properties })
      .from(events)
      .where(and(...conditions))
      .orderBy(desc(sql`date_trunc('milliseconds', ${events.timestamp})`), desc(sql`'event:' || ${events.id}::text`))
      .limit(limit);
    return rows.map((r) => ({
      id: `event:${r.id}`,
      at: r.timestamp.toISOString(),
      kind: r.type === 'track' ? 'event' : r.type,
      area: 'events',
      title: r.name ?? r.type,
      data: { type: r.type, properties: r.properties },
    }));
  },
};
