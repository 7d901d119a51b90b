// Tables of the campaigns area: a campaign (audience, variants, holdout, schedule, goal), its
// frozen recipients (who was targeted, in which variant or the holdout, and what the gate said),
// and the workspace's campaign settings (the global control group, message costs).
import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { workspaces } from '../workspaces/schema.ts';

const tz = (name: string) => timestamp(name, { withTimezone: true });
const workspaceId = () =>
  uuid('workspace_id')
    .notNull()
    .references(() => workspaces.id);

export type CampaignAudience = {
  /** Customers in any of these segments… */
  segmentIds: string[];
  /** …or on this list (a static list or an uploaded CSV, as customer ids)… */
  customerIds: string[];
  /** …and in none of these. */
  excludeSegmentIds: string[];
};

export type CampaignVariant = {
  /** A, B, … E: what reports and recipients call it. */
  key: string;
  name: string;
  templateId: string;
  /** Per cent of the audience (with the holdout's, they make 100). */
  share: number;
  /** The template's version the send uses, fixed when sending starts. */
  version?: number;
};

export type CampaignSchedule =
  | { mode: 'now' }
  /** At a time: `at` is the instant, or with `customerTimeZone` the local date and time (YYYY-MM-DDTHH:mm) in each customer's zone. */
  | { mode: 'at'; at: string; customerTimeZone?: boolean }
  /** Each customer at their most active hour within the next 24 hours. */
  | { mode: 'best_hour' };

export type CampaignGoal = {
  /** The event that counts as a conversion. */
  event: string;
  /** Property filters: every one must hold (equal, or a number at least / at most). */
  filters: { property: string; op: 'eq' | 'gte' | 'lte'; value: string | number }[];
  /** Days after the send in which a conversion counts. */
  windowDays: number;
};

/** Winner selection: the variants go first to a test share; after some hours the best is picked and sent to the rest. */
export type CampaignWinner = {
  /** Per cent of the audience outside the holdout that gets the variants first. */
  testShare: number;
  afterHours: number;
  /** What decides: the goal's conversion rate or the click rate, among the test's recipients. */
  by: 'conversion' | 'click';
};

export const campaigns = pgTable(
  'campaigns',
  {
    workspaceId: workspaceId(),
    id: uuid('id').notNull(),
    name: text('name').notNull(),
    /** draft → scheduled → sending → sent; paused while sending; cancelled. */
    status: text('status').notNull().default('draft'),
    /** marketing | transactional: decides the gate (consent, quiet hours, caps) its messages pass. */
    purpose: text('purpose').notNull().default('marketing'),
    /** email | sms | kakao | push | webhook: the kind's default channel unless channelId is set. */
    kind: text('kind').notNull(),
    channelId: uuid('channel_id'),
    audience: jsonb('audience').$type<CampaignAudience>().notNull(),
    variants: jsonb('variants').$type<CampaignVariant[]>().notNull(),
    /** Per cent of the audience targeted but not sent, to measure against. */
    holdoutShare: integer('holdout_share').notNull().default(0),
    schedule: jsonb('schedule').$type<CampaignSchedule>().notNull().default({ mode: 'now' }),
    /** At most this many messages a minute (0: as fast as the channel goes). */
    throttlePerMinute: integer('throttle_per_minute').notNull().default(0),
    goal: jsonb('goal').$type<CampaignGoal>().notNull(),
    createdBy: text('created_by'),
    updatedBy: text('updated_by'),
    createdAt: tz('created_at').notNull().defaultNow(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
    /** When the audience was frozen and sending began: conversion windows start here for everyone. */
    startedAt: tz('started_at'),
    /** When every recipient's message had been created (the send itself is the dispatcher's). */
    enqueuedAt: tz('enqueued_at'),
    pausedAt: tz('paused_at'),
    /** Throttled sends are spread from here: the recipient with seq `sendAnchorSeq` goes at `sendAnchorAt` (set at the start and at each resume). */
    sendAnchorAt: tz('send_anchor_at'),
    sendAnchorSeq: integer('send_anchor_seq'),
    /** The enqueue job's place: every recipient up to this `seq` has its message. */
    enqueuedSeq: integer('enqueued_seq').notNull().default(0),
    cancelledAt: tz('cancelled_at'),
    winner: jsonb('winner').$type<CampaignWinner>(),
    /** With a winner to pick: the test's recipients are seq 1…testSize (the rest, group `winner`, come after). */
    testSize: integer('test_size'),
    /** The variant picked for the rest, and when. */
    winnerKey: text('winner_key'),
    winnerPickedAt: tz('winner_picked_at'),
    /** Counted at the freeze: the audience before and after the exclusions. */
    audienceSize: integer('audience_size'),
    excludedGlobalControl: integer('excluded_global_control'),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] }), index('campaigns_created_idx').on(t.workspaceId, t.createdAt)],
);

/**
 * The frozen audience: one row per targeted customer. Written 500,000 rows at a time by the
 * freeze alone, with its campaign's workspace: no foreign key to workspaces, whose per-row check
 * was a large part of that write (the campaign row carries it).
 */
export const campaignRecipients = pgTable(
  'campaign_recipients',
  {
    workspaceId: uuid('workspace_id').notNull(),
    campaignId: uuid('campaign_id').notNull(),
    customerId: uuid('customer_id').notNull(),
    /** A variant's key, `holdout`, or `winner` (the rest of a campaign that picks a winner: they get the winner's template). */
    variant: text('variant').notNull(),
    /** pending (targeted: its message's status tells the rest), holdout, or cancelled (the campaign was cancelled before its message was made). */
    status: text('status').notNull(),
    /** The id its message has (or will have): fixed at the freeze, md5 of campaign and customer. Null in the holdout. */
    messageId: uuid('message_id'),
    /** Its place in the send order among the targeted (the holdout is numbered apart). */
    seq: integer('seq').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.campaignId, t.customerId] }),
    index('campaign_recipients_seq_idx').on(t.workspaceId, t.campaignId, t.seq).where(sql`${t.variant} <> 'holdout'`),
    index('campaign_recipients_customer_idx').on(t.workspaceId, t.customerId),
  ],
);

export const campaignSettings = pgTable('campaign_settings', {
  workspaceId: workspaceId().primaryKey(),
  /** Per cent of customers no marketing campaign reaches (0 = off), chosen by a stable hash with the salt. */
  globalControlShare: integer('global_control_share').notNull().default(0),
  globalControlSalt: text('global_control_salt').notNull(),
  /** What a message costs, by kind and type (sms, lms, alimtalk, friendtalk, email, push, webhook), in the workspace's currency. */
  costs: jsonb('costs').$type<Record<string, number>>().notNull().default({}),
  updatedAt: tz('updated_at').notNull().defaultNow(),
});
