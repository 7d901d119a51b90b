// Tables of the analytics area: per-workspace settings (RFM window, grades, churn thresholds,
// CLV horizon), the record of each materialisation run with what it found (fitted parameters,
// cut points, cohorts, evaluation reports), basket rules and per-customer recommendations.
// Per-customer scores live as columns of customer_metrics (src/events/schema.ts).
import { bigint, index, integer, jsonb, pgTable, primaryKey, real, doublePrecision, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { workspaces } from '../workspaces/schema.ts';

const tz = (name: string) => timestamp(name, { withTimezone: true });
const workspaceId = () =>
  uuid('workspace_id')
    .notNull()
    .references(() => workspaces.id);

export const analyticsSettings = pgTable('analytics_settings', {
  workspaceId: uuid('workspace_id')
    .primaryKey()
    .references(() => workspaces.id),
  /**
   * Orders of the last N days count for RFM frequency and monetary value. Null: all orders, read
   * from the aggregates customer_metrics maintains (no scan of the orders).
   */
  rfmWindowDays: integer('rfm_window_days'),
  /** Ordered grade definitions, highest first (src/analytics/grades.ts). Null: the default grades. */
  grades: jsonb('grades').$type<unknown>(),
  /** A customer is at risk when P(alive) falls below this … */
  churnPAlive: real('churn_p_alive').notNull().default(0.5),
  /** … or when this many days passed since the last order (of a repeat buyer). */
  churnRecencyDays: integer('churn_recency_days').notNull().default(120),
  /** No activity (events or orders) for this many days: dormant, listed for reactivation. */
  dormantDays: integer('dormant_days').notNull().default(30),
  /** Expected purchases are predicted over this many days. */
  predictionDays: integer('prediction_days').notNull().default(90),
  /** CLV horizon and annual discount rate. */
  clvHorizonDays: integer('clv_horizon_days').notNull().default(365),
  clvDiscountRate: real('clv_discount_rate').notNull().default(0.1),
  updatedAt: tz('updated_at').notNull().defaultNow(),
});

export const analyticsRuns = pgTable(
  'analytics_runs',
  {
    workspaceId: workspaceId(),
    id: uuid('id').notNull(),
    /** scores | basket | recommendations | affinity | cohorts */
    kind: text('kind').notNull(),
    /** full | incremental */
    mode: text('mode').notNull(),
    status: text('status').notNull(),
    startedAt: tz('started_at').notNull(),
    finishedAt: tz('finished_at'),
    /** Customers whose figures were written. */
    customers: integer('customers').notNull().default(0),
    durationMs: integer('duration_ms'),
    /** What the run found, e.g. fitted parameters and cut points; read by the UI and the next incremental run. */
    result: jsonb('result').$type<Record<string, unknown>>().notNull().default({}),
    error: text('error'),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] }), index('analytics_runs_kind_idx').on(t.workspaceId, t.kind, t.startedAt)],
);

/**
 * How many scored buyers hold each stored RFM input (customer_metrics.rfm_frequency,
 * rfm_monetary, rfm_last_order_at), by dimension and bucket: `f` by order count, `m` by spend
 * in buckets of 1,024 minor units, `d` by UTC day of the last order. The scores job keeps it
 * in step with what it writes; with the few rows whose inputs moved since (RFM_DIRTY) it gives
 * today's distribution, and so the quintile cut points, without reading every customer.
 */
export const rfmHistograms = pgTable(
  'rfm_histograms',
  {
    workspaceId: workspaceId(),
    dimension: text('dimension').notNull(),
    bucket: bigint('bucket', { mode: 'number' }).notNull(),
    customers: integer('customers').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.dimension, t.bucket] })],
);

export const basketRules = pgTable(
  'basket_rules',
  {
    workspaceId: workspaceId(),
    /** product | category */
    level: text('level').notNull(),
    /** Position by lift (then confidence). */
    rank: integer('rank').notNull(),
    antecedent: text('antecedent').array().notNull(),
    consequent: text('consequent').notNull(),
    count: integer('count').notNull(),
    support: doublePrecision('support').notNull(),
    confidence: doublePrecision('confidence').notNull(),
    lift: doublePrecision('lift').notNull(),
    computedAt: tz('computed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.level, t.rank] }), index('basket_rules_consequent_idx').on(t.workspaceId, t.level, t.consequent)],
);

export const customerRecommendations = pgTable(
  'customer_recommendations',
  {
    workspaceId: workspaceId(),
    customerId: uuid('customer_id').notNull(),
    rank: smallint('rank').notNull(),
    productId: uuid('product_id').notNull(),
    score: real('score').notNull(),
    /** co_purchase | similar | category | popular */
    reasons: text('reasons').array().notNull(),
    computedAt: tz('computed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.customerId, t.rank] })],
);
