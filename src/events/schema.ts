// Tables of the events area: the append-only stream of first-party behaviour events.
// Ingestion (Segment-compatible API, tracker) fills it; the customers area moves rows between
// profiles on identity stitching and merge, and scrubs personal data on erase.
import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { workspaces } from '../workspaces/schema.ts';

const tz = (name: string) => timestamp(name, { withTimezone: true });

export const events = pgTable(
  'events',
  {
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    id: uuid('id').notNull(),
    /** The sender's id of the message (Segment `messageId`): a retry never stores an event twice. */
    messageId: text('message_id').notNull(),
    /** The known customer, once the sender's user id or anonymous id is linked to one. */
    customerId: uuid('customer_id'),
    anonymousId: text('anonymous_id'),
    userId: text('user_id'),
    /** track | identify | page | screen | group | alias */
    type: text('type').notNull(),
    /** The event name of a track call, the page name of a page call. */
    name: text('name'),
    properties: jsonb('properties').$type<Record<string, unknown>>().notNull().default({}),
    context: jsonb('context').$type<Record<string, unknown>>().notNull().default({}),
    timestamp: tz('timestamp').notNull(),
    receivedAt: tz('received_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('events_message_id_key').on(t.workspaceId, t.messageId),
    index('events_customer_idx').on(t.workspaceId, t.customerId, t.timestamp),
    // Only events nobody is known for yet are looked up by anonymous id (stitching claims them),
    // and a partial index costs nothing when a merge moves a known customer's events.
    index('events_anonymous_idx').on(t.workspaceId, t.anonymousId).where(sql`${t.customerId} is null`),
    index('events_name_idx').on(t.workspaceId, t.name, t.timestamp),
  ],
);
