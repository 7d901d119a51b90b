// Where customers are in a journey, and why: runs newest first (of one customer, or by status),
// each with the steps it took and the step it is at, named as the editor names them.
import { sql } from 'drizzle-orm';
import { cursorTime, decodeCursor, encodeCursor } from '../commerce/cursor.ts';
import type { Queryable } from '../db/connection.ts';
import type { StepType } from './graph.ts';
import { loadVersions, versionKey } from './versions.ts';
import type { RunPage, RunStatus, RunView } from './views.ts';

type RunRow = {
  id: string;
  journey_id: string;
  version: number;
  customer_id: string;
  status: RunStatus;
  step_id: string | null;
  waiting: boolean;
  due_at: Date | string | null;
  holdout: boolean;
  entered_at: Date | string;
  finished_at: Date | string | null;
  exit_reason: string | null;
};
type StepRow = { run_id: string; seq: number; step_id: string; step_type: StepType; outcome: string; at: Date | string; message_id: string | null; detail: Record<string, unknown> | null };

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export async function listRuns(
  db: Queryable,
  opts: { workspaceId: string; journeyId: string; customerId?: string; status?: RunStatus; cursor?: string; limit?: number },
): Promise<RunPage> {
  const limit = opts.limit ?? 50;
  const ws = sql`${opts.workspaceId}::uuid`;
  const conds = [sql`r.workspace_id = ${ws}`, sql`r.journey_id = ${opts.journeyId}::uuid`];
  if (opts.customerId) conds.push(sql`r.customer_id = ${opts.customerId}::uuid`);
  if (opts.status) conds.push(sql`r.status = ${opts.status}`);
  if (opts.cursor) {
    const c = decodeCursor(opts.cursor);
    conds.push(sql`(r.entered_at, r.id) < (${cursorTime(c.value).toISOString()}::timestamptz, ${c.id}::uuid)`);
  }
  const { rows } = await db.execute<RunRow>(sql`
    select r.id, r.journey_id, r.version, r.customer_id, r.status, r.step_id, r.waiting, r.due_at, r.holdout, r.entered_at, r.finished_at, r.exit_reason
    from journey_runs r where ${sql.join(conds, sql` and `)}
    order by r.entered_at desc, r.id desc limit ${limit + 1}`);
  const page = rows.slice(0, limit);
  const defs = await loadVersions(db, opts.workspaceId, page.map((r) => ({ journeyId: r.journey_id, version: Number(r.version) })));
  const { rows: steps } = page.length
    ? await db.execute<StepRow>(sql`
        select run_id, seq, step_id, step_type, outcome, at, message_id, detail from journey_run_steps
        where workspace_id = ${ws} and run_id = any(${sql.param(page.map((r) => r.id))}::uuid[]) order by run_id, seq`)
    : { rows: [] as StepRow[] };
  const items: RunView[] = page.map((r) => {
    const def = defs.get(versionKey(r.journey_id, Number(r.version)));
    const stepOf = (id: string | null) => (id ? def?.graph.steps.find((s) => s.id === id) : undefined);
    const at = stepOf(r.step_id);
    return {
      id: r.id,
      journeyId: r.journey_id,
      version: Number(r.version),
      customerId: r.customer_id,
      status: r.status,
      stepId: r.step_id,
      stepLabel: at?.label ?? null,
      stepType: at?.type ?? null,
      waiting: r.waiting,
      dueAt: iso(r.due_at),
      holdout: r.holdout,
      enteredAt: iso(r.entered_at)!,
      finishedAt: iso(r.finished_at),
      exitReason: r.exit_reason,
      steps: steps
        .filter((s) => s.run_id === r.id)
        .map((s) => ({ seq: Number(s.seq), stepId: s.step_id, stepType: s.step_type, label: stepOf(s.step_id)?.label ?? null, outcome: s.outcome, at: iso(s.at)!, messageId: s.message_id, detail: s.detail })),
    };
  });
  const last = page[page.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(iso(last.entered_at)!, last.id) : null };
}

/** Runs in progress and all runs ever, per journey. */
export async function runCounts(db: Queryable, opts: { workspaceId: string; journeyIds: string[] }): Promise<Map<string, { active: number; entered: number }>> {
  const out = new Map<string, { active: number; entered: number }>();
  if (opts.journeyIds.length === 0) return out;
  const { rows } = await db.execute<{ journey_id: string; active: number; entered: number }>(sql`
    select journey_id, count(*) filter (where status = 'active')::int as active, count(*)::int as entered
    from journey_runs where workspace_id = ${opts.workspaceId}::uuid and journey_id = any(${sql.param(opts.journeyIds)}::uuid[]) group by journey_id`);
  for (const r of rows) out.set(r.journey_id, { active: Number(r.active), entered: Number(r.entered) });
  return out;
}
