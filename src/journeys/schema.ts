// Tables of the journeys area: a journey (what the editor saves) and its frozen versions; one run
// per (journey version, customer) entry, which is also the run's scheduled work (its step and when
// it is due); the log of every step a run took, keyed by (run, seq) so a step is done once; the
// inbox of events the running journeys listen for; and the event names they listen for.
import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { workspaces } from '../workspaces/schema.ts';
import type { JourneyDefinition } from './graph.ts';

const tz = (name: string) => timestamp(name, { withTimezone: true });

export const journeys = pgTable(
  'journeys',
  {
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    id: uuid('id').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    /** draft → active ⇄ paused; archived (deleted: its runs stop). */
    status: text('status').notNull().default('draft'),
    /** What the editor last saved; becomes a new version when activated. */
    definition: jsonb('definition').$type<JourneyDefinition>().notNull(),
    /** The version new entries get (0 until first activated). */
    version: integer('version').notNull().default(0),
    /** Set when the saved definition differs from the live version. */
    changedSinceVersion: boolean('changed_since_version').notNull().default(true),
    starterKey: text('starter_key'),
    createdBy: text('created_by'),
    updatedBy: text('updated_by'),
    createdAt: tz('created_at').notNull().defaultNow(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
    activatedAt: tz('activated_at'),
    pausedAt: tz('paused_at'),
    archivedAt: tz('archived_at'),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] }), index('journeys_status_idx').on(t.workspaceId, t.status)],
);

export const journeyVersions = pgTable(
  'journey_versions',
  {
    workspaceId: uuid('workspace_id').notNull(),
    journeyId: uuid('journey_id').notNull(),
    version: integer('version').notNull(),
    definition: jsonb('definition').$type<JourneyDefinition>().notNull(),
    createdAt: tz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.journeyId, t.version] })],
);

export const journeyRuns = pgTable(
  'journey_runs',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull(),
    journeyId: uuid('journey_id').notNull(),
    version: integer('version').notNull(),
    customerId: uuid('customer_id').notNull(),
    /** active, completed (reached an end), converted (reached the goal), exited (left the segment, removed, journey archived), failed. */
    status: text('status').notNull().default('active'),
    /** The step the run is at. */
    stepId: text('step_id'),
    /** Steps taken so far: the next step's log row is (run, seq + 1). */
    seq: integer('seq').notNull().default(0),
    /** True while the run waits at its step (a delay or a wait for an event) rather than arriving at it. */
    waiting: boolean('waiting').notNull().default(false),
    /** Set when the event a wait step listens for has come. */
    matched: boolean('matched').notNull().default(false),
    /** When the run is next due (arrival, the end of a delay, a wait's timeout); null while not due. */
    dueAt: tz('due_at'),
    /** A share of entrants walk the journey without getting any message (the holdout). */
    holdout: boolean('holdout').notNull().default(false),
    /** What came with the entry (the trigger event's properties, the API call's data), for templates. */
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    /** The entry's source (the trigger event's message id, a segment stay, the API key): one run per source. */
    entryKey: text('entry_key').notNull(),
    enteredAt: tz('entered_at').notNull(),
    finishedAt: tz('finished_at'),
    /** Why it ended: end, goal, left_segment, removed, archived, failed: … */
    exitReason: text('exit_reason'),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('journey_runs_active_key').on(t.workspaceId, t.journeyId, t.customerId).where(sql`${t.status} = 'active'`),
    uniqueIndex('journey_runs_entry_key').on(t.workspaceId, t.journeyId, t.entryKey),
    index('journey_runs_due_idx').on(t.dueAt).where(sql`${t.status} = 'active' and ${t.dueAt} is not null`),
    index('journey_runs_customer_idx').on(t.workspaceId, t.customerId, t.enteredAt),
    index('journey_runs_journey_idx').on(t.workspaceId, t.journeyId, t.status),
  ],
);

/** One row per step a run took: (run, seq) is the step's idempotency key. */
export const journeyRunSteps = pgTable(
  'journey_run_steps',
  {
    workspaceId: uuid('workspace_id').notNull(),
    runId: uuid('run_id').notNull(),
    seq: integer('seq').notNull(),
    journeyId: uuid('journey_id').notNull(),
    stepId: text('step_id').notNull(),
    stepType: text('step_type').notNull(),
    /** What happened: done, sent, suppressed, held_out, yes, no, branch, event, timeout, waited… */
    outcome: text('outcome').notNull(),
    detail: jsonb('detail').$type<Record<string, unknown>>(),
    messageId: uuid('message_id'),
    at: tz('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.runId, t.seq] }), index('journey_run_steps_journey_idx').on(t.workspaceId, t.journeyId, t.stepId)],
);

/** Events some running journey listens for, written in the transaction that stores them. */
export const journeyInbox = pgTable(
  'journey_inbox',
  {
    id: bigint('id', { mode: 'number' }).generatedAlwaysAsIdentity().primaryKey(),
    workspaceId: uuid('workspace_id').notNull(),
    customerId: uuid('customer_id').notNull(),
    name: text('name').notNull(),
    properties: jsonb('properties').$type<Record<string, unknown>>().notNull().default({}),
    /** The event's message id (a trigger enters a customer once per event). */
    eventKey: text('event_key').notNull(),
    at: tz('at').notNull(),
  },
  (t) => [index('journey_inbox_workspace_idx').on(t.workspaceId, t.id)],
);

/** The event names (and segment ids, as `segment:<id>`) the active journeys of a workspace listen for. */
export const journeyInterest = pgTable(
  'journey_interest',
  {
    workspaceId: uuid('workspace_id').notNull(),
    name: text('name').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.name] })],
);
