// The demo's fast-forward: in the embedded demo (RAPPORT_DEMO on, PGlite, one process for the
// server and the worker) the demo workspace's managers may move Rapport's clock (src/clock.ts)
// forward, so a delay of an hour or a day in a journey, or a cart's abandonment, can be seen at
// once. Everything that decides by time reads that clock; the database's own now() is not moved.
// Refused anywhere else: on a PostgreSQL server several processes would disagree on the time.
import { Type } from 'typebox';
import { clock } from '../clock.ts';
import { DETECT_JOB } from '../commerce/abandoned-carts.ts';
import { AppError } from '../errors.ts';
import { wakeJourneys } from '../journeys/listen.ts';
import { enqueueJob } from '../worker/queue.ts';
import { firstWorkspaceId } from '../workspaces/workspaces.ts';
import { caller } from './auth.ts';
import type { App, AppDeps } from './deps.ts';

const ClockSchema = Type.Object({
  enabled: Type.Boolean({ description: 'Whether this installation may fast-forward (the embedded demo, in its demo workspace)' }),
  now: Type.String({ format: 'date-time' }),
  aheadMinutes: Type.Integer({ description: 'How far Rapport’s clock is ahead of the machine’s' }),
});

export async function registerDemoClockRoutes(app: App, { config, database }: AppDeps) {
  const tags = ['demo'];
  const enabledFor = async (workspaceId: string) => config.demo && database.kind === 'pglite' && (await firstWorkspaceId(database.db)) === workspaceId;
  const answer = async (workspaceId: string) => ({
    enabled: await enabledFor(workspaceId),
    now: clock.now().toISOString(),
    aheadMinutes: Math.round((clock.nowMs() - Date.now()) / 60_000),
  });

  app.get('/api/demo/clock', { config: { auth: 'workspace.read' }, schema: { tags, summary: 'Rapport’s clock, and whether the demo may fast-forward it', response: { 200: ClockSchema } } }, async (request) =>
    answer(caller(request).workspaceId),
  );

  app.post(
    '/api/demo/clock/advance',
    {
      config: { auth: 'workspace.manage' },
      schema: {
        tags,
        summary: 'Demo only: move Rapport’s clock forward (delays come due, carts are found abandoned) and run what came due',
        body: Type.Object({ minutes: Type.Integer({ minimum: 1, maximum: 7 * 24 * 60 }) }, { additionalProperties: false }),
        response: { 200: ClockSchema },
      },
    },
    async (request) => {
      const c = caller(request);
      if (!(await enabledFor(c.workspaceId))) throw new AppError('forbidden', 'minutes: fast-forward is only for the demo workspace of the embedded demo (RAPPORT_DEMO on, no DATABASE_URL)');
      clock.advance(request.body.minutes * 60_000);
      await database.db.transaction(async (tx) => {
        await enqueueJob(tx, { type: DETECT_JOB, workspaceId: c.workspaceId, dedupeKey: `demo-clock:${DETECT_JOB}:${c.workspaceId}` });
        await wakeJourneys(tx, c.workspaceId);
      });
      return answer(c.workspaceId);
    },
  );
}
