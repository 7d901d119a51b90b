// The events area's part in a customer's life: events move with merges and stitching, lose
// their personal data on erase, and show on the timeline.
import { and, desc, eq, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { CustomerLink } from '../customers/links.ts';
import { erasePersonalData, eraseText } from '../customers/personal-data.ts';
import type { Queryable } from '../db/connection.ts';
import { events } from './schema.ts';

const ERASE_BATCH = 1000;

/**
 * Removes the personal data of the events `which` selects, by the detector the explorer masks
 * with: personal keys at any depth (`properties.Email`, `customer.email`, `billing.phone`,
 * `phone_number`, `shipping_address`, all of `context.traits`, an identify call's `name`) and
 * e-mail addresses and phone numbers inside any text (`page.url`, `referrer`); and the ids.
 */
async function eraseEvents(db: Queryable, workspaceId: string, which: SQL): Promise<void> {
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const { rows } = await db.execute<{ id: string; type: string; name: string | null; properties: Record<string, unknown>; context: Record<string, unknown> }>(sql`
      select id, type, name, properties, context from events
      where workspace_id = ${workspaceId}::uuid and ${which} and id > ${after}::uuid order by id limit ${ERASE_BATCH}`);
    if (rows.length === 0) return;
    const erased = rows.map((r) => ({
      id: r.id,
      n: r.name === null ? null : eraseText(r.name),
      p: erasePersonalData(r.properties ?? {}, { traits: r.type === 'identify' || r.type === 'group' }),
      x: erasePersonalData(r.context ?? {}, { traits: false }),
    }));
    await db.execute(sql`
      update events e set name = r.n, properties = r.p, context = r.x, anonymous_id = null, user_id = null
      from jsonb_to_recordset(${JSON.stringify(erased)}::jsonb) as r(id uuid, n text, p jsonb, x jsonb)
      where e.workspace_id = ${workspaceId}::uuid and e.id = r.id`);
    after = rows.at(-1)!.id;
    if (rows.length < ERASE_BATCH) return;
  }
}

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
  async erase(db, { workspaceId, customerId, person }) {
    // Keep what happened and when (for aggregates); drop who it was and what identifies them.
    await eraseEvents(db, workspaceId, sql`customer_id = ${customerId}::uuid`);
    // Events nobody claimed that carry one of their ids (a user id that is their e-mail, say).
    if (person?.values.length) {
      const values = sql`${sql.param(person.values)}::text[]`;
      await eraseEvents(db, workspaceId, sql`customer_id is null and (user_id = any(${values}) or anonymous_id = any(${values}))`);
    }
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
