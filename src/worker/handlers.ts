// The jobs the application itself runs on a schedule, whatever workspaces exist.
import type { Queryable } from '../db/connection.ts';
import { deleteExpiredSessions } from '../workspaces/sessions.ts';
import { METRICS_RECOMPUTE_JOB, runMetricsRecomputeJob } from '../events/metrics.ts';
import { DETECT_JOB, detectAbandonedCarts } from '../commerce/abandoned-carts.ts';
import { DEMO_BEHAVIOUR_JOB, runDemoBehaviourJob } from '../events/demo.ts';
import { DEMO_WORKSPACE_JOB, runDemoWorkspaceJob } from './demo-job.ts';
import { ANALYTICS_REFRESH_JOB, ANALYTICS_SCHEDULE_JOB, runAnalyticsRefreshJob, runAnalyticsSchedule } from '../analytics/jobs.ts';
import { SEGMENTS_LIVE_JOB, SEGMENTS_RECOMPUTE_JOB, SEGMENTS_SWEEP_JOB, registerSegmentSchedules, runLiveJob, runRecomputeJob, runSweepJob } from '../segments/jobs.ts';
import { CAMPAIGN_ENQUEUE_JOB, runCampaignEnqueueJob } from '../campaigns/sending.ts';
import { JOURNEYS_TICK_JOB, JOURNEYS_WORK_JOB, runJourneysTick, runJourneysWork } from '../journeys/work.ts';
import { JOURNEYS_DATES_JOB, runDatesJob } from '../journeys/dates.ts';
import { deleteOldRecurringRuns, scheduleRecurring } from './queue.ts';
import type { JobHandler } from './runner.ts';

export function systemJobHandlers(): Record<string, JobHandler> {
  return {
    'sessions.cleanup': async (_job, { db }) => ({ deleted: await deleteExpiredSessions(db) }),
    // The runs of recurring schedules, a day after they finished.
    'jobs.cleanup': async (_job, { db }) => ({ deleted: await deleteOldRecurringRuns(db, new Date(Date.now() - 86_400_000)) }),
    [METRICS_RECOMPUTE_JOB]: (job, { db }) => runMetricsRecomputeJob(db, job),
    // Every workspace at once; a job enqueued for one workspace looks at that one only.
    [DEMO_WORKSPACE_JOB]: (job, { db }) => runDemoWorkspaceJob(db, job),
    [DEMO_BEHAVIOUR_JOB]: (job, { db }) => runDemoBehaviourJob(db, job),
    [DETECT_JOB]: (job, { db }) => detectAbandonedCarts(db, { workspaceId: job.workspaceId ?? undefined }),
    [ANALYTICS_REFRESH_JOB]: (job, { db }) => runAnalyticsRefreshJob(db, job),
    [ANALYTICS_SCHEDULE_JOB]: (_job, { db }) => runAnalyticsSchedule(db),
    [SEGMENTS_LIVE_JOB]: (job, { db, signal, slotWanted }) => runLiveJob(db, job, { signal, slotWanted }),
    [SEGMENTS_RECOMPUTE_JOB]: (job, { db }) => runRecomputeJob(db, job),
    // Without a workspace: enqueues one sweep per workspace with segments.
    [SEGMENTS_SWEEP_JOB]: (job, { db }) => runSweepJob(db, job),
    [CAMPAIGN_ENQUEUE_JOB]: (job, { db }) => runCampaignEnqueueJob(db, job),
    [JOURNEYS_WORK_JOB]: (job, { db }) => (job.workspaceId ? runJourneysWork(db, { workspaceId: job.workspaceId }) : Promise.resolve(null)),
    // Without a workspace: asks for the journeys job of each workspace whose runs came due.
    [JOURNEYS_TICK_JOB]: (_job, { db }) => runJourneysTick(db),
    // Birthdays and other dates: every workspace with a date-triggered journey, or the job's one.
    [JOURNEYS_DATES_JOB]: (job, { db }) => runDatesJob(db, job),
  };
}

/** Idempotent: run at every start; existing schedules keep their next run. */
export async function registerSystemSchedules(db: Queryable): Promise<void> {
  await scheduleRecurring(db, { name: 'system:sessions.cleanup', type: 'sessions.cleanup', intervalSeconds: 3600 });
  await scheduleRecurring(db, { name: 'system:commerce.abandoned-carts', type: DETECT_JOB, intervalSeconds: 60 });
  await scheduleRecurring(db, { name: 'system:analytics.schedule', type: ANALYTICS_SCHEDULE_JOB, intervalSeconds: 3600 });
  await registerSegmentSchedules(db);
  await scheduleRecurring(db, { name: 'system:jobs.cleanup', type: 'jobs.cleanup', intervalSeconds: 3600 });
  await scheduleRecurring(db, { name: 'system:journeys.tick', type: JOURNEYS_TICK_JOB, intervalSeconds: 2 });
  await scheduleRecurring(db, { name: 'system:journeys.dates', type: JOURNEYS_DATES_JOB, intervalSeconds: 900 });
}
