// Materialises the per-customer scores into customer_metrics: RFM values, quintile scores and
// named segment, the workspace's grade, BG/NBD P(alive) and expected purchases, Gamma-Gamma
// spend and the discounted CLV, and the churn early-warning flag. The maths is the pure code
// beside this file (rfm.ts, grades.ts, bg-nbd.ts, gamma-gamma.ts); here it is applied set-based
// in SQL, so a million customers never pass through Node one by one:
// - RFM: scores, segments and grades are CASE expressions generated from the cut points and the
//   rule tables, and only the rows whose figures changed are written. A run after an earlier
//   full one is maintained: cut points from the RFM histogram, and only the customers whose
//   scores can have moved are looked at (docs/analytics.md). Otherwise (complete) the buyers'
//   values are computed once into a temporary table, with the scores stored now beside them,
//   and the cut points found there in SQL by `rfmCutPoints`' tie rule.
// - CLV: the model is fitted on the distinct (x, tₓ, T) tuples (compressed to far fewer than
//   the customers); each tuple's predictions are computed once in Node and joined back.
// Grade changes and newly flagged churn risks become events on the customer's timeline (journeys
// can start from them).
import { sql, type SQL } from 'drizzle-orm';
import type { Db, Queryable } from '../db/connection.ts';
import { recordObservedEvents } from '../events/observed-events.ts';
import { conditionalExpectedPurchases, fitBgNbdSteps, probabilityAlive, type BgNbdParams } from './bg-nbd.ts';
import { customerLifetimeValue } from './clv.ts';
import { fitGammaGammaSteps, type GammaGammaParams } from './gamma-gamma.ts';
import type { Grade, GradeRule } from './grades.ts';
import { RFM_SEGMENT_RULES, type RfmCutPoints } from './rfm.ts';
import { backgroundSettings, pagedPass, recordRun, lastRun, sinceOf, touchedFor, yieldToLive, type AnalyticsRun, type RunMode, type Touched } from './runs.ts';
import { getAnalyticsSettings, type AnalyticsSettings } from './settings.ts';
import { runStepsInSlices, type Steps } from './steps.ts';

export const GRADE_CHANGED_EVENT = 'Grade Changed';
export const CHURN_RISK_EVENT = 'Churn Risk Flagged';
const DAY_MS = 86_400_000;
/** Touched customers an incremental run scores per transaction. */
const SCORES_CHUNK = 1_000;
/** The CLV models count time in weeks, as the papers and the published CDNOW figures do. */
const WEEK_DAYS = 7;

export type RfmMethod = 'complete' | 'maintained' | 'incremental';

export type ScoresResult = {
  customers: number;
  result: {
    asOf: string;
    rfm: {
      scored: number;
      cutPoints: RfmCutPoints | null;
      segments: Record<string, number>;
      /** How the run ranked: see refreshScores. */
      method?: RfmMethod;
      /** Customers a maintained run looked at again (null for the other methods). */
      candidates?: number | null;
      /** The rules the scores were computed under (rfmRules). */
      rules?: string;
      /** A maintained run found the histogram disagreeing with the rows, and ranked everyone afresh instead. */
      histogramDrift?: boolean;
    };
    grades: { changed: number; distribution: Record<string, number> };
    clv: {
      /** `converged`: false when the fit stopped at its evaluation budget (see fitBgNbd). */
      bgnbd: (BgNbdParams & { logLikelihood: number; converged?: boolean }) | null;
      gammaGamma: GammaGammaParams | null;
      customers: number;
      distinctTuples: number;
      fitMs: number;
    };
    churn: { atRisk: number; newlyFlagged: number };
    holdout: Awaited<ReturnType<typeof holdoutValidation>>;
    timingsMs: Record<string, number>;
    /** An incremental run: when its touched customers were read (see sinceOf). */
    touchedReadAt?: string;
  };
};

/** Whole days from the customer's last order (`m.last_order_at`) to `asOf`, as `recencyDays` counts them. */
export function recencyOf(asOf: Date): SQL {
  return sql`greatest(0, floor(date_part('epoch', ${asOf.toISOString()}::timestamptz - m.last_order_at) / 86400))::int`;
}

/** SQL that is true when a grade rule holds, over the scored row `s` (r, f, m, frequency, monetary). */
function ruleSql(rule: GradeRule): SQL {
  switch (rule.kind) {
    case 'rfm_score':
      return sql`coalesce(s.r + s.f + s.m >= ${rule.min}, false)`;
    case 'spend':
      return sql`coalesce(s.mon, 0) >= ${rule.min}`;
    case 'orders':
      return sql`coalesce(s.freq, 0) >= ${rule.min}`;
    case 'all':
      return sql`(${sql.join(rule.rules.map(ruleSql), sql` and `)})`;
    case 'always':
      return sql`true`;
  }
}

function gradeCase(grades: Grade[]): SQL {
  if (grades.length === 0) return sql`null::text`;
  return sql`case ${sql.join(grades.map((g) => sql`when ${ruleSql(g.rule)} then ${g.name}::text`), sql` `)} else null end`;
}

function segmentCase(): SQL {
  const whens = RFM_SEGMENT_RULES.map(
    (rule) =>
      // (F + M) / 2 between lo and hi, in whole numbers: F + M between 2·lo and 2·hi.
      sql`when s.r between ${rule.r[0]} and ${rule.r[1]} and s.f + s.m between ${rule.fm[0] * 2} and ${rule.fm[1] * 2} then ${rule.segment}::text`,
  );
  return sql`case when s.r is null then null ${sql.join(whens, sql` `)} else null end`;
}

/** Score of a value against cut points (the smallest value reaching 2, 3, 4, 5), as `applyRfmCutPoints`. */
function cutScore(value: SQL, cuts: (number | null)[]): SQL {
  const steps = cuts.filter((c): c is number => c !== null).map((c) => sql` + (${value} >= ${c})::int`);
  return sql`(1${sql.join(steps, sql``)})`;
}

/** The scores a customer has now, carried beside the new values so that a run compares without joining back. */
const STORED_SCORES = sql.raw(
  'm.rfm_frequency as cur_frequency, m.rfm_monetary as cur_monetary, m.rfm_last_order_at as cur_last_order_at, m.rfm_r as cur_r, m.rfm_f as cur_f, m.rfm_m as cur_m, m.rfm_segment as cur_segment, m.grade as cur_grade, m.scores_updated_at is null as cur_unscored',
);
const STORED_SCORE_COLUMNS = sql.raw(
  'v.cur_frequency, v.cur_monetary, v.cur_last_order_at, v.cur_r, v.cur_f, v.cur_m, v.cur_segment, v.cur_grade, v.cur_unscored',
);

/**
 * True for a metrics row whose RFM inputs moved since it was last scored (an order, a refund, a
 * merge), or that was never scored (new, or marked when deleted or restored): the rows of
 * `customer_metrics_rfm_dirty_idx`, whose predicate this is, word for word, so that the
 * planner reads that index. The RFM histogram counts the stored inputs of every row; it stays
 * right because metrics rows are never deleted (a merged customer's row is emptied) and a
 * deleted customer's row stays marked, so each run takes it out of today's counts.
 */
export const RFM_DIRTY = sql.raw(
  '(rfm_frequency is distinct from (case when last_order_at is null then null else order_count end) or rfm_monetary is distinct from (case when last_order_at is null then null else total_spend end) or rfm_last_order_at is distinct from last_order_at or scores_updated_at is null)',
);

/** Spend buckets of the RFM histogram are 2^10 = 1,024 minor units wide. */
const SPEND_BUCKET_BITS = 10;
/** The histogram buckets of stored or live RFM inputs (see rfmHistograms in schema.ts). */
const bucketOf = {
  f: (count: SQL) => sql`(${count})::bigint`,
  m: (spend: SQL) => sql`((${spend}) >> ${sql.raw(String(SPEND_BUCKET_BITS))})`,
  d: (at: SQL) => sql`floor(extract(epoch from ${at}) / 86400)::bigint`,
};

/**
 * Histogram rows (dimension, bucket, ±1) for a relation with a buyer's RFM inputs in the
 * columns `f`, `m`, `d` (order count, spend, last order), or none when `f` is null.
 */
function histogramRows(relation: SQL, sign: 1 | -1, cols: { f: string; m: string; d: string }): SQL {
  const [f, m, d] = [sql.raw(cols.f), sql.raw(cols.m), sql.raw(cols.d)];
  return sql`
    select x.dimension, x.bucket, ${sign}::int as n from ${relation}
    cross join lateral (values ('f', ${bucketOf.f(f)}), ('m', ${bucketOf.m(m)}), ('d', ${bucketOf.d(d)})) as x(dimension, bucket)
    where ${f} is not null`;
}

/** Each live customer's RFM values (recency in days, null without orders) within the workspace's window, and the scores stored now. */
/** `only`, when given, restricts the customers and must itself keep deleted customers out. */
function rfmValues(opts: { workspaceId: string; asOf: Date; windowDays: number | null; only?: SQL }): SQL {
  const ws = opts.workspaceId;
  const asOf = opts.asOf.toISOString();
  const windowed = opts.windowDays !== null;
  const values = windowed
    ? sql`
      select m.customer_id, m.last_order_at,
        coalesce(w.n, 0)::int as freq, coalesce(w.amount, 0)::bigint as mon, ${STORED_SCORES}
      from customer_metrics m
      left join (
        select customer_id, count(*) as n, sum(total - refunded_total) as amount
        from orders
        where workspace_id = ${ws}::uuid and customer_id is not null and status <> 'cancelled'
          and placed_at > ${asOf}::timestamptz - make_interval(days => ${opts.windowDays}) and placed_at <= ${asOf}::timestamptz
        group by customer_id
      ) w on w.customer_id = m.customer_id
      where m.workspace_id = ${ws}::uuid`
    : sql`
      select m.customer_id, m.last_order_at, m.order_count as freq, m.total_spend as mon, ${STORED_SCORES}
      from customer_metrics m where m.workspace_id = ${ws}::uuid`;
  return sql`
    select v.customer_id, v.freq, v.mon, v.last_order_at, ${STORED_SCORE_COLUMNS},
      case when v.last_order_at is null then null
        else greatest(0, floor(date_part('epoch', ${asOf}::timestamptz - v.last_order_at) / 86400))::int end as rec
    from (${values}) v
    ${opts.only ?? sql`join customers c on c.workspace_id = ${ws}::uuid and c.id = v.customer_id and c.deleted_at is null`}`;
}

/**
 * The touched customers of an incremental run (`findTouched`), into a temporary table of the
 * transaction that the RFM, CLV and churn steps join (each read the metrics for itself before:
 * five scans of a million rows for a run that rescored one customer).
 */
async function collectTouched(db: Queryable, customers: Touched['customers']): Promise<void> {
  await db.execute(sql`drop table if exists pg_temp.scores_touched`);
  await db.execute(sql`
    create temporary table scores_touched on commit drop as
    select distinct unnest(${sql.param(customers.map((c) => c.id))}::uuid[]) as customer_id`);
  await db.execute(sql`alter table scores_touched add primary key (customer_id)`);
  await db.execute(sql`analyze scores_touched`);
}

/** Restricts `rfmValues` to the touched customers (`collectTouched`). */
function touchedOnly(workspaceId: string): SQL {
  return sql`
    join scores_touched t on t.customer_id = v.customer_id
    join customers c on c.workspace_id = ${workspaceId}::uuid and c.id = v.customer_id and c.deleted_at is null`;
}

/**
 * A full run's RFM values, computed once into a temporary table of the transaction: the cut
 * points and the scoring both read it, instead of joining the metrics to the customers twice.
 */
async function materializeRfmValues(db: Queryable, opts: { workspaceId: string; asOf: Date; windowDays: number | null }): Promise<SQL> {
  await db.execute(sql`drop table if exists pg_temp.rfm_values`);
  await db.execute(sql`create temporary table rfm_values on commit drop as ${rfmValues(opts)}`);
  return sql`select * from rfm_values`;
}

/** What stored scores were computed under: a run under other rules or another window ranks everyone afresh. */
function rfmRules(settings: AnalyticsSettings): string {
  return JSON.stringify({ histogram: 1, windowDays: settings.rfmWindowDays, grades: settings.grades, segments: RFM_SEGMENT_RULES });
}

/** The last full run a maintained run builds on: every live buyer's stored scores follow from its cut points at its time. */
type RfmBasis = { asOf: Date; cutPoints: RfmCutPoints };

/**
 * The basis for a maintained full run, or null when the run must rank everyone afresh: RFM over
 * a window (its values move without any write), no earlier full run, other rules since, or a
 * run since at a time outside [that run, now] (the recency ranges below assume none).
 */
async function maintainedBasis(
  db: Queryable,
  opts: { workspaceId: string; asOf: Date; settings: AnalyticsSettings; lastFull: AnalyticsRun | null },
): Promise<RfmBasis | null> {
  const last = opts.lastFull;
  const prior = last?.result as Partial<ScoresResult['result']> | undefined;
  if (opts.settings.rfmWindowDays !== null || !last || !prior?.rfm?.cutPoints || !prior.asOf || prior.rfm.rules !== rfmRules(opts.settings)) return null;
  const basisAt = new Date(prior.asOf);
  if (!(basisAt.getTime() <= opts.asOf.getTime())) return null;
  const { rows } = await db.execute<{ n: number }>(sql`
    select count(*)::int as n from analytics_runs
    where workspace_id = ${opts.workspaceId}::uuid and kind = 'scores' and status = 'succeeded' and id <> ${last.id}::uuid
      and (id > ${last.id}::uuid or started_at > ${last.startedAt}::timestamptz)
      and (started_at < ${basisAt.toISOString()}::timestamptz or started_at > ${opts.asOf.toISOString()}::timestamptz)`);
  return Number(rows[0]?.n ?? 0) === 0 ? { asOf: basisAt, cutPoints: prior.rfm.cutPoints } : null;
}

/** The customer is not deleted: an anti-join to the few deleted ones (customers_deleted_idx). */
function notDeleted(workspaceId: string, customerId: SQL): SQL {
  return sql`not exists (select 1 from customers c where c.workspace_id = ${workspaceId}::uuid and c.id = ${customerId} and c.deleted_at is not null)`;
}

/** A live buyer in customer_metrics `m`: has ordered, and the customer is not deleted. */
function liveBuyer(workspaceId: string): SQL {
  return sql`m.workspace_id = ${workspaceId}::uuid and m.last_order_at is not null and ${notDeleted(workspaceId, sql`m.customer_id`)}`;
}

type Histogram = { bucket: number; n: number }[];

/** Thrown when the histogram does not match the rows it counts; the run then ranks everyone afresh. */
class HistogramDrift extends Error {}

/**
 * The rows whose inputs moved since they were scored, into a temporary table, and today's
 * histogram of the live buyers' inputs: the stored histogram, minus those rows' stored inputs,
 * plus their live ones (if they are live buyers). Null when the stored histogram does not add up
 * (a bucket below zero): the caller then ranks everyone afresh.
 */
async function liveHistograms(db: Queryable, workspaceId: string): Promise<Record<'f' | 'm' | 'd', Histogram> | null> {
  const ws = workspaceId;
  await db.execute(sql`drop table if exists pg_temp.rfm_dirty`);
  await db.execute(sql`
    create temporary table rfm_dirty on commit drop as
    select m.customer_id, m.rfm_frequency, m.rfm_monetary, m.rfm_last_order_at,
      case when ${liveBuyer(ws)} then m.order_count end as live_frequency, m.total_spend as live_monetary, m.last_order_at as live_last_order_at
    from customer_metrics m where m.workspace_id = ${ws}::uuid and ${RFM_DIRTY}`);
  const { rows } = await db.execute<{ dimension: 'f' | 'm' | 'd'; bucket: string; n: number }>(sql`
    select x.dimension, x.bucket, sum(x.n)::int as n from (
      select dimension, bucket, customers as n from rfm_histograms where workspace_id = ${ws}::uuid
      union all
      ${histogramRows(sql`rfm_dirty`, -1, { f: 'rfm_frequency', m: 'rfm_monetary', d: 'rfm_last_order_at' })}
      union all
      ${histogramRows(sql`rfm_dirty`, 1, { f: 'live_frequency', m: 'live_monetary', d: 'live_last_order_at' })}
    ) x group by 1, 2 having sum(x.n) <> 0 order by 1, 2`);
  const out: Record<'f' | 'm' | 'd', Histogram> = { f: [], m: [], d: [] };
  for (const r of rows) {
    if (r.n < 0) return null;
    out[r.dimension].push({ bucket: Number(r.bucket), n: Number(r.n) });
  }
  return out;
}

/** The bucket holding sorted position k (0-based), and how many come before it. */
function locate(h: Histogram, k: number): { index: number; before: number } {
  let before = 0;
  for (let index = 0; index < h.length; index++) {
    if (k < before + h[index]!.n) return { index, before };
    before += h[index]!.n;
  }
  throw new HistogramDrift(`position ${k} is past the histogram's ${before} buyers`);
}

/**
 * The cut points of a maintained run, by `rfmCutPoints`' tie rule (as `computeCutPoints`): for
 * each k = ceil(s × n / 5), the value at sorted position k if exactly k buyers sit below it,
 * else the next larger value. Positions are found in the histogram; the value itself by reading
 * the one bucket that holds it (a day of last orders, 1,024 minor units of spend) through the
 * indexes; order counts are exact in the histogram.
 */
async function histogramCutPoints(db: Queryable, opts: { workspaceId: string; asOf: Date; histograms: Record<'f' | 'm' | 'd', Histogram> }): Promise<RfmCutPoints> {
  const { f, m, d } = opts.histograms;
  const live = liveBuyer(opts.workspaceId);
  const total = (h: Histogram) => h.reduce((a, b) => a + b.n, 0);
  const n = total(f);
  if (total(m) !== n || total(d) !== n) throw new HistogramDrift(`the histogram counts ${n}, ${total(m)} and ${total(d)} buyers`);
  const ks = quintilePositions(n);
  const pad = <T>(cuts: T[]) => [0, 1, 2, 3].map((i) => cuts[i] ?? null);

  const frequency = ks.map((k) => {
    const { index, before } = locate(f, k);
    return before === k ? f[index]!.bucket : (f[index + 1]?.bucket ?? null);
  });

  const spendBucket = async (bucket: number): Promise<number[]> => {
    const lo = bucket * 2 ** SPEND_BUCKET_BITS;
    const { rows } = await db.execute<{ v: string }>(sql`
      select m.total_spend as v from customer_metrics m
      where ${live} and m.total_spend >= ${lo} and m.total_spend < ${lo + 2 ** SPEND_BUCKET_BITS} order by 1`);
    return rows.map((r) => Number(r.v));
  };
  const monetary: (number | null)[] = [];
  for (const k of ks) {
    const { index, before } = locate(m, k);
    const values = await spendBucket(m[index]!.bucket);
    if (values.length !== m[index]!.n) throw new HistogramDrift(`spend bucket ${m[index]!.bucket}: ${values.length} buyers, histogram ${m[index]!.n}`);
    const w = values[k - before]!;
    const below = before + values.indexOf(w);
    const next = values.find((v) => v > w) ?? (m[index + 1] ? (await spendBucket(m[index + 1]!.bucket))[0] : undefined) ?? null;
    monetary.push(below === k ? w : next);
  }

  // Recency: position k counts from the oldest last order (the largest recency ranks lowest).
  // Recency days run from asOf, not from UTC midnight, so the count strictly below is taken
  // again at the recency found.
  const rec = recencyOf(opts.asOf);
  const inDay = (day: number) =>
    sql`m.last_order_at >= ${new Date(day * DAY_MS).toISOString()}::timestamptz and m.last_order_at < ${new Date((day + 1) * DAY_MS).toISOString()}::timestamptz`;
  const recency: (number | null)[] = [];
  for (const k of ks) {
    const { index, before } = locate(d, k);
    const day = d[index]!.bucket;
    const { rows } = await db.execute<{ rec: number }>(sql`
      select ${rec} as rec from customer_metrics m
      where ${live} and ${inDay(day)}
      order by m.last_order_at`);
    if (rows.length !== d[index]!.n) throw new HistogramDrift(`last-order day ${day}: ${rows.length} buyers, histogram ${d[index]!.n}`);
    const r = Number(rows[k - before]!.rec);
    // Buyers with recency > r: every day bucket before the one holding asOf − (r + 1) days, and
    // those of that day with recency > r.
    const edge = opts.asOf.getTime() - (r + 1) * DAY_MS;
    const edgeDay = Math.floor(edge / DAY_MS);
    const older = d.filter((b) => b.bucket < edgeDay).reduce((a, b) => a + b.n, 0);
    const { rows: part } = await db.execute<{ n: number }>(sql`
      select count(*)::int as n from customer_metrics m
      where ${live} and ${inDay(edgeDay)} and ${rec} > ${r}`);
    if (older + Number(part[0]!.n) === k) {
      recency.push(r);
      continue;
    }
    // Ties reach below position k: the cut is the next recency present, the largest below r.
    const { rows: nextRows } = await db.execute<{ rec: number }>(sql`
      select ${rec} as rec from customer_metrics m
      where ${live} and m.last_order_at > ${new Date(edge).toISOString()}::timestamptz and ${rec} < ${r}
      order by m.last_order_at limit 1`);
    recency.push(nextRows[0] ? Number(nextRows[0].rec) : null);
  }
  return { recency: pad(recency), frequency: pad(frequency), monetary: pad(monetary) };
}

/** A maintained run's cut points from today's histograms, or null when the histogram has drifted from the rows. */
async function maintainedCutPoints(
  db: Queryable,
  opts: { workspaceId: string; asOf: Date; histograms: Record<'f' | 'm' | 'd', Histogram> },
): Promise<RfmCutPoints | null> {
  try {
    return await histogramCutPoints(db, opts);
  } catch (err) {
    if (err instanceof HistogramDrift) return null;
    throw err;
  }
}

/** Conditions on `column` true where a step `column >= cut` differs between two sets of cut points. */
function flippedSteps(column: SQL, before: (number | null)[], after: (number | null)[]): SQL[] {
  const out: SQL[] = [];
  for (let i = 0; i < 4; i++) {
    const a = before[i] ?? null;
    const b = after[i] ?? null;
    if (a === b) continue;
    if (a === null || b === null) out.push(sql`${column} >= ${a ?? b}`);
    else out.push(sql`${column} >= ${Math.min(a, b)} and ${column} < ${Math.max(a, b)}`);
  }
  return out;
}

/**
 * Conditions on the last order time true where a recency step may differ from the stored score.
 * `recency <= c` holds for a last order after asOf − (c + 1) days. The basis scored at its time
 * with cut a; incremental runs since scored with the same a at times up to now; the new run
 * scores with cut b now. A customer's step can differ only with a last order between the
 * earliest and the latest of those instants.
 */
function flippedRecency(basis: RfmBasis, asOf: Date, after: (number | null)[]): SQL[] {
  const out: SQL[] = [];
  const span = asOf.getTime() - basis.asOf.getTime();
  const at = (ms: number) => sql`${new Date(ms).toISOString()}::timestamptz`;
  for (let i = 0; i < 4; i++) {
    const a = basis.cutPoints.recency[i] ?? null;
    const b = after[i] ?? null;
    const old = a === null ? null : basis.asOf.getTime() - (a + 1) * DAY_MS;
    const now = b === null ? null : asOf.getTime() - (b + 1) * DAY_MS;
    if (old === null && now === null) continue;
    if (old === null || now === null) out.push(sql`m.last_order_at > ${at(Math.min(old ?? Infinity, now ?? Infinity))}`);
    else if (span > 0 || old !== now) out.push(sql`m.last_order_at > ${at(Math.min(old, now))} and m.last_order_at <= ${at(Math.max(old + span, now))}`);
  }
  return out;
}

/**
 * The customers a maintained run rescores, into a temporary table: those whose inputs changed
 * since they were scored (`RFM_DIRTY`, an index of its own), and those whose values sit where
 * the new cut points place them differently from the basis (index ranges on order count, spend
 * and last order). Everyone else keeps scores that the new cut points would give them again.
 */
async function rfmCandidates(db: Queryable, opts: { workspaceId: string; asOf: Date; basis: RfmBasis; cutPoints: RfmCutPoints }): Promise<number> {
  const ws = sql`m.workspace_id = ${opts.workspaceId}::uuid`;
  const ranges = [
    ...flippedSteps(sql`m.order_count`, opts.basis.cutPoints.frequency, opts.cutPoints.frequency),
    ...flippedSteps(sql`m.total_spend`, opts.basis.cutPoints.monetary, opts.cutPoints.monetary),
    ...flippedRecency(opts.basis, opts.asOf, opts.cutPoints.recency),
  ];
  const branches = [
    sql`select customer_id from rfm_dirty`,
    ...ranges.map((r) => sql`select m.customer_id from customer_metrics m where ${ws} and m.last_order_at is not null and ${r}`),
  ];
  await db.execute(sql`drop table if exists pg_temp.rfm_candidates`);
  // Deleted customers stay marked while deleted (customer-link.ts) but are not ranked.
  await db.execute(sql`
    create temporary table rfm_candidates on commit drop as
    select u.customer_id from (${sql.join(branches, sql` union `)}) u
    where ${notDeleted(opts.workspaceId, sql`u.customer_id`)}`);
  await db.execute(sql`analyze rfm_candidates`);
  const { rows } = await db.execute<{ n: number }>(sql`select count(*)::int as n from rfm_candidates`);
  return Number(rows[0]?.n ?? 0);
}

/** The sorted positions k = ceil(s × n / 5), s = 1…4, that the cut points for scores 2–5 sit at (those inside n). */
function quintilePositions(n: number): number[] {
  return [1, 2, 3, 4].map((s) => Math.ceil((s * n) / 5)).filter((k) => k < n);
}

/**
 * The cut points of a full run, found in the database by the rule of `rfmCutPoints` (the pure
 * code, which the tests hold this to): the cut for score s is the smallest value with at least
 * k = ceil((s − 1) × n / 5) buyers strictly below it. `percentile_disc` finds the value at sorted
 * position k; if some of its copies sit before k, the cut is the next larger value. Two passes
 * over the buyers, nothing sent to Node but sixteen numbers (the million values themselves were
 * most of the run's time when they were).
 */
async function computeCutPoints(db: Queryable, values: SQL): Promise<RfmCutPoints> {
  const buyers = sql`(select * from (${values}) v where v.rec is not null) b`;
  const { rows: counted } = await db.execute<{ n: number }>(sql`select count(*)::int as n from ${buyers}`);
  const n = Number(counted[0]?.n ?? 0);
  const ks = quintilePositions(n);
  if (ks.length === 0) return { recency: [null, null, null, null], frequency: [null, null, null, null], monetary: [null, null, null, null] };
  // Recency ranks the other way round (fewer days is better): its keys are the negated days.
  const columns = [
    { name: 'recency', key: sql`(-b.rec)::float8` },
    { name: 'frequency', key: sql`b.freq::float8` },
    { name: 'monetary', key: sql`b.mon::float8` },
  ] as const;
  const fractions = sql.param(ks.map((k) => (k + 0.5) / n));
  const { rows: at } = await db.execute<Record<string, number[]>>(sql`
    select ${sql.join(columns.map((c) => sql`percentile_disc(${fractions}::float8[]) within group (order by ${c.key}) as ${sql.identifier(c.name)}`), sql`, `)}
    from ${buyers}`);
  const v = (c: string, i: number) => Number(at[0]![c]![i]);
  const checks: SQL[] = [];
  columns.forEach((c) =>
    ks.forEach((_, i) => {
      checks.push(sql`count(*) filter (where ${c.key} < ${v(c.name, i)}::float8)::int`, sql`min(${c.key}) filter (where ${c.key} > ${v(c.name, i)}::float8)`);
    }),
  );
  const { rows: found } = await db.execute<{ checks: (number | null)[] }>(sql`select array[${sql.join(checks, sql`, `)}]::float8[] as checks from ${buyers}`);
  const out = found[0]!.checks;
  const cuts = (c: (typeof columns)[number], ci: number) =>
    [0, 1, 2, 3].map((i) => {
      if (i >= ks.length) return null;
      const below = Number(out[(ci * ks.length + i) * 2]);
      const next = out[(ci * ks.length + i) * 2 + 1];
      const cut = below === ks[i] ? v(c.name, i) : next === null ? null : Number(next);
      return cut === null ? null : c.name === 'recency' ? -cut : cut;
    });
  return { recency: cuts(columns[0], 0), frequency: cuts(columns[1], 1), monetary: cuts(columns[2], 2) };
}

/** Buyers placed by cut points (the smallest value reaching 2, 3, 4, 5; for recency the largest). */
function scoredRows(opts: { values: SQL; cutPoints: RfmCutPoints }): SQL {
  const cp = opts.cutPoints;
  const rSteps = cp.recency.filter((c): c is number => c !== null).map((c) => sql` + (b.rec <= ${c})::int`);
  return sql`
    select b.customer_id, b.freq, b.mon, b.rec, b.last_order_at, b.cur_frequency, b.cur_monetary, b.cur_last_order_at, b.cur_r, b.cur_f, b.cur_m, b.cur_segment, b.cur_grade, b.cur_unscored,
      case when b.rec is null then null else (1${sql.join(rSteps, sql``)}) end as r,
      case when b.rec is null then null else ${cutScore(sql`b.freq`, cp.frequency)} end as f,
      case when b.rec is null then null else ${cutScore(sql`b.mon`, cp.monetary)} end as m
    from (${opts.values}) b
    -- offset 0 keeps this a subquery of its own: flattened, r, f and m were re-expanded into every
    -- branch of the segment and grade CASEs that read them (dozens of times per row).
    offset 0`;
}

/**
 * Writes RFM values, scores, segments and grades of the customers whose figures changed, and
 * returns those whose grade changed. The new figures are compared with the stored ones in one pass;
 * only the changed rows (all of them on a first run, few on a daily one) are then updated by key.
 * With `histogram`, the same statement moves the written rows' inputs in the RFM histogram
 * from their old buckets to their new ones.
 */
async function writeRfmAndGrades(
  db: Queryable,
  opts: { workspaceId: string; asOf: Date; settings: AnalyticsSettings; values: SQL; cutPoints: RfmCutPoints; histogram: boolean },
): Promise<{ written: number; changes: { customerId: string; from: string | null; to: string | null }[] }> {
  const ws = opts.workspaceId;
  const now = opts.asOf.toISOString();
  const grade = gradeCase(opts.settings.grades);
  await db.execute(sql`drop table if exists pg_temp.rfm_changed`);
  await db.execute(sql`
    create temporary table rfm_changed on commit drop as
    select g.* from (
      select s.customer_id, s.cur_grade as old_grade, s.cur_unscored,
        case when s.rec is null then null else s.freq end as freq, case when s.rec is null then null else s.mon end as mon, s.last_order_at,
        s.r::smallint as r, s.f::smallint as f, s.m::smallint as m, ${segmentCase()} as segment, ${grade} as grade,
        s.cur_frequency as rfm_frequency, s.cur_monetary as rfm_monetary, s.cur_last_order_at as rfm_last_order_at,
        s.cur_r as rfm_r, s.cur_f as rfm_f, s.cur_m as rfm_m, s.cur_segment as rfm_segment
      from (${scoredRows({ values: opts.values, cutPoints: opts.cutPoints })}) s
    ) g
    where g.cur_unscored or (g.rfm_frequency, g.rfm_monetary, g.rfm_last_order_at, g.rfm_r, g.rfm_f, g.rfm_m, g.rfm_segment, g.old_grade)
      is distinct from (g.freq, g.mon, g.last_order_at, g.r, g.f, g.m, g.segment, g.grade)`);
  const histogram = opts.histogram
    ? sql`, moved as (
        insert into rfm_histograms as h (workspace_id, dimension, bucket, customers)
        select ${ws}::uuid, x.dimension, x.bucket, sum(x.n)::int from (
          ${histogramRows(sql`written`, -1, { f: 'old_frequency', m: 'old_monetary', d: 'old_last_order_at' })}
          union all
          ${histogramRows(sql`written`, 1, { f: 'freq', m: 'mon', d: 'last_order_at' })}
        ) x group by 2, 3 having sum(x.n) <> 0
        on conflict (workspace_id, dimension, bucket) do update set customers = h.customers + excluded.customers
      )`
    : sql``;
  const { rows } = await db.execute<{ customer_id: string; old_grade: string | null; grade: string | null }>(sql`
    with written as (
      update customer_metrics m set
        rfm_frequency = c.freq, rfm_monetary = c.mon, rfm_last_order_at = c.last_order_at, rfm_r = c.r, rfm_f = c.f, rfm_m = c.m,
        rfm_segment = c.segment, grade = c.grade,
        grade_since = case when c.old_grade is distinct from c.grade then ${now}::timestamptz else m.grade_since end,
        scores_updated_at = ${now}::timestamptz
      from rfm_changed c
      where m.workspace_id = ${ws}::uuid and m.customer_id = c.customer_id
      returning m.customer_id, c.old_grade, c.grade, c.freq, c.mon, c.last_order_at,
        c.rfm_frequency as old_frequency, c.rfm_monetary as old_monetary, c.rfm_last_order_at as old_last_order_at
    )${histogram}
    select customer_id, old_grade, grade from written where old_grade is distinct from grade and old_grade is not null
    union all
    -- The count of rows written, as one row with no customer.
    select null, null, count(*)::text from written`);
  const total = rows.find((r) => r.customer_id === null);
  const changes = rows.filter((r) => r.customer_id !== null).map((r) => ({ customerId: r.customer_id, from: r.old_grade, to: r.grade }));
  if (opts.histogram) await db.execute(sql`delete from rfm_histograms where workspace_id = ${ws}::uuid and customers = 0`);
  return { written: Number(total?.grade ?? 0), changes };
}

/**
 * After a complete run: customers deleted before their deletion marked them (see
 * customer-link.ts) are marked now, and the histogram is counted afresh from what was written.
 */
async function rebuildRfmHistogram(db: Queryable, workspaceId: string): Promise<void> {
  const ws = workspaceId;
  await db.execute(sql`
    update customer_metrics m set scores_updated_at = null
    from customers c
    where c.workspace_id = ${ws}::uuid and c.deleted_at is not null and m.workspace_id = ${ws}::uuid and m.customer_id = c.id and m.scores_updated_at is not null`);
  await db.execute(sql`delete from rfm_histograms where workspace_id = ${ws}::uuid`);
  await db.execute(sql`
    insert into rfm_histograms (workspace_id, dimension, bucket, customers)
    select ${ws}::uuid, x.dimension, x.bucket, count(*)::int
    from (${histogramRows(sql`customer_metrics m`, 1, { f: 'm.rfm_frequency', m: 'm.rfm_monetary', d: 'm.rfm_last_order_at' })} and m.workspace_id = ${ws}::uuid) x
    group by 2, 3`);
}

/** Orders per customer as the CLV models see them, in a temporary table of this transaction. */
async function buildClvSummary(db: Queryable, opts: { workspaceId: string; asOf: Date; touched: boolean }): Promise<void> {
  const ws = opts.workspaceId;
  const asOf = opts.asOf.toISOString();
  await db.execute(sql`drop table if exists pg_temp.clv_summary`);
  // Same-day orders are one purchase (days in the workspace time zone); x counts repeat
  // purchases, tx the days from the first to the last, T the days from the first to now, zbar
  // the mean value of the repeat purchases (minor units).
  await db.execute(sql`
    create temporary table clv_summary on commit drop as
    with tz as (select time_zone, currency from workspaces where id = ${ws}::uuid),
    d as (
      select o.customer_id, (o.placed_at at time zone tz.time_zone)::date as day, sum(o.total - o.refunded_total)::float8 as amount
      from orders o, tz
      where o.workspace_id = ${ws}::uuid and o.customer_id is not null and o.status <> 'cancelled' and o.placed_at <= ${asOf}::timestamptz
        and o.currency = tz.currency
        ${opts.touched ? sql`and o.customer_id in (select customer_id from scores_touched)` : sql``}
      group by 1, 2
    ), f as (
      select customer_id, min(day) as first_day, max(day) as last_day, count(*) - 1 as x, sum(amount) as total,
        (array_agg(amount order by day))[1] as first_amount
      from d group by 1
    )
    select f.customer_id, f.x::int as x, (f.last_day - f.first_day)::int as tx_days,
      ((${asOf}::timestamptz at time zone (select time_zone from tz))::date - f.first_day)::int as t_days,
      case when f.x > 0 then (f.total - f.first_amount) / f.x end as zbar
    from f`);
}

/**
 * Calibration/holdout check of BG/NBD on this workspace's own orders: fitted on the orders up to
 * `predictionDays` before now, its predicted purchases in the days since are compared with the
 * purchases made, by calibration frequency (0, 1, … 7+), as Fader, Hardie & Lee report it.
 */
async function holdoutValidation(db: Queryable, opts: { workspaceId: string; asOf: Date; holdoutDays: number }) {
  const ws = opts.workspaceId;
  const { rows } = await db.execute<{ x: number; tx_days: number; t_days: number; n: number; hx: number }>(sql`
    with tz as (select time_zone, currency from workspaces where id = ${ws}::uuid),
    bounds as (
      select (${opts.asOf.toISOString()}::timestamptz at time zone tz.time_zone)::date as end_day,
        (${opts.asOf.toISOString()}::timestamptz at time zone tz.time_zone)::date - ${opts.holdoutDays}::int as cal_day
      from tz
    ),
    d as (
      select o.customer_id, (o.placed_at at time zone tz.time_zone)::date as day
      from orders o, tz
      where o.workspace_id = ${ws}::uuid and o.customer_id is not null and o.status <> 'cancelled'
        and o.placed_at <= ${opts.asOf.toISOString()}::timestamptz and o.currency = tz.currency
      group by 1, 2
    ),
    f as (
      select d.customer_id, min(d.day) as first_day, max(d.day) filter (where d.day <= b.cal_day) as last_day,
        count(*) filter (where d.day <= b.cal_day) - 1 as x, count(*) filter (where d.day > b.cal_day) as hx, b.cal_day
      from d, bounds b group by d.customer_id, b.cal_day
    )
    select x::int, (last_day - first_day)::int as tx_days, (cal_day - first_day)::int as t_days, count(*)::int as n, sum(hx)::int as hx
    from f where first_day <= cal_day group by 1, 2, 3`);
  const tuples = rows.map((r) => ({ x: Number(r.x), tx: Number(r.tx_days) / WEEK_DAYS, T: Number(r.t_days) / WEEK_DAYS, n: Number(r.n), hx: Number(r.hx) }));
  const repeaters = tuples.reduce((a, t) => a + (t.x > 0 ? t.n : 0), 0);
  if (tuples.length < 3 || repeaters < 10) return null;
  // The rows are distinct (x, tx, T) already: grouped by the query.
  const params = await runStepsInSlices(fitBgNbdSteps(tuples.map((t) => ({ x: t.x, tx: t.tx, T: t.T, weight: t.n }))));
  const last = 7;
  const buckets = Array.from({ length: last + 1 }, (_, k) => ({ frequency: k, label: k === last ? `${k}+` : String(k), customers: 0, predicted: 0, actual: 0 }));
  const predict = function* (): Steps<void> {
    for (const [k, t] of tuples.entries()) {
      if ((k & 0xff) === 0xff) yield;
      const b = buckets[Math.min(t.x, last)]!;
      b.customers += t.n;
      b.predicted += t.n * conditionalExpectedPurchases(params, opts.holdoutDays / WEEK_DAYS, t);
      b.actual += t.hx;
    }
  };
  await runStepsInSlices(predict());
  return {
    holdoutDays: opts.holdoutDays,
    calibrationParams: { r: params.r, alpha: params.alpha, a: params.a, b: params.b },
    buckets: buckets.map((b) => ({
      frequency: b.frequency,
      label: b.label,
      customers: b.customers,
      meanPredicted: b.customers ? b.predicted / b.customers : 0,
      meanActual: b.customers ? b.actual / b.customers : 0,
    })),
    totals: { customers: buckets.reduce((a, b) => a + b.customers, 0), predicted: buckets.reduce((a, b) => a + b.predicted, 0), actual: buckets.reduce((a, b) => a + b.actual, 0) },
  };
}

type ClvFit = { bgnbd: (BgNbdParams & { logLikelihood: number; converged?: boolean }) | null; gammaGamma: GammaGammaParams | null; distinctTuples: number; fitMs: number };

async function fitClvModels(db: Queryable): Promise<ClvFit> {
  const { rows: tuples } = await db.execute<{ x: number; tx_days: number; t_days: number; n: number }>(
    sql`select x, tx_days, t_days, count(*)::int as n from clv_summary group by 1, 2, 3`,
  );
  // Spend rounded to whole minor units: identical (x, zbar) pairs then fit as one weighted row.
  const { rows: spend } = await db.execute<{ x: number; zbar: number; n: number }>(
    sql`select x, round(zbar)::float8 as zbar, count(*)::int as n from clv_summary where x > 0 and zbar > 0 group by 1, 2`,
  );
  const t0 = performance.now();
  // Distinct (x, tx, T) rows already: grouped by the query.
  const rf = tuples.map((t) => ({ x: Number(t.x), tx: Number(t.tx_days) / WEEK_DAYS, T: Number(t.t_days) / WEEK_DAYS, weight: Number(t.n) }));
  // A model needs repeat buyers to learn from; with too few it says nothing rather than nonsense.
  const repeaters = tuples.reduce((s, t) => s + (Number(t.x) > 0 ? Number(t.n) : 0), 0);
  // In slices (steps.ts): a fit over a million customers takes seconds, in the thread where the
  // worker applies live segment updates (and `npm start` serves the API).
  const bgnbd = rf.length >= 3 && repeaters >= 10 ? await runStepsInSlices(fitBgNbdSteps(rf)) : null;
  const gammaGamma =
    spend.length >= 3
      ? await runStepsInSlices(fitGammaGammaSteps(spend.map((s) => ({ x: Number(s.x), zbar: Number(s.zbar), weight: Number(s.n) }))))
      : null;
  return {
    bgnbd: bgnbd ? { r: bgnbd.r, alpha: bgnbd.alpha, a: bgnbd.a, b: bgnbd.b, logLikelihood: bgnbd.logLikelihood, converged: bgnbd.converged } : null,
    gammaGamma: gammaGamma ? { p: gammaGamma.p, q: gammaGamma.q, v: gammaGamma.v } : null,
    distinctTuples: tuples.length,
    fitMs: performance.now() - t0,
  };
}

/**
 * The discounted expected purchases over the horizon, so that CLV = this × expected spend:
 * `customerLifetimeValue` (lifetimes' method) with a spend of 1, discounted month by month.
 */
export function discountedPurchases(params: BgNbdParams, c: { x: number; tx: number; T: number }, o: { horizonDays: number; annualRate: number }): number {
  return customerLifetimeValue({
    model: { kind: 'bg-nbd', params },
    customer: c,
    expectedSpend: 1,
    horizon: o.horizonDays / WEEK_DAYS,
    annualDiscountRate: o.annualRate,
    timeUnitDays: WEEK_DAYS,
    period: 30 / WEEK_DAYS,
  });
}

/**
 * A PostgreSQL array literal of the numbers, made in steps (steps.ts), to pass as text: the
 * driver's own conversion of six arrays of 230k figures took ~1 s in one piece.
 */
function* arrayLiteral(values: readonly (number | null)[]): Steps<string> {
  const parts: string[] = [];
  for (let i = 0; i < values.length; i += 4096) {
    parts.push(values.slice(i, i + 4096).map((v) => (v === null ? 'NULL' : String(v))).join(','));
    yield;
  }
  return `{${parts.join(',')}}`;
}

async function writeClv(db: Queryable, opts: { workspaceId: string; asOf: Date; settings: AnalyticsSettings; fit: ClvFit }): Promise<number> {
  const { bgnbd, gammaGamma } = opts.fit;
  if (!bgnbd) return 0;
  const { rows: tuples } = await db.execute<{ x: number; tx_days: number; t_days: number }>(sql`select distinct x, tx_days, t_days from clv_summary`);
  const xs: number[] = [];
  const txs: number[] = [];
  const ts: number[] = [];
  const alive: (number | null)[] = [];
  const expected: (number | null)[] = [];
  const discounted: (number | null)[] = [];
  // In slices too (steps.ts): the figures of ~200k distinct histories at 1M customers are seconds of work.
  const figures = function* (params: BgNbdParams): Steps<void> {
    for (const t of tuples) {
      if ((xs.length & 0xff) === 0xff) yield;
      const c = { x: Number(t.x), tx: Number(t.tx_days) / WEEK_DAYS, T: Number(t.t_days) / WEEK_DAYS };
      xs.push(c.x);
      txs.push(Number(t.tx_days));
      ts.push(Number(t.t_days));
      // A degenerate fit (e.g. a → 0 when nobody ever drops out) can make a figure NaN or infinite
      // for some histories: those customers get no figure rather than a wrong one.
      const finite = (v: number) => (Number.isFinite(v) ? v : null);
      alive.push(finite(probabilityAlive(params, c)));
      expected.push(finite(conditionalExpectedPurchases(params, opts.settings.predictionDays / WEEK_DAYS, c)));
      discounted.push(gammaGamma ? finite(discountedPurchases(params, c, { horizonDays: opts.settings.clvHorizonDays, annualRate: opts.settings.clvDiscountRate })) : 0);
    }
  };
  await runStepsInSlices(figures(bgnbd));
  const a = {
    xs: await runStepsInSlices(arrayLiteral(xs)),
    txs: await runStepsInSlices(arrayLiteral(txs)),
    ts: await runStepsInSlices(arrayLiteral(ts)),
    alive: await runStepsInSlices(arrayLiteral(alive)),
    expected: await runStepsInSlices(arrayLiteral(expected)),
    discounted: await runStepsInSlices(arrayLiteral(discounted)),
  };
  // Gamma-Gamma's conditional expected spend: p(v + x·zbar) / (px + q − 1); with no repeat
  // purchase, the population mean pv / (q − 1).
  const spend = gammaGamma
    ? sql`case when s.x > 0 and s.zbar > 0 then ${gammaGamma.p}::float8 * (${gammaGamma.v}::float8 + s.x * s.zbar) / (${gammaGamma.p}::float8 * s.x + ${gammaGamma.q}::float8 - 1)
        else ${gammaGamma.p}::float8 * ${gammaGamma.v}::float8 / (${gammaGamma.q}::float8 - 1) end`
    : sql`null::float8`;
  // Rounded (P(alive) to 4 decimals, expected purchases to 3, CLV to whole minor units) and
  // written only where they changed: the figures move a little every day for everyone, and a
  // daily run need not rewrite a million rows for changes nobody can see.
  const { rowCount } = await db.execute(sql`
    update customer_metrics m set
      p_alive = n.p, expected_purchases = n.e, clv = n.clv,
      -- Null stays null: it marks a customer RFM has yet to score (a deleted one, see RFM_DIRTY).
      scores_updated_at = case when m.scores_updated_at is null then null else ${opts.asOf.toISOString()}::timestamptz end
    from (
      select s.customer_id, round(t.p::numeric, 4)::float8 as p, round(t.e::numeric, 3)::float8 as e,
        case when ${gammaGamma !== null} then round(t.d * ${spend})::bigint else null end as clv
      from clv_summary s
      join unnest(${a.xs}::int[], ${a.txs}::int[], ${a.ts}::int[], ${a.alive}::float8[], ${a.expected}::float8[], ${a.discounted}::float8[])
        as t(x, tx_days, t_days, p, e, d) on t.x = s.x and t.tx_days = s.tx_days and t.t_days = s.t_days
    ) n
    where m.workspace_id = ${opts.workspaceId}::uuid and m.customer_id = n.customer_id
      and (m.p_alive, m.expected_purchases, m.clv) is distinct from (n.p, n.e, n.clv)`);
  return rowCount ?? 0;
}

/**
 * The churn early warning: buyers whose P(alive) fell below the workspace threshold, or whose
 * last order is older than its recency threshold. Priority = CLV weighted by grade (top grade
 * first). Newly flagged customers get a `Churn Risk Flagged` event.
 */
async function flagChurnRisk(db: Queryable, opts: { workspaceId: string; asOf: Date; settings: AnalyticsSettings; touched: boolean; count: boolean }) {
  const ws = opts.workspaceId;
  const now = opts.asOf.toISOString();
  const levels = opts.settings.grades.length;
  const gradeWeight = levels
    ? sql`case m.grade ${sql.join(opts.settings.grades.map((g, i) => sql`when ${g.name}::text then ${levels - i}`), sql` `)} else 0 end`
    : sql`0`;
  const { rows } = await db.execute<{ customer_id: string; flagged: boolean; newly: boolean; p_alive: number | null; clv: number | null; grade: string | null; recency: number | null }>(sql`
    with n as (
      select m.customer_id,
        (m.order_count > 0 and ((m.p_alive is not null and m.p_alive < ${opts.settings.churnPAlive}) or ${recencyOf(opts.asOf)} > ${opts.settings.churnRecencyDays})) as risk,
        (1 + ${gradeWeight}) * (1 + coalesce(m.clv, m.total_spend, 0)::float8) as priority,
        m.churn_risk as was
      from customer_metrics m
      join customers c on c.workspace_id = m.workspace_id and c.id = m.customer_id and c.deleted_at is null
      where m.workspace_id = ${ws}::uuid
        ${opts.touched ? sql`and m.customer_id in (select customer_id from scores_touched)` : sql``}
    )
    update customer_metrics m set
      churn_risk = n.risk,
      churn_flagged_at = case when n.risk and not n.was then ${now}::timestamptz when n.risk then m.churn_flagged_at else null end,
      churn_priority = case when n.risk then n.priority else null end
    from n
    where m.workspace_id = ${ws}::uuid and m.customer_id = n.customer_id
      and (m.churn_risk is distinct from n.risk or (n.risk and m.churn_priority is distinct from n.priority))
    returning m.customer_id, n.risk as flagged, (n.risk and not n.was) as newly, m.p_alive, m.clv, m.grade, ${recencyOf(opts.asOf)} as recency`);
  const newly = rows.filter((r) => r.newly);
  await insertEvents(
    db,
    ws,
    CHURN_RISK_EVENT,
    newly.map((r) => ({
      messageId: `churn-risk:${r.customer_id}:${now.slice(0, 10)}`,
      customerId: r.customer_id,
      properties: {
        p_alive: r.p_alive,
        clv: r.clv === null ? null : Number(r.clv),
        grade: r.grade,
        days_since_last_order: r.recency,
        reason: r.p_alive !== null && r.p_alive < opts.settings.churnPAlive ? 'p_alive' : 'recency',
      },
    })),
    opts.asOf,
  );
  // The customers at risk in all, once (by the last chunk of an incremental run).
  if (!opts.count) return { atRisk: 0, newlyFlagged: newly.length };
  const { rows: count } = await db.execute<{ n: number }>(sql`select count(*)::int as n from customer_metrics where workspace_id = ${ws}::uuid and churn_risk`);
  return { atRisk: Number(count[0]?.n ?? 0), newlyFlagged: newly.length };
}

/** Rapport's own observations about customers, as events on their timelines. */
async function insertEvents(
  db: Queryable,
  workspaceId: string,
  name: string,
  list: { messageId: string; customerId: string; properties: Record<string, unknown> }[],
  at: Date,
): Promise<void> {
  const timestamp = at.toISOString();
  await recordObservedEvents(db, { workspaceId, name, source: 'analytics', events: list.map((e) => ({ ...e, timestamp })) });
}

/**
 * One scoring run for a workspace. `full` ranks every buyer afresh and refits the CLV models;
 * `incremental` rescores only customers whose metrics changed since the last run, against the
 * last full run's cut points and fitted parameters (falls back to full when there is none).
 */
export async function refreshScores(
  db: Db,
  opts: { workspaceId: string; mode?: RunMode; now?: Date; touched?: Touched; /** Touched customers per transaction (SCORES_CHUNK unless a test asks for fewer). */ chunk?: number },
): Promise<ScoresResult & { runId: string }> {
  const asOf = opts.now ?? new Date();
  const settings = await getAnalyticsSettings(db, { workspaceId: opts.workspaceId });
  const lastFull = await lastRun(db, { workspaceId: opts.workspaceId, kind: 'scores', succeeded: true, mode: 'full' });
  const previous = opts.mode === 'incremental' ? await lastRun(db, { workspaceId: opts.workspaceId, kind: 'scores', succeeded: true }) : null;
  const mode: RunMode = opts.mode === 'incremental' && lastFull && previous ? 'incremental' : 'full';
  const since = mode === 'incremental' ? sinceOf(previous!) : null;
  const prior = lastFull?.result as ScoresResult['result'] | undefined;
  return recordRun(db, { workspaceId: opts.workspaceId, kind: 'scores', mode, now: asOf }, async () => {
    const timings: Record<string, number> = {};
    // A step run once per chunk adds up.
    const time = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
      const t = performance.now();
      const out = await fn();
      timings[name] = (timings[name] ?? 0) + Math.round(performance.now() - t);
      return out;
    };
    // The touched customers are found before the transaction (the refresh may have found them for all its parts).
    const touched = since && prior?.rfm.cutPoints ? await time('touched', () => touchedFor(db, opts.workspaceId, since, opts.touched)) : null;
    // One transaction per chunk of them (one in all for a full run).
    const score = (chunk: Touched['customers'], last: boolean) => db.transaction(async (tx) => {
      // The statements here are big expressions over many rows: PostgreSQL's JIT spent ~1.9 s
      // compiling the RFM update (the update itself takes well under that).
      await tx.execute(sql`set local jit = off`);
      // An incremental run is the hourly one, beside live traffic: its scans keep to one core.
      if (mode === 'incremental') await backgroundSettings(tx);
      // One scores run at a time per workspace: a maintained run moves the histogram by what it writes.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('analytics.scores'), hashtext(${opts.workspaceId}))`);
      // Grouping millions of orders by customer and day spilled to disk at the default 4 MB (and 64 MB).
      await tx.execute(sql`set local work_mem = '128MB'`);
      const ws = opts.workspaceId;
      const windowDays = settings.rfmWindowDays;
      // Three ways to RFM: incremental (the touched customers, the last full run's cut points);
      // maintained (a full re-rank from the aggregates, rescoring only the customers whose
      // scores can have moved since the last full run); complete (everyone, from scratch).
      let method: RfmMethod;
      let values: SQL;
      let cutPoints: RfmCutPoints;
      let candidates: number | null = null;
      let histogramDrift = false;
      const basis = mode === 'full' ? await maintainedBasis(tx, { workspaceId: ws, asOf, settings, lastFull }) : null;
      if (mode === 'incremental' && prior?.rfm.cutPoints) {
        method = 'incremental';
        await time('touchedTable', () => collectTouched(tx, chunk));
        values = rfmValues({ workspaceId: ws, asOf, windowDays, only: touchedOnly(ws) });
        cutPoints = prior.rfm.cutPoints;
      } else {
        const histograms = basis ? await time('rfmHistogram', () => liveHistograms(tx, ws)) : null;
        const maintained = histograms ? await time('cutPoints', () => maintainedCutPoints(tx, { workspaceId: ws, asOf, histograms })) : null;
        if (basis && maintained) {
          method = 'maintained';
          cutPoints = maintained;
          candidates = await time('rfmCandidates', () => rfmCandidates(tx, { workspaceId: ws, asOf, basis, cutPoints: maintained }));
          // The candidates hold no deleted customer: no join to the customers needed.
          values = rfmValues({ workspaceId: ws, asOf, windowDays, only: sql`join rfm_candidates k on k.customer_id = v.customer_id` });
        } else {
          method = 'complete';
          histogramDrift = basis !== null;
          values = await time('rfmValues', () => materializeRfmValues(tx, { workspaceId: ws, asOf, windowDays }));
          cutPoints = await time('cutPoints', () => computeCutPoints(tx, values));
        }
      }
      const rfm = await time('rfm', () => writeRfmAndGrades(tx, { workspaceId: ws, asOf, settings, values, cutPoints, histogram: method !== 'complete' }));
      if (method === 'complete' && windowDays === null) await time('rfmHistogram', () => rebuildRfmHistogram(tx, ws));
      await insertEvents(
        tx,
        opts.workspaceId,
        GRADE_CHANGED_EVENT,
        rfm.changes.map((c) => ({ messageId: `grade:${c.customerId}:${asOf.toISOString()}`, customerId: c.customerId, properties: { from: c.from, to: c.to } })),
        asOf,
      );
      await time('clvSummary', () => buildClvSummary(tx, { workspaceId: opts.workspaceId, asOf, touched: method === 'incremental' }));
      const fit: ClvFit =
        mode === 'incremental' && prior
          ? { bgnbd: prior.clv.bgnbd, gammaGamma: prior.clv.gammaGamma, distinctTuples: prior.clv.distinctTuples, fitMs: 0 }
          : await time('clvFit', () => fitClvModels(tx));
      const clvCustomers = await time('clvWrite', () => writeClv(tx, { workspaceId: opts.workspaceId, asOf, settings, fit }));
      const churn = await time('churn', () => flagChurnRisk(tx, { workspaceId: opts.workspaceId, asOf, settings, touched: method === 'incremental', count: last }));
      const holdout =
        mode === 'full'
          ? await time('holdout', () => holdoutValidation(tx, { workspaceId: opts.workspaceId, asOf, holdoutDays: settings.predictionDays }))
          : (prior?.holdout ?? null);
      return { rfm, cutPoints, method, candidates, histogramDrift, fit, clvCustomers, churn, holdout };
    });
    // An hour of events touches many customers (every one, at 5,000 events/s over 1M), and the
    // rows a transaction writes stay locked until it commits: as one transaction, the live
    // metrics updates of those customers waited for all of it (3 s beside 5,000 events/s for
    // 230k customers). A chunk at a time, each after the live segment updates caught up.
    const customers = touched?.customers ?? [];
    const size = opts.chunk ?? SCORES_CHUNK;
    const chunks: Touched['customers'][] = [];
    for (let i = 0; i < customers.length; i += size) chunks.push(customers.slice(i, i + size));
    if (chunks.length === 0) chunks.push([]);
    let run: Awaited<ReturnType<typeof score>> | undefined;
    for (const [i, chunk] of chunks.entries()) {
      if (i > 0) await yieldToLive(db, opts.workspaceId);
      const next = await score(chunk, i === chunks.length - 1);
      run = !run
        ? next
        : {
            ...next,
            rfm: { written: run.rfm.written + next.rfm.written, changes: [...run.rfm.changes, ...next.rfm.changes] },
            clvCustomers: run.clvCustomers + next.clvCustomers,
            churn: { atRisk: next.churn.atRisk, newlyFlagged: run.churn.newlyFlagged + next.churn.newlyFlagged },
          };
    }
    // Both distributions from one pass over the metrics (a million rows at 1M customers), once
    // the run has committed: an incremental run first lets the live segment updates catch up.
    // An incremental run reads them a range of pages at a time (`pagedPass`), and the counts of the ranges add up.
    const distribution = (range: SQL) => sql`
      select rfm_segment as segment, grade, grouping(rfm_segment) = 0 as by_segment, count(*)::int as n
      from customer_metrics where workspace_id = ${opts.workspaceId}::uuid and (rfm_segment is not null or grade is not null) and ${range}
      group by grouping sets ((rfm_segment), (grade))`;
    type DistRow = { segment: string | null; grade: string | null; by_segment: boolean; n: number };
    let dist: DistRow[];
    if (mode === 'incremental') {
      await yieldToLive(db, opts.workspaceId);
      dist = (await time('distribution', () => pagedPass<DistRow>(db, { workspaceId: opts.workspaceId, table: 'customer_metrics' }, distribution))).rows;
    } else {
      dist = (await time('distribution', () => db.execute<DistRow>(distribution(sql`true`)))).rows;
    }
    const segments: Record<string, number> = {};
    const grades: Record<string, number> = {};
    for (const d of dist) {
      if (d.by_segment && d.segment !== null) segments[d.segment] = (segments[d.segment] ?? 0) + Number(d.n);
      else if (!d.by_segment && d.grade !== null) grades[d.grade] = (grades[d.grade] ?? 0) + Number(d.n);
    }
    const scored = Object.values(segments).reduce((a, b) => a + b, 0);
    const { rfm, cutPoints, method, candidates, histogramDrift, fit, clvCustomers, churn, holdout } = run!;
    return {
      customers: rfm.written,
      result: {
        asOf: asOf.toISOString(),
        rfm: { scored, cutPoints, segments, method, candidates, rules: rfmRules(settings), histogramDrift },
        grades: { changed: rfm.changes.length, distribution: grades },
        clv: { bgnbd: fit.bgnbd, gammaGamma: fit.gammaGamma, customers: clvCustomers, distinctTuples: fit.distinctTuples, fitMs: Math.round(fit.fitMs) },
        churn,
        holdout,
        timingsMs: timings,
        ...(touched ? { touchedReadAt: touched.readAt.toISOString() } : {}),
      },
    };
  });
}

export { DAY_MS };
