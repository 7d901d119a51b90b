// A journey's life: saved as a draft and changed freely; activating freezes the saved definition
// as a new version that new entrants walk (runs already inside keep theirs unless moved
// explicitly); paused journeys take no one in and hold their runs where they are; archiving ends
// every run. Activation refuses a journey with problems, naming the first.
import { and, desc, eq, ne, sql } from 'drizzle-orm';
import { clock } from '../clock.ts';
import type { Queryable } from '../db/connection.ts';
import { uuidv7 } from '../db/uuid.ts';
import { AppError, notFound } from '../errors.ts';
import { messageTemplates } from '../messaging/schema.ts';
import { checkDefinition } from '../segments/segments.ts';
import { segmentMembersSql } from '../segments/membership.ts';
import { segments } from '../segments/schema.ts';
import { recordAudit, type Actor } from '../workspaces/audit.ts';
import { checkJourneyShape, journeyProblems, type JourneyDefinition, type Problem } from './graph.ts';
import { enterRuns } from './entry.ts';
import { refreshInterest, wakeJourneys } from './listen.ts';
import { journeys, journeyVersions } from './schema.ts';
import { prepareStarter } from './starters.ts';
import type { JourneyStatus, StarterKey } from './views.ts';

export type JourneyRow = typeof journeys.$inferSelect;

const bad = (message: string) => new AppError('invalid_input', message);
const actorLabel = (a: Actor) => a.label;

/** The problems of a definition, with the workspace's templates and segments looked up. */
export async function problemsOf(db: Queryable, workspaceId: string, def: JourneyDefinition): Promise<Problem[]> {
  const templateIds = def.graph.steps.flatMap((s) => (s.type === 'send' && s.templateId ? [s.templateId] : []));
  const segmentIds = [
    'segmentId' in def.trigger ? def.trigger.segmentId : null,
    def.entry.segmentId ?? null,
    def.exit.leaveSegmentId ?? null,
  ].filter((id): id is string => !!id);
  const tpl = templateIds.length
    ? await db
        .select({ id: messageTemplates.id })
        .from(messageTemplates)
        .where(and(eq(messageTemplates.workspaceId, workspaceId), sql`${messageTemplates.id} = any(${sql.param(templateIds)}::uuid[])`, sql`${messageTemplates.archivedAt} is null`))
    : [];
  const seg = segmentIds.length
    ? await db
        .select({ id: segments.id })
        .from(segments)
        .where(and(eq(segments.workspaceId, workspaceId), sql`${segments.id} = any(${sql.param(segmentIds)}::uuid[])`, sql`${segments.deletedAt} is null`))
    : [];
  const problems = journeyProblems(def, { templateIds: new Set(tpl.map((t) => t.id)), segmentIds: new Set(seg.map((s) => s.id)) });
  for (const [i, s] of def.graph.steps.entries()) {
    if (s.type !== 'condition') continue;
    try {
      await checkDefinition(db, { workspaceId, definition: s.definition, path: `graph.steps[${i}].definition` });
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      problems.push({ path: `graph.steps[${i}].definition`, code: 'bad_condition', message: e.message });
    }
  }
  return problems;
}

export async function getJourneyRow(db: Queryable, opts: { workspaceId: string; id: string; forUpdate?: boolean }): Promise<JourneyRow> {
  const q = db
    .select()
    .from(journeys)
    .where(and(eq(journeys.workspaceId, opts.workspaceId), eq(journeys.id, opts.id), ne(journeys.status, 'archived')));
  const [row] = opts.forUpdate ? await q.for('update') : await q;
  if (!row) throw notFound('journey');
  return row;
}

export async function listJourneyRows(db: Queryable, opts: { workspaceId: string }): Promise<JourneyRow[]> {
  return db
    .select()
    .from(journeys)
    .where(and(eq(journeys.workspaceId, opts.workspaceId), ne(journeys.status, 'archived')))
    .orderBy(desc(journeys.createdAt));
}

export type JourneyInput = { name?: string; description?: string | null; definition?: unknown; starterKey?: StarterKey };

function checkName(v: unknown, path = 'name'): string {
  if (typeof v !== 'string' || v.trim() === '' || v.length > 200) throw bad(`${path}: must be text of 1–200 characters`);
  return v.trim();
}

export async function createJourney(db: Queryable, opts: { workspaceId: string; actor: Actor; input: JourneyInput; locale?: string }): Promise<JourneyRow> {
  const { input } = opts;
  let definition: JourneyDefinition;
  let name: string;
  if (input.starterKey !== undefined) {
    const starter = await prepareStarter(db, { workspaceId: opts.workspaceId, actor: opts.actor, key: input.starterKey, locale: opts.locale ?? 'ko' });
    if (!starter) throw bad('starterKey: is not a starter journey');
    definition = starter.definition;
    name = input.name === undefined ? starter.name : checkName(input.name);
  } else {
    if (input.definition === undefined) throw bad('definition: a definition or a starterKey is required');
    definition = checkJourneyShape(input.definition);
    name = checkName(input.name);
  }
  const [row] = await db
    .insert(journeys)
    .values({
      workspaceId: opts.workspaceId,
      id: uuidv7(),
      name,
      description: input.description ?? null,
      definition,
      starterKey: input.starterKey ?? null,
      createdBy: actorLabel(opts.actor),
      updatedBy: actorLabel(opts.actor),
    })
    .returning();
  await recordAudit(db, { workspaceId: opts.workspaceId, actor: opts.actor, action: 'journey.create', entityType: 'journey', entityId: row!.id, after: { name } });
  return row!;
}

export async function updateJourney(db: Queryable, opts: { workspaceId: string; actor: Actor; id: string; patch: JourneyInput }): Promise<JourneyRow> {
  const row = await getJourneyRow(db, { workspaceId: opts.workspaceId, id: opts.id, forUpdate: true });
  const set: Partial<typeof journeys.$inferInsert> = { updatedAt: clock.now(), updatedBy: actorLabel(opts.actor) };
  if (opts.patch.name !== undefined) set.name = checkName(opts.patch.name);
  if (opts.patch.description !== undefined) set.description = opts.patch.description === null ? null : String(opts.patch.description).slice(0, 2000);
  if (opts.patch.definition !== undefined) {
    set.definition = checkJourneyShape(opts.patch.definition);
    set.changedSinceVersion = true;
  }
  const [updated] = await db.update(journeys).set(set).where(and(eq(journeys.workspaceId, opts.workspaceId), eq(journeys.id, row.id))).returning();
  await recordAudit(db, { workspaceId: opts.workspaceId, actor: opts.actor, action: 'journey.update', entityType: 'journey', entityId: row.id, after: { name: updated!.name } });
  return updated!;
}

/**
 * Makes the saved definition live: a new version when it changed, new entrants walk it; with
 * `moveWaitingRuns`, runs inside move to it too (those whose step no longer exists end).
 */
export async function activateJourney(db: Queryable, opts: { workspaceId: string; actor: Actor; id: string; moveWaitingRuns?: boolean }): Promise<JourneyRow> {
  const row = await getJourneyRow(db, { workspaceId: opts.workspaceId, id: opts.id, forUpdate: true });
  const problems = await problemsOf(db, opts.workspaceId, row.definition);
  if (problems.length) throw new AppError('invalid_input', `${problems[0]!.path}: ${problems[0]!.message}`, { problems });
  let version = row.version;
  if (row.changedSinceVersion || version === 0) {
    version += 1;
    await db.insert(journeyVersions).values({ workspaceId: opts.workspaceId, journeyId: row.id, version, definition: row.definition });
  }
  const now = clock.now();
  const [updated] = await db
    .update(journeys)
    .set({ status: 'active', version, changedSinceVersion: false, activatedAt: now, pausedAt: null, updatedAt: now, updatedBy: actorLabel(opts.actor) })
    .where(and(eq(journeys.workspaceId, opts.workspaceId), eq(journeys.id, row.id)))
    .returning();
  if (opts.moveWaitingRuns && version !== row.version) {
    const ids = row.definition.graph.steps.map((s) => s.id);
    await db.execute(sql`
      update journey_runs set version = ${version},
        status = case when step_id is null or step_id = any(${sql.param(ids)}::text[]) then status else 'exited' end,
        exit_reason = case when step_id is null or step_id = any(${sql.param(ids)}::text[]) then exit_reason else 'step_removed' end,
        finished_at = case when step_id is null or step_id = any(${sql.param(ids)}::text[]) then finished_at else ${now.toISOString()}::timestamptz end
      where workspace_id = ${opts.workspaceId}::uuid and journey_id = ${row.id}::uuid and status = 'active'`);
  }
  await refreshInterest(db, { workspaceId: opts.workspaceId });
  await wakeJourneys(db, opts.workspaceId);
  await recordAudit(db, { workspaceId: opts.workspaceId, actor: opts.actor, action: 'journey.activate', entityType: 'journey', entityId: row.id, after: { version } });
  return updated!;
}

export async function setJourneyStatus(db: Queryable, opts: { workspaceId: string; actor: Actor; id: string; status: Extract<JourneyStatus, 'paused' | 'archived'> }): Promise<JourneyRow> {
  const row = await getJourneyRow(db, { workspaceId: opts.workspaceId, id: opts.id, forUpdate: true });
  if (opts.status === 'paused' && row.status !== 'active') throw new AppError('conflict', `status: a ${row.status} journey cannot be paused`);
  const now = clock.now();
  const [updated] = await db
    .update(journeys)
    .set({ status: opts.status, updatedAt: now, updatedBy: actorLabel(opts.actor), ...(opts.status === 'paused' ? { pausedAt: now } : { archivedAt: now }) })
    .where(and(eq(journeys.workspaceId, opts.workspaceId), eq(journeys.id, row.id)))
    .returning();
  if (opts.status === 'archived') {
    await db.execute(sql`
      update journey_runs set status = 'exited', exit_reason = 'archived', finished_at = ${now.toISOString()}::timestamptz, due_at = null
      where workspace_id = ${opts.workspaceId}::uuid and journey_id = ${row.id}::uuid and status = 'active'`);
  }
  await refreshInterest(db, { workspaceId: opts.workspaceId });
  await recordAudit(db, { workspaceId: opts.workspaceId, actor: opts.actor, action: `journey.${opts.status === 'paused' ? 'pause' : 'archive'}`, entityType: 'journey', entityId: row.id });
  return updated!;
}

/** `POST /api/journeys/{id}/enter`: one customer into an active journey, with data for its templates. */
export async function enterJourney(
  db: Queryable,
  opts: { workspaceId: string; id: string; customerId: string; data?: Record<string, unknown>; key?: string },
): Promise<{ entered: boolean; runId: string | null; reason: NotEntered | null }> {
  const row = await getJourneyRow(db, { workspaceId: opts.workspaceId, id: opts.id });
  if (row.status !== 'active') throw new AppError('conflict', `status: the journey is ${row.status}; activate it first`);
  const [version] = await db
    .select()
    .from(journeyVersions)
    .where(and(eq(journeyVersions.workspaceId, opts.workspaceId), eq(journeyVersions.journeyId, row.id), eq(journeyVersions.version, row.version)));
  const made = await enterRuns(db, {
    workspaceId: opts.workspaceId,
    journey: { id: row.id, version: row.version, definition: version!.definition },
    entries: [{ customerId: opts.customerId, entryKey: `api:${opts.key ?? uuidv7()}`, data: opts.data ?? {} }],
  });
  if (made.length) {
    await wakeJourneys(db, opts.workspaceId);
    return { entered: true, runId: made[0]!.id, reason: null };
  }
  return { entered: false, runId: null, reason: await whyNotEntered(db, { workspaceId: opts.workspaceId, journeyId: row.id, customerId: opts.customerId, definition: version!.definition }) };
}

export type NotEntered = 'no_customer' | 'already_in' | 'entered_before' | 'not_in_segment' | 'same_key';

/** Why an entry was refused, as a code the editor translates. */
async function whyNotEntered(db: Queryable, opts: { workspaceId: string; journeyId: string; customerId: string; definition: JourneyDefinition }): Promise<NotEntered> {
  const ws = sql`${opts.workspaceId}::uuid`;
  const { rows } = await db.execute<{ live: boolean; active: boolean; last: Date | string | null; member: boolean }>(sql`
    select
      exists (select 1 from customers c where c.workspace_id = ${ws} and c.id = ${opts.customerId}::uuid and c.deleted_at is null and c.merged_into_id is null) as live,
      exists (select 1 from journey_runs r where r.workspace_id = ${ws} and r.journey_id = ${opts.journeyId}::uuid and r.customer_id = ${opts.customerId}::uuid and r.status = 'active') as active,
      (select max(entered_at) from journey_runs r where r.workspace_id = ${ws} and r.journey_id = ${opts.journeyId}::uuid and r.customer_id = ${opts.customerId}::uuid) as last,
      ${opts.definition.entry.segmentId ? sql`${opts.customerId}::uuid in (${segmentMembersSql(opts.workspaceId)(opts.definition.entry.segmentId)})` : sql`true`} as member`);
  const r = rows[0]!;
  if (!r.live) return 'no_customer';
  if (r.active) return 'already_in';
  if (!r.member) return 'not_in_segment';
  if (r.last && opts.definition.entry.mode !== 'always') return 'entered_before';
  return 'same_key';
}
