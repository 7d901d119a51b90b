// The job queue's tables: one-off jobs (claimed with FOR UPDATE SKIP LOCKED) and recurring schedules.
import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const jobs = pgTable(
  'jobs',
  {
    id: uuid('id').primaryKey(),
    /** Null for system jobs that span workspaces. */
    workspaceId: uuid('workspace_id'),
    queue: text('queue').notNull().default('default'),
    type: text('type').notNull(),
    payload: jsonb('payload').notNull().default({}),
    /** 'queued' | 'running' | 'succeeded' | 'dead' */
    status: text('status').notNull().default('queued'),
    priority: integer('priority').notNull().default(0),
    runAt: timestamp('run_at', { withTimezone: true }).notNull().defaultNow(),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(5),
    lockedBy: text('locked_by'),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    dedupeKey: text('dedupe_key'),
    lastError: text('last_error'),
    result: jsonb('result'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('jobs_ready_idx').on(t.queue, t.priority, t.runAt).where(sql`status = 'queued'`),
    index('jobs_lease_idx').on(t.lockedUntil).where(sql`status = 'running'`),
    index('jobs_workspace_idx').on(t.workspaceId, t.createdAt),
    uniqueIndex('jobs_dedupe_key').on(t.dedupeKey).where(sql`status in ('queued', 'running')`),
  ],
);

export const recurringJobs = pgTable('recurring_jobs', {
  name: text('name').primaryKey(),
  workspaceId: uuid('workspace_id'),
  queue: text('queue').notNull().default('default'),
  type: text('type').notNull(),
  payload: jsonb('payload').notNull().default({}),
  intervalSeconds: integer('interval_seconds').notNull(),
  nextRunAt: timestamp('next_run_at', { withTimezone: true }).notNull(),
  lastEnqueuedAt: timestamp('last_enqueued_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
