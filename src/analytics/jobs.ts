// The analytics jobs: `analytics.refresh` materialises one workspace's scores, cohorts, basket
// rules, affinities and recommendations (each part recorded as a run); `analytics.schedule`
// runs hourly for every workspace with customers: an incremental refresh (only customers touched
// since the last run) every hour and a full one once a day.
import { sql } from 'drizzle-orm';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import type { Db, Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { enqueueJob, enqueueJobs } from '../worker/queue.ts';
import { refreshAffinities } from './affinity-job.ts';
import { refreshBasketRules } from './basket-job.ts';
import { computeKpis, computeKpisInBackground } from './kpis.ts';
import { refreshRecommendations } from './recommendations-job.ts';
import { findTouched, lastRun, recordRun, sinceOf, yieldToLive, type Touched } from './runs.ts';
import { refreshScores } from './scores.ts';
import { recomputeScoreSegments } from '../segments/jobs.ts';

export const ANALYTICS_REFRESH_JOB = 'analytics.refresh';
export const ANALYTICS_SCHEDULE_JOB = 'analytics.schedule';
export const ANALYTICS_PARTS = ['scores', 'cohorts', 'basket', 'affinity', 'recommendations'] as const;
export type AnalyticsPart = (typeof ANALYTICS_PARTS)[number];

export const AnalyticsRefreshPayload = Type.Object(
  {
    parts: Type.Optional(Type.Array(Type.Union(ANALYTICS_PARTS.map((p) => Type.Literal(p))), { minItems: 1, uniqueItems: true })),
    mode: Type.Optional(Type.Union([Type.Literal('full'), Type.Literal('incremental')])),
  },
  { additionalProperties: false },
);
export type AnalyticsRefreshPayload = Static<typeof AnalyticsRefreshPayload>;

function checkPayload(payload: unknown): asserts payload is AnalyticsRefreshPayload {
  if (Value.Check(AnalyticsRefreshPayload, payload)) return;
  const [first] = Value.Errors(AnalyticsRefreshPayload, payload);
  const where = first?.instancePath ? `payload${first.instancePath.replaceAll('/', '.')}` : 'payload';
  throw new AppError('invalid_input', `${where}: ${first?.message ?? 'invalid'}`);
}

/** Queues a refresh of a workspace (one at a time per workspace and mode). */
export async function enqueueAnalyticsRefresh(db: Queryable, opts: { workspaceId: string } & AnalyticsRefreshPayload) {
  const payload: AnalyticsRefreshPayload = {};
  if (opts.parts) payload.parts = opts.parts;
  if (opts.mode) payload.mode = opts.mode;
  checkPayload(payload);
  return enqueueJob(db, {
    type: ANALYTICS_REFRESH_JOB,
    workspaceId: opts.workspaceId,
    payload,
    dedupeKey: `${ANALYTICS_REFRESH_JOB}:${opts.workspaceId}:${payload.mode ?? 'full'}:${(payload.parts ?? ANALYTICS_PARTS).join(',')}`,
  });
}

/** Runs the parts in an order where each reads what the one before wrote (grades before cohorts' revenue by grade). */
export async function refreshAnalytics(db: Db, opts: { workspaceId: string; parts?: readonly AnalyticsPart[]; mode?: 'full' | 'incremental'; now?: Date }) {
  const parts = new Set(opts.parts ?? ANALYTICS_PARTS);
  const mode = opts.mode ?? 'full';
  const out: Record<string, unknown> = {};
  // An incremental run is the hourly one: each part waits for the live segment updates to catch up first.
  const step = async () => {
    if (mode === 'incremental') await yieldToLive(db, opts.workspaceId);
  };
  // The customers touched since the earliest of the parts' last runs, found once for all of them.
  let touched: Touched | undefined;
  if (mode === 'incremental') {
    const kinds = (['scores', 'affinity', 'recommendations'] as const).filter((k) => parts.has(k));
    const last = await Promise.all(kinds.map((kind) => lastRun(db, { workspaceId: opts.workspaceId, kind, succeeded: true })));
    const starts = last.map((r) => (r ? sinceOf(r).getTime() : null));
    if (starts.length > 0 && starts.every((t) => t !== null)) {
      await step();
      touched = await findTouched(db, opts.workspaceId, new Date(Math.min(...(starts as number[]))));
    }
  }
  if (parts.has('scores')) {
    await step();
    out.scores = (await refreshScores(db, { workspaceId: opts.workspaceId, mode, now: opts.now, touched })).runId;
    await recomputeScoreSegments(db, { workspaceId: opts.workspaceId });
  }
  if (parts.has('cohorts')) {
    await step();
    const run = await recordRun(db, { workspaceId: opts.workspaceId, kind: 'cohorts', mode: 'full', now: opts.now }, async () => {
      const kpisOpts = { workspaceId: opts.workspaceId, months: 24 };
      const kpis = mode === 'incremental' ? await computeKpisInBackground(db, kpisOpts) : await computeKpis(db, kpisOpts);
      return { customers: kpis.customersWithOrders, result: kpis as unknown as Record<string, unknown> };
    });
    out.cohorts = run.runId;
  }
  if (parts.has('basket') && mode === 'full') out.basket = (await refreshBasketRules(db, { workspaceId: opts.workspaceId, now: opts.now })).runId;
  if (parts.has('affinity')) {
    await step();
    out.affinity = (await refreshAffinities(db, { workspaceId: opts.workspaceId, mode, now: opts.now, touched })).runId;
  }
  if (parts.has('recommendations')) {
    await step();
    out.recommendations = (await refreshRecommendations(db, { workspaceId: opts.workspaceId, mode, now: opts.now, touched })).runId;
  }
  return out;
}

export async function runAnalyticsRefreshJob(db: Db, job: { workspaceId: string | null; payload: unknown }) {
  if (!job.workspaceId) throw new AppError('invalid_input', `workspaceId: an ${ANALYTICS_REFRESH_JOB} job belongs to a workspace`);
  const payload = job.payload ?? {};
  checkPayload(payload);
  return refreshAnalytics(db, { workspaceId: job.workspaceId, parts: payload.parts, mode: payload.mode });
}

/** The refresh the schedule runs for a workspace: full when no full one succeeded in the last 23 hours, else incremental. */
export async function scheduledMode(db: Queryable, opts: { workspaceId: string; now?: Date }): Promise<'full' | 'incremental'> {
  const last = await lastRun(db, { workspaceId: opts.workspaceId, kind: 'scores', succeeded: true, mode: 'full' });
  const now = opts.now ?? new Date();
  return !last || now.getTime() - new Date(last.startedAt).getTime() > 23 * 3_600_000 ? 'full' : 'incremental';
}

/** Hourly: every workspace with customer metrics gets an incremental refresh, or a full one when the last is a day old. */
export async function runAnalyticsSchedule(db: Db, opts: { now?: Date } = {}): Promise<{ full: number; incremental: number }> {
  const now = opts.now ?? new Date();
  // A probe of the metrics' key per workspace (a distinct over the metrics read all of them: a million rows at 1M customers).
  const { rows } = await db.execute<{ workspace_id: string }>(sql`
    select w.id as workspace_id from workspaces w where exists (select 1 from customer_metrics m where m.workspace_id = w.id)`);
  let full = 0;
  let incremental = 0;
  const list = [];
  for (const { workspace_id: workspaceId } of rows) {
    const mode = await scheduledMode(db, { workspaceId, now });
    if (mode === 'full') full++;
    else incremental++;
    list.push({ type: ANALYTICS_REFRESH_JOB, workspaceId, payload: { mode }, dedupeKey: `${ANALYTICS_REFRESH_JOB}:${workspaceId}:${mode}:${ANALYTICS_PARTS.join(',')}` });
  }
  await enqueueJobs(db, list);
  return { full, incremental };
}
