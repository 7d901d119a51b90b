// Tables of the segments area: segment definitions, current membership, the history of every
// stay in a segment (entered/exited), size snapshots over time, and the outbox of customers whose
// data changed (written in the ingesting transaction, drained by the live-update job).
import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { workspaces } from '../workspaces/schema.ts';

const tz = (name: string) => timestamp(name, { withTimezone: true });
const workspaceId = () =>
  uuid('workspace_id')
    .notNull()
    .references(() => workspaces.id);

export const segments = pgTable(
  'segments',
  {
    workspaceId: workspaceId(),
    id: uuid('id').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    /** dynamic: membership follows the definition; static: a list kept by uploads. */
    kind: text('kind').notNull(),
    /** The definition (src/segments/definition.ts); null for a static segment. */
    definition: jsonb('definition').$type<unknown>(),
    /** Ids of the segments the definition refers to, for cycle and delete checks. */
    refs: uuid('refs').array().notNull().default(sql`'{}'::uuid[]`),
    /** A starter segment's key (vip, dormant-30d, …), so starters are created once. */
    starterKey: text('starter_key'),
    createdBy: text('created_by'),
    updatedBy: text('updated_by'),
    createdAt: tz('created_at').notNull().defaultNow(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
    deletedAt: tz('deleted_at'),
    lastComputedAt: tz('last_computed_at'),
    size: integer('size').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index('segments_name_idx').on(t.workspaceId, t.name).where(sql`${t.deletedAt} is null`),
    index('segments_refs_idx').using('gin', t.refs),
  ],
);

export const segmentMembers = pgTable(
  'segment_members',
  {
    workspaceId: workspaceId(),
    segmentId: uuid('segment_id').notNull(),
    customerId: uuid('customer_id').notNull(),
    enteredAt: tz('entered_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.segmentId, t.customerId] }), index('segment_members_customer_idx').on(t.workspaceId, t.customerId)],
);

/** One row per stay: open (exited_at null) while the customer is a member. */
export const segmentMembershipHistory = pgTable(
  'segment_membership_history',
  {
    workspaceId: workspaceId(),
    segmentId: uuid('segment_id').notNull(),
    customerId: uuid('customer_id').notNull(),
    enteredAt: tz('entered_at').notNull(),
    exitedAt: tz('exited_at'),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.segmentId, t.customerId, t.enteredAt] }),
    index('segment_history_customer_idx').on(t.workspaceId, t.customerId, t.enteredAt),
  ],
);

export const segmentSizes = pgTable(
  'segment_sizes',
  {
    workspaceId: workspaceId(),
    segmentId: uuid('segment_id').notNull(),
    at: tz('at').notNull(),
    size: integer('size').notNull(),
    entered: integer('entered').notNull().default(0),
    exited: integer('exited').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.segmentId, t.at] })],
);

/**
 * Customers whose data changed, one row per ingested batch (append-only, so concurrent batches
 * never wait on each other); the live-update job deletes the rows it has applied.
 */
export const segmentPendingChanges = pgTable(
  'segment_pending_changes',
  {
    workspaceId: workspaceId(),
    id: uuid('id').notNull(),
    customerIds: uuid('customer_ids').array().notNull(),
    /** Names of the events stored for them (track names, page/screen names). */
    eventNames: text('event_names').array().notNull().default(sql`'{}'::text[]`),
    /** What changed besides events: orders, profile, consent, preferences, metrics. */
    causes: text('causes').array().notNull().default(sql`'{}'::text[]`),
    createdAt: tz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);
