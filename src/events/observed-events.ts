// Rapport's own observations (an abandoned cart, a grade change, a churn warning), written
// straight into the event stream rather than through ingestion: they belong to a customer by id
// (who may have no user id to be found by) and must not count as the customer being seen. The
// message id makes each one once, however often the job that observes it runs. Segments on the
// event's name hear of its customers as they would of an ingested event.
import { sql } from 'drizzle-orm';
import { uuidv7 } from '../db/uuid.ts';
import type { Queryable } from '../db/connection.ts';
import { noteCustomerChanges } from '../segments/jobs.ts';
import { RAPPORT_LIBRARY } from './metrics/fold.ts';
import { runEventsHooks, type HookEvent } from './hooks.ts';

export type ObservedEvent = {
  messageId: string;
  customerId: string | null;
  anonymousId?: string | null;
  properties: Record<string, unknown>;
  /** When it happened (also stored as the time received). */
  timestamp: string;
};

const CHUNK = 5000;

/** Stores `track` events named `name`; `source` names the observer in `context.library.version`. */
export async function recordObservedEvents(
  db: Queryable,
  opts: { workspaceId: string; name: string; source: string; events: ObservedEvent[] },
): Promise<void> {
  // The library name is what marks the event as Rapport's (isRapportEvent in metrics/fold.ts).
  const context = JSON.stringify({ library: { name: RAPPORT_LIBRARY, version: opts.source } });
  const customerIds = new Set<string>();
  for (let i = 0; i < opts.events.length; i += CHUNK) {
    const chunk = opts.events.slice(i, i + CHUNK).map((e) => ({
      id: uuidv7(),
      message_id: e.messageId,
      customer_id: e.customerId,
      anonymous_id: e.anonymousId ?? null,
      properties: e.properties,
      timestamp: e.timestamp,
    }));
    const { rows } = await db.execute<{ customer_id: string | null; message_id: string }>(sql`
      insert into events (workspace_id, id, message_id, customer_id, anonymous_id, type, name, properties, context, timestamp, received_at)
      select ${opts.workspaceId}::uuid, r.id, r.message_id, r.customer_id, r.anonymous_id, 'track', ${opts.name}, r.properties,
        ${context}::jsonb, r.timestamp, r.timestamp
      from jsonb_to_recordset(${JSON.stringify(chunk)}::jsonb)
        as r(id uuid, message_id text, customer_id uuid, anonymous_id text, properties jsonb, timestamp timestamptz)
      order by r.message_id
      on conflict (workspace_id, message_id) do nothing
      returning customer_id, message_id`);
    for (const r of rows) if (r.customer_id) customerIds.add(r.customer_id);
    if (rows.length) {
      // Only the events stored now (a repeated observation adds nothing), to the registered hooks.
      const stored = new Set(rows.map((r) => r.message_id));
      const events: HookEvent[] = chunk
        .filter((e) => stored.has(e.message_id))
        .map((e) => ({ messageId: e.message_id, customerId: e.customer_id, name: opts.name, properties: e.properties, timestamp: new Date(e.timestamp) }));
      await runEventsHooks(db, { workspaceId: opts.workspaceId, events });
    }
  }
  await noteCustomerChanges(db, { workspaceId: opts.workspaceId, customerIds: [...customerIds], eventNames: [opts.name] });
}
