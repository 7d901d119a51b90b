// The journeys job of a workspace: reads the inbox (entries, waits ended, goals reached) and
// advances the runs that are due, a batch per transaction, until nothing is left or its time is
// up (then it asks for itself again). A system tick each second asks for it where runs came due.
import type { Db, Queryable } from '../db/connection.ts';
import { clock } from '../clock.ts';
import { advanceDueRuns, workspacesWithWork } from './engine.ts';
import { drainInbox } from './entry.ts';
import { enqueueJob } from '../worker/queue.ts';
import { JOURNEYS_WORK_JOB, wakeJourneys } from './listen.ts';

export { JOURNEYS_WORK_JOB };
export const JOURNEYS_TICK_JOB = 'journeys.tick';

const BUDGET_MS = 10_000;

export async function runJourneysWork(db: Db, opts: { workspaceId: string; now?: Date; inboxBatch?: number; runBatch?: number }): Promise<{ read: number; entered: number; advanced: number }> {
  const started = Date.now();
  const total = { read: 0, entered: 0, advanced: 0 };
  for (;;) {
    const now = opts.now ?? clock.now();
    const inbox = await drainInbox(db, { workspaceId: opts.workspaceId, now, limit: opts.inboxBatch ?? 2000 });
    const due = await advanceDueRuns(db, { workspaceId: opts.workspaceId, now, limit: opts.runBatch ?? 1000 });
    total.read += inbox.read;
    total.entered += inbox.entered;
    total.advanced += due.claimed;
    if (inbox.read === 0 && due.claimed === 0) return total;
    if (Date.now() - started > BUDGET_MS) {
      // Not wakeJourneys: its dedupe key is this running job's, so it would ask for nothing and
      // the rest would wait for the tick. Two jobs of a workspace may overlap: claims skip locked rows.
      await enqueueJob(db, { type: JOURNEYS_WORK_JOB, workspaceId: opts.workspaceId, maxAttempts: 1000 });
      return total;
    }
  }
}

/** The tick: one journeys job for each workspace with work now. */
export async function runJourneysTick(db: Queryable, now: Date = clock.now()): Promise<{ workspaces: number }> {
  const list = await workspacesWithWork(db, now);
  for (const ws of list) await wakeJourneys(db, ws);
  return { workspaces: list.length };
}
