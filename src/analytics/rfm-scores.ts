// RFM in SQL, set-based: each buyer's values (recency, frequency, monetary), the cut points of
// a complete run (found in the database by the pure rule of rfm.ts), the scores, named segments
// and grades written where they changed, and the RFM histogram that maintained runs
// (rfm-maintained.ts) rank from. Part of a scores run (scores.ts).
import { sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import type { Grade, GradeRule } from './grades.ts';
import { RFM_SEGMENT_RULES, type RfmCutPoints } from './rfm.ts';
import type { Touched } from './runs.ts';
import type { AnalyticsSettings } from './settings.ts';

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
export const SPEND_BUCKET_BITS = 10;
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
export function histogramRows(relation: SQL, sign: 1 | -1, cols: { f: string; m: string; d: string }): SQL {
  const [f, m, d] = [sql.raw(cols.f), sql.raw(cols.m), sql.raw(cols.d)];
  return sql`
    select x.dimension, x.bucket, ${sign}::int as n from ${relation}
    cross join lateral (values ('f', ${bucketOf.f(f)}), ('m', ${bucketOf.m(m)}), ('d', ${bucketOf.d(d)})) as x(dimension, bucket)
    where ${f} is not null`;
}

/** Each live customer's RFM values (recency in days, null without orders) within the workspace's window, and the scores stored now. */
/** `only`, when given, restricts the customers and must itself keep deleted customers out. */
export function rfmValues(opts: { workspaceId: string; asOf: Date; windowDays: number | null; only?: SQL }): SQL {
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
export async function collectTouched(db: Queryable, customers: Touched['customers']): Promise<void> {
  await db.execute(sql`drop table if exists pg_temp.scores_touched`);
  await db.execute(sql`
    create temporary table scores_touched on commit drop as
    select distinct unnest(${sql.param(customers.map((c) => c.id))}::uuid[]) as customer_id`);
  await db.execute(sql`alter table scores_touched add primary key (customer_id)`);
  await db.execute(sql`analyze scores_touched`);
}

/** Restricts `rfmValues` to the touched customers (`collectTouched`). */
export function touchedOnly(workspaceId: string): SQL {
  return sql`
    join scores_touched t on t.customer_id = v.customer_id
    join customers c on c.workspace_id = ${workspaceId}::uuid and c.id = v.customer_id and c.deleted_at is null`;
}

/**
 * A full run's RFM values, computed once into a temporary table of the transaction: the cut
 * points and the scoring both read it, instead of joining the metrics to the customers twice.
 */
export async function materializeRfmValues(db: Queryable, opts: { workspaceId: string; asOf: Date; windowDays: number | null }): Promise<SQL> {
  await db.execute(sql`drop table if exists pg_temp.rfm_values`);
  await db.execute(sql`create temporary table rfm_values on commit drop as ${rfmValues(opts)}`);
  return sql`select * from rfm_values`;
}

/** What stored scores were computed under: a run under other rules or another window ranks everyone afresh. */
export function rfmRules(settings: AnalyticsSettings): string {
  return JSON.stringify({ histogram: 1, windowDays: settings.rfmWindowDays, grades: settings.grades, segments: RFM_SEGMENT_RULES });
}

/** The customer is not deleted: an anti-join to the few deleted ones (customers_deleted_idx). */
export function notDeleted(workspaceId: string, customerId: SQL): SQL {
  return sql`not exists (select 1 from customers c where c.workspace_id = ${workspaceId}::uuid and c.id = ${customerId} and c.deleted_at is not null)`;
}

/** A live buyer in customer_metrics `m`: has ordered, and the customer is not deleted. */
export function liveBuyer(workspaceId: string): SQL {
  return sql`m.workspace_id = ${workspaceId}::uuid and m.last_order_at is not null and ${notDeleted(workspaceId, sql`m.customer_id`)}`;
}

/** The sorted positions k = ceil(s × n / 5), s = 1…4, that the cut points for scores 2–5 sit at (those inside n). */
export function quintilePositions(n: number): number[] {
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
export async function computeCutPoints(db: Queryable, values: SQL): Promise<RfmCutPoints> {
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
export async function writeRfmAndGrades(
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
export async function rebuildRfmHistogram(db: Queryable, workspaceId: string): Promise<void> {
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
