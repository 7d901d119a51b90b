// HTTP routes of journeys: create (blank or from a starter), change, list, archive, activate and
// pause them; enter a customer by API; the report; where customers are. Writing needs
// messaging.write; reading needs analytics.read, and the runs (who is where) customers.read.
import { Type } from 'typebox';
import { AppError } from '../errors.ts';
import { caller } from '../http/auth.ts';
import type { App, AppDeps } from '../http/deps.ts';
import { Uuid } from '../messaging/schema-parts.ts';
import { NoContent } from '../segments/contract.ts';
import { getUser } from '../workspaces/users.ts';
import { ActivateBody, EnterBody, EnteredSchema, JourneyBody, JourneyListSchema, JourneyPatchBody, JourneySchema, ReportSchema, RunPageSchema, StarterListSchema } from './contract.ts';
import type { JourneyDefinition } from './graph.ts';
import { activateJourney, createJourney, enterJourney, getJourneyRow, listJourneyRows, problemsOf, setJourneyStatus, updateJourney, type JourneyInput, type JourneyRow } from './journeys.ts';
import { journeyReport } from './report.ts';
import { listRuns, runCounts } from './runs.ts';
import { STARTER_KEYS, starterDefinition } from './starters.ts';
import type { Database } from '../db/connection.ts';
import type { JourneyView, RunStatus, StarterKey } from './views.ts';
import { RUN_STATUSES } from './views.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const Id = Type.Object({ id: Uuid });

async function views(db: Database['db'], workspaceId: string, rows: JourneyRow[], withProblems: boolean): Promise<JourneyView[]> {
  const counts = await runCounts(db, { workspaceId, journeyIds: rows.map((r) => r.id) });
  const out: JourneyView[] = [];
  for (const r of rows) {
    const c = counts.get(r.id) ?? { active: 0, entered: 0 };
    out.push({
      id: r.id,
      name: r.name,
      description: r.description,
      status: r.status as JourneyView['status'],
      version: r.version,
      changedSinceVersion: r.changedSinceVersion,
      starterKey: (r.starterKey as StarterKey | null) ?? null,
      definition: r.definition,
      problems: withProblems ? await problemsOf(db, workspaceId, r.definition) : [],
      activeRuns: c.active,
      enteredRuns: c.entered,
      createdBy: r.createdBy,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
      activatedAt: iso(r.activatedAt),
      pausedAt: iso(r.pausedAt),
    });
  }
  return out;
}

export async function registerJourneyRoutes(app: App, { database }: AppDeps) {
  const { db } = database;
  const tags = ['journeys'];
  const write = { auth: 'messaging.write' as const };
  const read = { auth: 'analytics.read' as const };
  const one = async (workspaceId: string, row: JourneyRow) => (await views(db, workspaceId, [row], true))[0]!;

  app.get('/api/journeys', { config: read, schema: { tags, summary: 'Journeys, newest first (archived ones are not listed)', response: { 200: JourneyListSchema } } }, async (request) => {
    const c = caller(request);
    return { items: await views(db, c.workspaceId, await listJourneyRows(db, { workspaceId: c.workspaceId }), false) };
  });

  app.get('/api/journeys/starters', { config: read, schema: { tags, summary: 'The starter journeys a shop can begin with, in the caller’s language', response: { 200: StarterListSchema } } }, async (request) => {
    const locale = await localeOf(request.auth?.userId, request.headers['accept-language']);
    return { items: STARTER_KEYS.map((key) => ({ key, ...starterDefinition(key, locale)! })) };
  });

  async function localeOf(userId: string | null | undefined, header: string | undefined): Promise<string> {
    const user = userId ? await getUser(db, userId) : undefined;
    return user?.locale ?? header?.split(',')[0]?.trim() ?? 'ko';
  }

  app.post(
    '/api/journeys',
    { config: write, schema: { tags, summary: 'Create a journey (a draft): from a definition, or from a starter with its templates', body: JourneyBody, response: { 201: JourneySchema } } },
    async (request, reply) => {
      const c = caller(request);
      const locale = await localeOf(c.userId, request.headers['accept-language']);
      const row = await db.transaction((tx) => createJourney(tx, { workspaceId: c.workspaceId, actor: c.actor, input: request.body as JourneyInput, locale }));
      return reply.status(201).send(await one(c.workspaceId, row));
    },
  );

  app.get('/api/journeys/:id', { config: read, schema: { tags, summary: 'One journey, with what must be fixed before it can be activated', params: Id, response: { 200: JourneySchema } } }, async (request) => {
    const c = caller(request);
    return one(c.workspaceId, await getJourneyRow(db, { workspaceId: c.workspaceId, id: request.params.id }));
  });

  app.patch(
    '/api/journeys/:id',
    { config: write, schema: { tags, summary: 'Change a journey: the saved definition goes live when it is activated again', params: Id, body: JourneyPatchBody, response: { 200: JourneySchema } } },
    async (request) => {
      const c = caller(request);
      const row = await db.transaction((tx) => updateJourney(tx, { workspaceId: c.workspaceId, actor: c.actor, id: request.params.id, patch: request.body as JourneyInput }));
      return one(c.workspaceId, row);
    },
  );

  app.delete('/api/journeys/:id', { config: write, schema: { tags, summary: 'Archive a journey: it takes no one in and the runs inside end', params: Id, response: { 204: NoContent } } }, async (request, reply) => {
    const c = caller(request);
    await db.transaction((tx) => setJourneyStatus(tx, { workspaceId: c.workspaceId, actor: c.actor, id: request.params.id, status: 'archived' }));
    return reply.status(204).send();
  });

  app.post(
    '/api/journeys/:id/activate',
    {
      config: write,
      schema: {
        tags,
        summary: 'Make the saved definition live (a new version for new entrants; with moveWaitingRuns, the runs inside move to it too). Refused while problems remain',
        params: Id,
        body: Type.Optional(ActivateBody),
        response: { 200: JourneySchema },
      },
    },
    async (request) => {
      const c = caller(request);
      const body = (request.body ?? {}) as { moveWaitingRuns?: boolean };
      const row = await db.transaction((tx) => activateJourney(tx, { workspaceId: c.workspaceId, actor: c.actor, id: request.params.id, moveWaitingRuns: body.moveWaitingRuns === true }));
      return one(c.workspaceId, row);
    },
  );

  app.post('/api/journeys/:id/pause', { config: write, schema: { tags, summary: 'Pause: no one enters, and the runs inside wait where they are until it is activated again', params: Id, response: { 200: JourneySchema } } }, async (request) => {
    const c = caller(request);
    const row = await db.transaction((tx) => setJourneyStatus(tx, { workspaceId: c.workspaceId, actor: c.actor, id: request.params.id, status: 'paused' }));
    return one(c.workspaceId, row);
  });

  app.post(
    '/api/journeys/:id/enter',
    { config: write, schema: { tags, summary: 'Put one customer into an active journey, with data for its templates (an idempotencyKey enters them once)', params: Id, body: EnterBody, response: { 202: EnteredSchema } } },
    async (request, reply) => {
      const c = caller(request);
      const b = request.body as { customerId: string; data?: Record<string, unknown>; idempotencyKey?: string };
      const result = await db.transaction((tx) => enterJourney(tx, { workspaceId: c.workspaceId, id: request.params.id, customerId: b.customerId, data: b.data, key: b.idempotencyKey }));
      const run = result.runId ? ((await listRuns(db, { workspaceId: c.workspaceId, journeyId: request.params.id, customerId: b.customerId, limit: 1 })).items[0] ?? null) : null;
      return reply.status(202).send({ entered: result.entered, reason: result.reason, run });
    },
  );

  app.get('/api/journeys/:id/report', { config: read, schema: { tags, summary: 'Entered, in progress, completed, goal reached; each step’s counts; messages; the goal against the holdout', params: Id, response: { 200: ReportSchema } } }, async (request) => {
    const c = caller(request);
    const row = await getJourneyRow(db, { workspaceId: c.workspaceId, id: request.params.id });
    return journeyReport(db, { workspaceId: c.workspaceId, journeyId: row.id, definition: row.definition as JourneyDefinition });
  });

  app.get(
    '/api/journeys/:id/runs',
    {
      config: { auth: 'customers.read' as const },
      schema: {
        tags,
        summary: 'Where customers are in the journey and why: runs newest first with the steps they took',
        params: Id,
        querystring: Type.Object(
          {
            customerId: Type.Optional(Uuid),
            status: Type.Optional(Type.String({ enum: [...RUN_STATUSES] })),
            cursor: Type.Optional(Type.String({ maxLength: 200 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: RunPageSchema },
      },
    },
    async (request) => {
      const c = caller(request);
      const row = await getJourneyRow(db, { workspaceId: c.workspaceId, id: request.params.id });
      const q = request.query;
      if (q.cursor !== undefined && q.cursor.trim() === '') throw new AppError('invalid_input', 'query.cursor: must not be empty');
      return listRuns(db, { workspaceId: c.workspaceId, journeyId: row.id, customerId: q.customerId, status: q.status as RunStatus | undefined, cursor: q.cursor, limit: q.limit });
    },
  );
}
