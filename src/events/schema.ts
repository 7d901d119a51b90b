// Tables of the events area: the append-only stream of first-party behaviour events.
// Ingestion (Segment-compatible API, tracker) fills it; the customers area moves rows between
// profiles on identity stitching and merge, and scrubs personal data on erase.
import { sql } from 'drizzle-orm';
import { bigint, boolean, doublePrecision, index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { workspaces } from '../workspaces/schema.ts';
import { inSample } from '../db/sample.ts';

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
    /** The visit this event belongs to: the tracker's `context.sessionId`, else derived from a 30-minute gap. */
    sessionId: text('session_id'),
    properties: jsonb('properties').$type<Record<string, unknown>>().notNull().default({}),
    context: jsonb('context').$type<Record<string, unknown>>().notNull().default({}),
    timestamp: tz('timestamp').notNull(),
    receivedAt: tz('received_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('events_message_id_key').on(t.workspaceId, t.messageId),
    // INCLUDE (name) as well: see drizzle/0007_events_customer_covering.sql.
    index('events_customer_idx').on(t.workspaceId, t.customerId, t.timestamp),
    // Only events nobody is known for yet are looked up by anonymous id (stitching claims them),
    // and a partial index costs nothing when a merge moves a known customer's events.
    index('events_anonymous_idx').on(t.workspaceId, t.anonymousId).where(sql`${t.customerId} is null`),
    // INCLUDE (customer_id) as well, which drizzle cannot state: see drizzle/0006_events_name_covering.sql.
    index('events_name_idx').on(t.workspaceId, t.name, t.timestamp),
    // Events dated ahead of their arrival (allowed up to a day): the segment sweep finds those a
    // time window has just reached. INCLUDE (customer_id, name) as well: see drizzle/0008_events_future_idx.sql.
    index('events_future_idx').on(t.workspaceId, t.timestamp).where(sql`${t.timestamp} > ${t.receivedAt}`),
    // The customer sample's events (src/db/sample.ts), for a segment preview's estimate. INCLUDE
    // (customer_id) as well: see drizzle/0009_customer_sample.sql.
    index('events_sample_idx').on(t.workspaceId, t.name, t.timestamp).where(inSample(sql`${t.customerId}`)),
  ],
);

/**
 * One row of aggregates per known customer, kept up to date as events and orders arrive (never
 * by re-scanning history) and recomputed in bulk by a job. Segments and journeys read it; the
 * analytics area adds its scores (RFM, CLV, churn risk) as further columns.
 */
export const customerMetrics = pgTable(
  'customer_metrics',
  {
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    customerId: uuid('customer_id').notNull(),
    firstSeenAt: tz('first_seen_at'),
    lastSeenAt: tz('last_seen_at'),
    eventCount: integer('event_count').notNull().default(0),
    sessions: integer('sessions').notNull().default(0),
    /** Sessions with exactly one event so far (a single page view and nothing else). */
    bounces: integer('bounces').notNull().default(0),
    /** The current session: its id, its last event and how many events it holds (for bounce counting). */
    currentSessionId: text('current_session_id'),
    currentSessionLastAt: tz('current_session_last_at'),
    currentSessionEvents: integer('current_session_events').notNull().default(0),
    pageViews: integer('page_views').notNull().default(0),
    productViews: integer('product_views').notNull().default(0),
    productClicks: integer('product_clicks').notNull().default(0),
    /** Time product pages were visible in the foreground, in milliseconds, in all and by category. */
    dwellMs: bigint('dwell_ms', { mode: 'number' }).notNull().default(0),
    categoryDwellMs: jsonb('category_dwell_ms').$type<Record<string, number>>().notNull().default({}),
    categoryViews: jsonb('category_views').$type<Record<string, number>>().notNull().default({}),
    /** Product views since the last order, and their sum over all orders (mean = sum / orders counted). */
    viewsSinceLastOrder: integer('views_since_last_order').notNull().default(0),
    viewsBeforePurchaseSum: integer('views_before_purchase_sum').notNull().default(0),
    purchasesWithViews: integer('purchases_with_views').notNull().default(0),
    cartAdds: integer('cart_adds').notNull().default(0),
    cartRemoves: integer('cart_removes').notNull().default(0),
    abandonedCartItems: integer('abandoned_cart_items').notNull().default(0),
    favourites: integer('favourites').notNull().default(0),
    checkoutsStarted: integer('checkouts_started').notNull().default(0),
    orderCount: integer('order_count').notNull().default(0),
    /** Minor units of the workspace currency, net of refunds. */
    totalSpend: bigint('total_spend', { mode: 'number' }).notNull().default(0),
    firstOrderAt: tz('first_order_at'),
    lastOrderAt: tz('last_order_at'),
    /** Events per hour of day (0–23, in the workspace time zone) and the busiest of them. */
    hourCounts: integer('hour_counts').array().notNull().default(sql`array_fill(0, array[24])`),
    mostActiveHour: integer('most_active_hour'),
    updatedAt: tz('updated_at').notNull().defaultNow(),
    // Scores the analytics area materialises (src/analytics/scores.ts); null until its first run.
    /**
     * Orders and spend (minor units) within the workspace's RFM window, as last scored. Recency
     * is not stored: it grows every day for everyone and is read from the last order time, so a
     * daily run rewrites only the customers whose scores changed.
     */
    rfmFrequency: integer('rfm_frequency'),
    rfmMonetary: bigint('rfm_monetary', { mode: 'number' }),
    /** The last order time the RFM scores were computed from (recency grows from it). */
    rfmLastOrderAt: tz('rfm_last_order_at'),
    /** Quintile scores 1–5 (5 = most recent, most frequent, highest spend). */
    rfmR: smallint('rfm_r'),
    rfmF: smallint('rfm_f'),
    rfmM: smallint('rfm_m'),
    /** Named RFM segment: Champions, Loyal, … Lost. */
    rfmSegment: text('rfm_segment'),
    /** The workspace-defined grade (tier), and since when the customer holds it. */
    grade: text('grade'),
    gradeSince: tz('grade_since'),
    /** BG/NBD: expected purchases in the workspace's prediction window, and the probability the customer is still active. */
    expectedPurchases: doublePrecision('expected_purchases'),
    pAlive: doublePrecision('p_alive'),
    /** Expected lifetime value over the workspace's horizon, discounted (minor units). */
    clv: bigint('clv', { mode: 'number' }),
    /** Churn early warning: set by the daily check while the customer crosses a threshold. */
    churnRisk: boolean('churn_risk').notNull().default(false),
    churnFlaggedAt: tz('churn_flagged_at'),
    /** Higher = look first: value at stake (CLV, grade) for an at-risk customer. */
    churnPriority: doublePrecision('churn_priority'),
    scoresUpdatedAt: tz('scores_updated_at'),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.customerId] }),
    index('customer_metrics_last_order_idx').on(t.workspaceId, t.lastOrderAt),
    index('customer_metrics_churn_idx').on(t.workspaceId, t.churnPriority).where(sql`${t.churnRisk}`),
    // What a maintained RFM run reads instead of every row (src/analytics/rfm-maintained.ts): the rows
    // whose RFM inputs moved since they were scored (the predicate is RFM_DIRTY's in rfm-scores.ts, word for
    // word), and the buyers by order count and by spend, for the ranges a cut point moved over.
    index('customer_metrics_rfm_dirty_idx')
      .on(t.workspaceId)
      .where(
        sql`(rfm_frequency is distinct from (case when last_order_at is null then null else order_count end) or rfm_monetary is distinct from (case when last_order_at is null then null else total_spend end) or rfm_last_order_at is distinct from last_order_at or scores_updated_at is null)`,
      ),
    index('customer_metrics_order_count_idx').on(t.workspaceId, t.orderCount).where(sql`${t.lastOrderAt} is not null`),
    index('customer_metrics_total_spend_idx').on(t.workspaceId, t.totalSpend).where(sql`${t.lastOrderAt} is not null`),
  ],
);

/**
 * The secret a shop's server signs its users' ids with (identity verification, docs/events.md):
 * a browser call that carries `userHash` = HMAC-SHA256(userId, secret) may change that known
 * customer. Stored encrypted (AES-256-GCM under the server's key, src/events/identity-verification.ts),
 * never in clear: an admin can show it again, and rotate it.
 */
export const identityVerificationSecrets = pgTable('identity_verification_secrets', {
  workspaceId: uuid('workspace_id')
    .primaryKey()
    .references(() => workspaces.id),
  secretEncrypted: text('secret_encrypted').notNull(),
  createdAt: tz('created_at').notNull().defaultNow(),
});
