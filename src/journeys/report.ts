// What a journey did: runs by status, each step's arrivals and outcomes (and who waits there now),
// its messages by how far they got, and the goal reached by those who got the messages against
// the holdout (Newcombe's interval, as campaigns report it), with the goal events' revenue.
import { sql } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import { conversionUplift } from '../campaigns/uplift.ts';
import type { JourneyDefinition } from './graph.ts';
import type { JourneyReport, StepFigures } from './views.ts';

const n = (v: unknown) => Number(v ?? 0);

/** The step's arrivals: the log rows of runs that took it, and the runs waiting at it now. */
export async function journeyReport(db: Queryable, opts: { workspaceId: string; journeyId: string; definition: JourneyDefinition }): Promise<JourneyReport> {
  const ws = sql`${opts.workspaceId}::uuid`;
  const j = sql`${opts.journeyId}::uuid`;
  const { rows: totals } = await db.execute<{ status: string; holdout: boolean; n: number }>(sql`
    select status, holdout, count(*)::int as n from journey_runs where workspace_id = ${ws} and journey_id = ${j} group by status, holdout`);
  const { rows: outcomes } = await db.execute<{ step_id: string; outcome: string; n: number }>(sql`
    select step_id, outcome, count(*)::int as n from journey_run_steps where workspace_id = ${ws} and journey_id = ${j} group by step_id, outcome`);
  const { rows: waiting } = await db.execute<{ step_id: string; n: number }>(sql`
    select step_id, count(*)::int as n from journey_runs where workspace_id = ${ws} and journey_id = ${j} and status = 'active' and step_id is not null group by step_id`);
  const { rows: msgs } = await db.execute<{ status: string; n: number }>(sql`
    select status, count(*)::int as n from messages where workspace_id = ${ws} and origin = 'journey' and origin_id = ${j} group by status`);
  const { rows: stepMsgs } = await db.execute<{ step_id: string; status: string; n: number }>(sql`
    select s.step_id, m.status, count(*)::int as n from journey_run_steps s
    join messages m on m.workspace_id = s.workspace_id and m.id = s.message_id
    where s.workspace_id = ${ws} and s.journey_id = ${j} and s.message_id is not null group by s.step_id, m.status`);
  const goal = opts.definition.exit.goal ?? null;
  const { rows: revenue } = goal
    ? await db.execute<{ revenue: number | null }>(sql`
        select sum(coalesce((e.properties->>'revenue')::numeric, (e.properties->>'total')::numeric, 0))::float8 as revenue
        from journey_runs r
        join lateral (
          select properties from events e
          where e.workspace_id = r.workspace_id and e.customer_id = r.customer_id and e.name = ${goal.event}
            and e.timestamp >= r.entered_at and e.timestamp <= r.finished_at
          order by e.timestamp desc limit 1) e on true
        where r.workspace_id = ${ws} and r.journey_id = ${j} and r.status = 'converted' and not r.holdout`)
    : { rows: [{ revenue: 0 }] };

  const count = (pred: (r: { status: string; holdout: boolean }) => boolean) => totals.filter(pred).reduce((s, r) => s + n(r.n), 0);
  const byStep = new Map<string, StepFigures>();
  for (const s of opts.definition.graph.steps) byStep.set(s.id, { stepId: s.id, type: s.type, label: s.label ?? null, reached: 0, waiting: 0, outcomes: {} });
  for (const o of outcomes) {
    const f = byStep.get(o.step_id);
    if (!f) continue;
    f.outcomes[o.outcome] = n(o.n);
    f.reached += n(o.n);
  }
  for (const m of stepMsgs) {
    const f = byStep.get(m.step_id);
    if (!f) continue;
    f.messages ??= { sent: 0, opened: 0, clicked: 0 };
    const k = n(m.n);
    if (['sent', 'delivered', 'opened', 'clicked'].includes(m.status)) f.messages.sent += k;
    if (m.status === 'opened' || m.status === 'clicked') f.messages.opened += k;
    if (m.status === 'clicked') f.messages.clicked += k;
  }
  for (const w of waiting) {
    const f = byStep.get(w.step_id);
    if (!f) continue;
    f.waiting = n(w.n);
    f.reached += n(w.n);
  }
  const status = (s: string) => msgs.filter((m) => m.status === s).reduce((a, m) => a + n(m.n), 0);
  const sent = ['sent', 'delivered', 'opened', 'clicked'].reduce((a, s) => a + status(s), 0);
  const treatedRuns = count((r) => !r.holdout);
  const holdoutRuns = count((r) => r.holdout);
  const treatedConv = count((r) => !r.holdout && r.status === 'converted');
  const holdoutConv = count((r) => r.holdout && r.status === 'converted');
  const rate = (c: number, all: number) => (all ? c / all : 0);
  const up = goal && holdoutRuns > 0 && treatedRuns > 0 ? conversionUplift({ n: treatedRuns, conversions: treatedConv }, { n: holdoutRuns, conversions: holdoutConv }) : null;
  return {
    journeyId: opts.journeyId,
    totals: {
      entered: count(() => true),
      active: count((r) => r.status === 'active'),
      completed: count((r) => r.status === 'completed'),
      converted: count((r) => r.status === 'converted'),
      exited: count((r) => r.status === 'exited'),
      failed: count((r) => r.status === 'failed'),
      heldOut: holdoutRuns,
    },
    steps: [...byStep.values()],
    messages: {
      created: msgs.reduce((a, m) => a + n(m.n), 0),
      sent,
      delivered: status('delivered') + status('opened') + status('clicked'),
      opened: status('opened') + status('clicked'),
      clicked: status('clicked'),
      suppressed: status('suppressed'),
      failed: status('failed') + status('bounced'),
    },
    goal: {
      event: goal?.event ?? null,
      windowDays: goal?.windowDays ?? null,
      treated: { runs: treatedRuns, converted: treatedConv, rate: rate(treatedConv, treatedRuns) },
      holdout: { runs: holdoutRuns, converted: holdoutConv, rate: rate(holdoutConv, holdoutRuns) },
      uplift: up && up.diff !== null && up.low !== null && up.high !== null ? { difference: up.diff, low: up.low, high: up.high } : null,
      revenue: Math.round(n(revenue[0]?.revenue)),
    },
  };
}
