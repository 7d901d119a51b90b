// When a requested refresh has finished: the worker records one run per part, so the parts' last
// runs are compared with those seen when the refresh was asked for. Pure.

export const RUN_PARTS = ['scores', 'cohorts', 'basket', 'affinity', 'recommendations'] as const;
export type RunPart = (typeof RUN_PARTS)[number];
export type RunStatus = 'running' | 'succeeded' | 'failed';
export type Run = { id?: string; status: RunStatus; startedAt: string; finishedAt: string | null; durationMs: number | null; customers: number; mode: 'full' | 'incremental'; error?: string | null };
export type Runs = Partial<Record<RunPart, Run>>;

/**
 * What identifies each part's last finished run when a refresh is asked for. A run still going
 * is left out: the refresh may join it (the server dedupes), and its end then counts.
 */
export function runSnapshot(runs: Runs): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of RUN_PARTS) {
    const run = runs[part];
    if (run && run.status !== 'running') out[part] = run.id ?? run.startedAt;
  }
  return out;
}

export function anyRunning(runs: Runs): boolean {
  return RUN_PARTS.some((p) => runs[p]?.status === 'running');
}

/**
 * Has the refresh asked for after `snapshot` finished? A full refresh runs the parts in order and
 * ends with recommendations, so: once nothing runs and there is a new full recommendations run,
 * or a new run failed (the parts after a failed one do not run). Waiting for the last part rather
 * than for a new run of every part also ends a refresh that joined a job already under way (the
 * server dedupes), whose first parts may have finished before it was asked for.
 */
export function refreshFinished(snapshot: Record<string, string>, runs: Runs): boolean {
  if (anyRunning(runs)) return false;
  const fresh = RUN_PARTS.filter((p) => {
    const run = runs[p];
    return run !== undefined && (run.id ?? run.startedAt) !== snapshot[p];
  });
  if (fresh.some((p) => runs[p]!.status === 'failed')) return true;
  return fresh.includes('recommendations') && runs.recommendations!.mode === 'full';
}
