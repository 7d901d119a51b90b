// Advancing the runs that are due: claimed a batch at a time (FOR UPDATE SKIP LOCKED, so any
// number of workers share them), stepped by the pure advanceRun, and everything each step does —
// its message rows (through messaging's gate), profile changes, staff notices, its log row keyed
// by (run, seq), the run's new place — written in one transaction. A crash before the commit
// leaves the runs as they were, due again; after it, nothing is left to repeat.
import { sql } from 'drizzle-orm';
import { clock } from '../clock.ts';
import type { Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { bestHourTimes } from '../messaging/best-hour.ts';
import { nextLocalMinute, isTimeZone } from '../messaging/quiet-hours.ts';
import { createMessages, type SendOutcome, type SendRequest } from '../messaging/send.ts';
import { compileContext } from '../segments/membership.ts';
import { compileSegment } from '../segments/compile.ts';
import { getWorkspace } from '../workspaces/workspaces.ts';
import { durationMs, type DelayStep, type JourneyDefinition } from './graph.ts';
import { applyProfileUpdates, notifyRequests } from './effects.ts';
import { advanceRun, type Action, type Advance } from './stepping.ts';
import { loadVersions, versionKey } from './versions.ts';

export type DueRun = {
  id: string;
  journey_id: string;
  version: number;
  customer_id: string;
  step_id: string | null;
  seq: number;
  waiting: boolean;
  matched: boolean;
  holdout: boolean;
  data: Record<string, unknown>;
};

/** The end of a delay arriving at `now` for a customer in `timeZone`. Pure. */
export function delayEnd(step: DelayStep, now: Date, timeZone: string, bestHourAt: Date | undefined): Date {
  if (step.mode === 'duration') return new Date(now.getTime() + durationMs(step.duration ?? {}));
  if (step.mode === 'best_hour') return bestHourAt ?? now;
  const [h, m] = (step.at ?? '09:00').split(':').map(Number) as [number, number];
  let at = nextLocalMinute(now, timeZone, h * 60 + m);
  if (step.weekday !== undefined) {
    const weekdayOf = (d: Date) => new Date(d.toLocaleString('en-US', { timeZone })).getDay();
    for (let i = 0; i < 7 && weekdayOf(at) !== step.weekday; i++) at = nextLocalMinute(new Date(at.getTime() + 60_000), timeZone, h * 60 + m);
  }
  return at;
}

/** Reads the answers of the conditions the runs stopped at, one query per (version, step). */
async function answerConditions(
  db: Queryable,
  opts: { workspaceId: string; now: Date; asks: { run: DueRun; stepId: string; def: JourneyDefinition }[] },
): Promise<Map<string, Set<string>>> {
  const groups = new Map<string, { def: JourneyDefinition; stepId: string; customers: string[] }>();
  for (const a of opts.asks) {
    const key = `${versionKey(a.run.journey_id, a.run.version)}:${a.stepId}`;
    const g = groups.get(key) ?? { def: a.def, stepId: a.stepId, customers: [] };
    g.customers.push(a.run.customer_id);
    groups.set(key, g);
  }
  const yes = new Map<string, Set<string>>();
  for (const [key, g] of groups) {
    const step = g.def.graph.steps.find((s) => s.id === g.stepId);
    if (step?.type !== 'condition') continue;
    const ctx = compileContext({ workspaceId: opts.workspaceId, now: opts.now, customerIds: g.customers });
    const { rows } = await db.execute<{ customer_id: string }>(compileSegment(step.definition, ctx));
    yes.set(key, new Set(rows.map((r) => r.customer_id)));
  }
  return yes;
}

/** Creates the messages of the send steps; a request the gate refuses as invalid fails its run alone. */
async function createSends(db: Queryable, reqs: SendRequest[]): Promise<(SendOutcome | { error: string })[]> {
  if (reqs.length === 0) return [];
  try {
    return await createMessages(db, reqs);
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    const out: (SendOutcome | { error: string })[] = [];
    for (const r of reqs) {
      try {
        out.push((await db.transaction((sp) => createMessages(sp, [r])))[0]!);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        out.push({ error: err.message.replace(/^requests\[0\]\./, '') });
      }
    }
    return out;
  }
}

/** Advances up to `limit` due runs of the workspace; returns how many it claimed (0: none are due). */
export async function advanceDueRuns(db: Queryable, opts: { workspaceId: string; now?: Date; limit?: number }): Promise<{ claimed: number; messages: number }> {
  const now = opts.now ?? clock.now();
  const ws = sql`${opts.workspaceId}::uuid`;
  const at = sql`${now.toISOString()}::timestamptz`;
  return db.transaction(async (tx) => {
    const { rows: runs } = await tx.execute<DueRun>(sql`
      select r.id, r.journey_id, r.version, r.customer_id, r.step_id, r.seq, r.waiting, r.matched, r.holdout, r.data
      from journey_runs r
      where r.status = 'active' and r.due_at <= ${at} and r.workspace_id = ${ws}
        and exists (select 1 from journeys j where j.workspace_id = r.workspace_id and j.id = r.journey_id and j.status = 'active')
      order by r.due_at
      limit ${opts.limit ?? 1000}
      for update of r skip locked`);
    if (runs.length === 0) return { claimed: 0, messages: 0 };
    for (const r of runs) r.version = Number(r.version);
    const defs = await loadVersions(tx, opts.workspaceId, runs.map((r) => ({ journeyId: r.journey_id, version: r.version })));
    const workspace = await getWorkspace(tx, opts.workspaceId);
    const wsZone = workspace?.timeZone ?? 'Asia/Seoul';
    const customerIds = [...new Set(runs.map((r) => r.customer_id))];
    const { rows: zones } = await tx.execute<{ id: string; time_zone: string | null }>(sql`
      select id, time_zone from customers where workspace_id = ${ws} and id = any(${sql.param(customerIds)}::uuid[])`);
    const zoneOf = new Map(zones.map((z) => [z.id, isTimeZone(z.time_zone) ? z.time_zone : wsZone]));
    const needsBestHour = [...defs.values()].some((d) => d.graph.steps.some((s) => s.type === 'delay' && s.mode === 'best_hour'));
    const bestHours = needsBestHour ? await bestHourTimes(tx, { workspaceId: opts.workspaceId, customerIds, timeZone: wsZone, fallbackHour: 10, now }) : new Map<string, Date>();

    // Step each run; read the conditions they stop at, and step again with the answers.
    const answers = new Map<string, Map<string, boolean>>();
    const results = new Map<string, Advance>();
    let pending = runs;
    for (let round = 0; round < 50 && pending.length; round++) {
      const asks: { run: DueRun; stepId: string; def: JourneyDefinition }[] = [];
      for (const r of pending) {
        const def = defs.get(versionKey(r.journey_id, r.version));
        if (!def) {
          results.set(r.id, { stepId: r.step_id, seq: r.seq, waiting: false, dueAt: null, taken: [], actions: [], finished: { status: 'failed', reason: 'failed: its version is missing' }, needs: null });
          continue;
        }
        const adv = advanceRun(def.graph, { id: r.id, stepId: r.step_id, seq: r.seq, waiting: r.waiting, matched: r.matched, holdout: r.holdout }, {
          now,
          conditions: answers.get(r.id) ?? new Map(),
          delayUntil: (step) => delayEnd(step, now, zoneOf.get(r.customer_id) ?? wsZone, bestHours.get(r.customer_id)),
        });
        results.set(r.id, adv);
        if (adv.needs) asks.push({ run: r, stepId: adv.needs, def });
      }
      if (asks.length === 0) break;
      const yes = await answerConditions(tx, { workspaceId: opts.workspaceId, now, asks });
      for (const a of asks) {
        const m = answers.get(a.run.id) ?? new Map<string, boolean>();
        m.set(a.stepId, yes.get(`${versionKey(a.run.journey_id, a.run.version)}:${a.stepId}`)?.has(a.run.customer_id) ?? false);
        answers.set(a.run.id, m);
      }
      pending = asks.map((a) => a.run);
    }

    // The steps' effects.
    const sends: { run: DueRun; action: Action & { type: 'send' } }[] = [];
    const updates: { run: DueRun; action: Action & { type: 'update' } }[] = [];
    const notices: { run: DueRun; action: Action & { type: 'notify' } }[] = [];
    for (const r of runs) {
      for (const a of results.get(r.id)!.actions) {
        if (a.type === 'send') sends.push({ run: r, action: a });
        else if (a.type === 'update') updates.push({ run: r, action: a });
        else notices.push({ run: r, action: a });
      }
    }
    const outcomes = await createSends(
      tx,
      sends.map(({ run, action }) => ({
        workspaceId: opts.workspaceId,
        customerId: run.customer_id,
        kind: action.step.kind,
        channelId: action.step.channelId ?? null,
        templateId: action.step.templateId,
        purpose: action.step.purpose,
        sendAt: action.step.bestHour ? 'best_hour' : null,
        data: run.data,
        idempotencyKey: `journey:${run.id}:${action.seq}`,
        origin: 'journey',
        originId: run.journey_id,
        createdByLabel: defs.get(versionKey(run.journey_id, run.version))?.name ?? null,
      })),
    );
    const messageOf = new Map<string, { status: string; messageId: string | null; reason: string | null }>();
    sends.forEach((s, i) => {
      const o = outcomes[i]!;
      const key = `${s.run.id}:${s.action.seq}`;
      if ('error' in o) messageOf.set(key, { status: 'failed', messageId: null, reason: o.error });
      else messageOf.set(key, { status: o.message.status === 'suppressed' ? 'suppressed' : 'sent', messageId: o.message.id, reason: o.message.reason ?? null });
    });
    await applyProfileUpdates(tx, { workspaceId: opts.workspaceId, updates: updates.map((u) => ({ customerId: u.run.customer_id, step: u.action.step })) });
    const noticeReqs = await notifyRequests(tx, {
      workspaceId: opts.workspaceId,
      notices: notices.map((n) => ({ runId: n.run.id, seq: n.action.seq, customerId: n.run.customer_id, journeyName: defs.get(versionKey(n.run.journey_id, n.run.version))?.name ?? '', step: n.action.step })),
    });
    const noticeOutcomes = await createSends(tx, noticeReqs);

    // The log rows and the runs' new places.
    const log: { run_id: string; seq: number; journey_id: string; step_id: string; step_type: string; outcome: string; detail: Record<string, unknown> | null; message_id: string | null }[] = [];
    const moves: { id: string; step_id: string | null; seq: number; waiting: boolean; due_at: string | null; status: string; exit_reason: string | null }[] = [];
    for (const r of runs) {
      const adv = results.get(r.id)!;
      let failed: string | null = adv.finished?.status === 'failed' ? adv.finished.reason : null;
      for (const t of adv.taken) {
        const m = t.outcome === 'send' ? messageOf.get(`${r.id}:${t.seq}`) : undefined;
        if (m?.status === 'failed') failed = `failed: ${m.reason}`;
        log.push({
          run_id: r.id,
          seq: t.seq,
          journey_id: r.journey_id,
          step_id: t.step.id,
          step_type: t.step.type,
          outcome: m ? m.status : t.outcome,
          detail: m?.reason ? { reason: m.reason } : (t.detail ?? null),
          message_id: m?.messageId ?? null,
        });
      }
      const finished = failed ? { status: 'failed', reason: failed } : adv.finished;
      moves.push({
        id: r.id,
        step_id: adv.stepId,
        seq: adv.seq,
        waiting: finished ? false : adv.waiting,
        due_at: finished || adv.needs ? null : adv.dueAt ? adv.dueAt.toISOString() : null,
        status: finished ? finished.status : 'active',
        exit_reason: finished ? finished.reason : null,
      });
    }
    if (log.length) {
      await tx.execute(sql`
        insert into journey_run_steps (workspace_id, run_id, seq, journey_id, step_id, step_type, outcome, detail, message_id, at)
        select ${ws}, l.run_id, l.seq, l.journey_id, l.step_id, l.step_type, l.outcome, l.detail, l.message_id, ${at}
        from jsonb_to_recordset(${JSON.stringify(log)}::jsonb)
          as l(run_id uuid, seq int, journey_id uuid, step_id text, step_type text, outcome text, detail jsonb, message_id uuid)`);
    }
    await tx.execute(sql`
      update journey_runs r set step_id = m.step_id, seq = m.seq, waiting = m.waiting, matched = false, due_at = m.due_at, status = m.status,
        exit_reason = m.exit_reason, finished_at = case when m.status = 'active' then null else ${at} end
      from jsonb_to_recordset(${JSON.stringify(moves)}::jsonb)
        as m(id uuid, step_id text, seq int, waiting boolean, due_at timestamptz, status text, exit_reason text)
      where r.workspace_id = ${ws} and r.id = m.id`);
    return { claimed: runs.length, messages: sends.length + noticeOutcomes.length };
  });
}

/** Workspaces with journey work to do now: inbox rows, or runs of active journeys that are due. */
export async function workspacesWithWork(db: Queryable, now: Date = clock.now()): Promise<string[]> {
  const { rows } = await db.execute<{ workspace_id: string }>(sql`
    select distinct workspace_id from journey_inbox
    union
    select distinct r.workspace_id from journey_runs r
    where r.status = 'active' and r.due_at <= ${now.toISOString()}::timestamptz
      and exists (select 1 from journeys j where j.workspace_id = r.workspace_id and j.id = r.journey_id and j.status = 'active')`);
  return rows.map((r) => r.workspace_id);
}

