// A maintained full RFM run: instead of ranking every buyer from scratch, today's cut points
// come from the RFM histogram (rfm-scores.ts) corrected by the rows whose inputs moved, and only
// the customers those cut points can place differently from the last full run are rescored
// (docs/analytics.md). Part of a scores run (scores.ts).
import { sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import type { RfmCutPoints } from './rfm.ts';
import { histogramRows, liveBuyer, notDeleted, quintilePositions, recencyOf, RFM_DIRTY, rfmRules, SPEND_BUCKET_BITS } from './rfm-scores.ts';
import type { AnalyticsRun } from './runs.ts';
import type { AnalyticsSettings } from './settings.ts';

const DAY_MS = 86_400_000;

/** What a maintained run reads of the last full run's recorded result (ScoresResult in scores.ts). */
type RecordedRfm = { asOf?: string; rfm?: { cutPoints?: RfmCutPoints | null; rules?: string } };

/** The last full run a maintained run builds on: every live buyer's stored scores follow from its cut points at its time. */
export type RfmBasis = { asOf: Date; cutPoints: RfmCutPoints };

/**
 * The basis for a maintained full run, or null when the run must rank everyone afresh: RFM over
 * a window (its values move without any write), no earlier full run, other rules since, or a
 * run since at a time outside [that run, now] (the recency ranges below assume none).
 */
export async function maintainedBasis(
  db: Queryable,
  opts: { workspaceId: string; asOf: Date; settings: AnalyticsSettings; lastFull: AnalyticsRun | null },
): Promise<RfmBasis | null> {
  const last = opts.lastFull;
  const prior = last?.result as RecordedRfm | undefined;
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

type Histogram = { bucket: number; n: number }[];

/** Thrown when the histogram does not match the rows it counts; the run then ranks everyone afresh. */
class HistogramDrift extends Error {}

/**
 * The rows whose inputs moved since they were scored, into a temporary table, and today's
 * histogram of the live buyers' inputs: the stored histogram, minus those rows' stored inputs,
 * plus their live ones (if they are live buyers). Null when the stored histogram does not add up
 * (a bucket below zero): the caller then ranks everyone afresh.
 */
export async function liveHistograms(db: Queryable, workspaceId: string): Promise<Record<'f' | 'm' | 'd', Histogram> | null> {
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
export async function maintainedCutPoints(
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
export async function rfmCandidates(db: Queryable, opts: { workspaceId: string; asOf: Date; basis: RfmBasis; cutPoints: RfmCutPoints }): Promise<number> {
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
