// Materialises the per-customer scores into customer_metrics, one run at a time per workspace:
// RFM values, quintile scores and named segment, the workspace's grade (rfm-scores.ts, and
// rfm-maintained.ts for a full run that need not rank everyone afresh), BG/NBD P(alive) and
// expected purchases, Gamma-Gamma spend and the discounted CLV (clv-scores.ts), and the churn
// early-warning flag (churn-risk.ts). The maths is the pure code beside these files (rfm.ts,
// grades.ts, bg-nbd.ts, gamma-gamma.ts); these files apply it set-based in SQL, so a million
// customers never pass through Node one by one:
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
import type { BgNbdParams } from './bg-nbd.ts';
import { flagChurnRisk } from './churn-risk.ts';
import { buildClvSummary, fitClvModels, holdoutValidation, writeClv, type ClvFit } from './clv-scores.ts';
import type { GammaGammaParams } from './gamma-gamma.ts';
import type { RfmCutPoints } from './rfm.ts';
import { liveHistograms, maintainedBasis, maintainedCutPoints, rfmCandidates } from './rfm-maintained.ts';
import { collectTouched, computeCutPoints, materializeRfmValues, rebuildRfmHistogram, rfmRules, rfmValues, touchedOnly, writeRfmAndGrades } from './rfm-scores.ts';
import { backgroundSettings, pagedPass, recordRun, lastRun, sinceOf, touchedFor, yieldToLive, type RunMode, type Touched } from './runs.ts';
import { getAnalyticsSettings } from './settings.ts';

export const GRADE_CHANGED_EVENT = 'Grade Changed';
/** Touched customers an incremental run scores per transaction. */
const SCORES_CHUNK = 1_000;

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
