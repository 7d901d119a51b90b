// CLV in a scores run (scores.ts): the orders summarised per customer (x, tₓ, T, mean repeat
// spend) in a temporary table, BG/NBD and Gamma-Gamma fitted on the distinct histories (far fewer
// than the customers), each history's P(alive), expected purchases and discounted CLV computed
// once in Node and joined back, and the calibration/holdout check of the fit.
import { sql } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import { conditionalExpectedPurchases, fitBgNbdSteps, probabilityAlive, type BgNbdParams } from './bg-nbd.ts';
import { customerLifetimeValue } from './clv.ts';
import { fitGammaGammaSteps, type GammaGammaParams } from './gamma-gamma.ts';
import type { AnalyticsSettings } from './settings.ts';
import { runStepsInSlices, type Steps } from './steps.ts';

/** The CLV models count time in weeks, as the papers and the published CDNOW figures do. */
const WEEK_DAYS = 7;

/** Orders per customer as the CLV models see them, in a temporary table of this transaction. */
export async function buildClvSummary(db: Queryable, opts: { workspaceId: string; asOf: Date; touched: boolean }): Promise<void> {
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
export async function holdoutValidation(db: Queryable, opts: { workspaceId: string; asOf: Date; holdoutDays: number }) {
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

export type ClvFit = { bgnbd: (BgNbdParams & { logLikelihood: number; converged?: boolean }) | null; gammaGamma: GammaGammaParams | null; distinctTuples: number; fitMs: number };

export async function fitClvModels(db: Queryable): Promise<ClvFit> {
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

export async function writeClv(db: Queryable, opts: { workspaceId: string; asOf: Date; settings: AnalyticsSettings; fit: ClvFit }): Promise<number> {
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
