// Segments as records: create, read, change and delete a segment. A dynamic segment's definition
// is checked here (its own rules by validateSegmentDefinition, then the references to other
// segments: they must exist in the workspace and must not lead back to the segment).
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { uuidv7 } from '../db/uuid.ts';
import type { Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { recordAudit, type Actor } from '../workspaces/audit.ts';
import { referencedSegmentIds, validateSegmentDefinition } from './definition.ts';
import { segments } from './schema.ts';

export type SegmentKind = 'dynamic' | 'static';
export type SegmentRow = typeof segments.$inferSelect;

export type Segment = {
  id: string;
  name: string;
  description: string | null;
  kind: SegmentKind;
  definition: unknown;
  /** Segments this one's definition refers to. */
  refs: string[];
  starterKey: string | null;
  size: number;
  lastComputedAt: string | null;
  createdBy: string | null;
  updatedBy: string | null;
  createdAt: string;
  updatedAt: string;
};

export type SegmentInput = { name: string; description?: string | null; kind: SegmentKind; definition?: unknown; starterKey?: string };
export type SegmentPatch = { name?: string; description?: string | null; definition?: unknown };

export function toSegment(r: SegmentRow): Segment {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    kind: r.kind as SegmentKind,
    definition: r.definition ?? null,
    refs: r.refs,
    starterKey: r.starterKey,
    size: r.size,
    lastComputedAt: r.lastComputedAt?.toISOString() ?? null,
    createdBy: r.createdBy,
    updatedBy: r.updatedBy,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

const auditView = (s: Segment) => ({ name: s.name, description: s.description, kind: s.kind, definition: s.definition });

/** Where in a definition each referenced segment id sits, e.g. `definition.or[0].id`. Pure. */
export function referencePaths(def: unknown, ids: readonly string[], base = 'definition'): Map<string, string> {
  const wanted = new Set(ids.map((id) => id.toLowerCase()));
  const found = new Map<string, string>();
  const walk = (node: unknown, path: string) => {
    if (typeof node === 'string') {
      const id = node.toLowerCase();
      if (wanted.has(id) && !found.has(id)) found.set(id, path);
    } else if (Array.isArray(node)) node.forEach((v, i) => walk(v, `${path}[${i}]`));
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, `${path}.${k}`);
  };
  walk(def, base);
  return found;
}

/**
 * The first cycle through `refs` back to `selfId`, as the chain of segment ids after the first
 * step (empty when a segment refers to itself), or null. `refsOf` gives each stored segment's
 * references. Pure.
 */
export function findCycle(selfId: string, refs: readonly string[], refsOf: ReadonlyMap<string, readonly string[]>): { via: string; chain: string[] } | null {
  for (const first of refs) {
    if (first === selfId) return { via: first, chain: [] };
    const seen = new Set<string>([first]);
    const stack: { id: string; chain: string[] }[] = [{ id: first, chain: [] }];
    while (stack.length > 0) {
      const { id, chain } = stack.pop()!;
      for (const next of refsOf.get(id) ?? []) {
        if (next === selfId) return { via: first, chain: [...chain, id] };
        if (seen.has(next)) continue;
        seen.add(next);
        stack.push({ id: next, chain: [...chain, id] });
      }
    }
  }
  return null;
}

/** Validates a dynamic segment's definition and its references; returns the value and the ids it refers to. */
export async function checkDefinition(db: Queryable, opts: { workspaceId: string; segmentId?: string; definition: unknown; path?: string }): Promise<{ definition: unknown; refs: string[] }> {
  const base = opts.path ?? 'definition';
  const checked = validateSegmentDefinition(opts.definition, base);
  if (!checked.ok) {
    const first = checked.errors[0];
    throw new AppError('invalid_input', first ? `${first.path}: ${first.message}` : `${base}: is not a valid segment definition`, { errors: checked.errors });
  }
  const refs = [...new Set(referencedSegmentIds(checked.value).map((id) => id.toLowerCase()))];
  if (refs.length === 0) return { definition: checked.value, refs };
  const paths = referencePaths(checked.value, refs, base);
  const where = (id: string) => paths.get(id) ?? base;
  // Every live segment's references: the graph a cycle would run through.
  const rows = await db
    .select({ id: segments.id, refs: segments.refs, name: segments.name })
    .from(segments)
    .where(and(eq(segments.workspaceId, opts.workspaceId), isNull(segments.deletedAt)));
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const id of refs) {
    if (!byId.has(id)) throw new AppError('invalid_input', `${where(id)}: segment ${id} does not exist in this workspace`);
  }
  if (opts.segmentId) {
    const self = opts.segmentId;
    const graph = new Map(rows.filter((r) => r.id !== self).map((r) => [r.id, r.refs]));
    const cycle = findCycle(self, refs, graph);
    if (cycle) {
      const message =
        cycle.chain.length === 0
          ? `segment ${cycle.via} is this segment: a segment cannot refer to itself`
          : `segment ${cycle.via} refers back to this segment${cycle.chain.length > 1 ? ` through ${cycle.chain.slice(1).join(' → ')}` : ''}`;
      throw new AppError('invalid_input', `${where(cycle.via)}: ${message}`, { cycle: [self, cycle.via, ...cycle.chain.slice(1), self] });
    }
  }
  return { definition: checked.value, refs };
}

export async function getSegmentRow(db: Queryable, opts: { workspaceId: string; id: string }): Promise<SegmentRow | undefined> {
  const [row] = await db
    .select()
    .from(segments)
    .where(and(eq(segments.workspaceId, opts.workspaceId), eq(segments.id, opts.id), isNull(segments.deletedAt)));
  return row;
}

export async function requireSegmentRow(db: Queryable, opts: { workspaceId: string; id: string; forUpdate?: boolean }): Promise<SegmentRow> {
  const q = db
    .select()
    .from(segments)
    .where(and(eq(segments.workspaceId, opts.workspaceId), eq(segments.id, opts.id), isNull(segments.deletedAt)));
  const [row] = opts.forUpdate ? await q.for('update') : await q;
  if (!row) throw new AppError('not_found', `segment ${opts.id} not found`);
  return row;
}

export async function listSegments(db: Queryable, opts: { workspaceId: string }): Promise<Segment[]> {
  const rows = await db
    .select()
    .from(segments)
    .where(and(eq(segments.workspaceId, opts.workspaceId), isNull(segments.deletedAt)))
    .orderBy(asc(segments.name), asc(segments.id));
  return rows.map(toSegment);
}

/** Live dynamic segments of a workspace with their stored definitions (the live updates read them). */
export async function dynamicSegmentRows(db: Queryable, opts: { workspaceId: string }): Promise<SegmentRow[]> {
  return db
    .select()
    .from(segments)
    .where(and(eq(segments.workspaceId, opts.workspaceId), eq(segments.kind, 'dynamic'), isNull(segments.deletedAt)))
    .orderBy(asc(segments.id));
}

export async function createSegment(db: Queryable, opts: { workspaceId: string; actor: Actor; input: SegmentInput }): Promise<Segment> {
  const { input } = opts;
  const id = uuidv7();
  let definition: unknown = null;
  let refs: string[] = [];
  if (input.kind === 'dynamic') {
    if (input.definition === undefined || input.definition === null) throw new AppError('invalid_input', 'definition: is required for a dynamic segment');
    ({ definition, refs } = await checkDefinition(db, { workspaceId: opts.workspaceId, segmentId: id, definition: input.definition }));
  } else if (input.definition !== undefined && input.definition !== null) {
    throw new AppError('invalid_input', 'definition: a static segment has no definition (its members come from uploads)');
  }
  const [row] = await db
    .insert(segments)
    .values({
      workspaceId: opts.workspaceId,
      id,
      name: input.name.trim(),
      description: input.description ?? null,
      kind: input.kind,
      definition,
      refs,
      starterKey: input.starterKey ?? null,
      createdBy: opts.actor.label,
      updatedBy: opts.actor.label,
    })
    .returning();
  const segment = toSegment(row!);
  await recordAudit(db, { workspaceId: opts.workspaceId, actor: opts.actor, action: 'segment.created', entityType: 'segment', entityId: id, after: auditView(segment) });
  return segment;
}

/** Returns the changed segment and whether its definition changed (then its membership must be recomputed). */
export async function updateSegment(db: Queryable, opts: { workspaceId: string; actor: Actor; id: string; patch: SegmentPatch }): Promise<{ segment: Segment; definitionChanged: boolean }> {
  const current = await requireSegmentRow(db, { workspaceId: opts.workspaceId, id: opts.id, forUpdate: true });
  const { patch } = opts;
  const set: Partial<typeof segments.$inferInsert> = { updatedAt: new Date(), updatedBy: opts.actor.label };
  if (patch.name !== undefined) set.name = patch.name.trim();
  if (patch.description !== undefined) set.description = patch.description;
  let definitionChanged = false;
  if (patch.definition !== undefined) {
    if (current.kind !== 'dynamic') throw new AppError('invalid_input', 'definition: a static segment has no definition (its members come from uploads)');
    const { definition, refs } = await checkDefinition(db, { workspaceId: opts.workspaceId, segmentId: current.id, definition: patch.definition });
    definitionChanged = JSON.stringify(definition) !== JSON.stringify(current.definition);
    set.definition = definition;
    set.refs = refs;
  }
  const [row] = await db
    .update(segments)
    .set(set)
    .where(and(eq(segments.workspaceId, opts.workspaceId), eq(segments.id, opts.id)))
    .returning();
  const segment = toSegment(row!);
  await recordAudit(db, {
    workspaceId: opts.workspaceId,
    actor: opts.actor,
    action: 'segment.updated',
    entityType: 'segment',
    entityId: opts.id,
    before: auditView(toSegment(current)),
    after: auditView(segment),
  });
  return { segment, definitionChanged };
}

/** Soft-deletes a segment and drops its current members; refused while other segments refer to it. */
export async function deleteSegment(db: Queryable, opts: { workspaceId: string; actor: Actor; id: string }): Promise<void> {
  const current = await requireSegmentRow(db, { workspaceId: opts.workspaceId, id: opts.id, forUpdate: true });
  const users = await db
    .select({ id: segments.id, name: segments.name })
    .from(segments)
    .where(and(eq(segments.workspaceId, opts.workspaceId), isNull(segments.deletedAt), sql`${segments.refs} @> array[${opts.id}::uuid]`))
    .orderBy(asc(segments.name));
  if (users.length > 0) {
    throw new AppError(
      'conflict',
      `segment ${opts.id} is used by ${users.map((u) => `"${u.name}" (${u.id})`).join(', ')}: remove it from their definitions first`,
      { usedBy: users },
    );
  }
  await db
    .update(segments)
    .set({ deletedAt: new Date(), updatedBy: opts.actor.label })
    .where(and(eq(segments.workspaceId, opts.workspaceId), eq(segments.id, opts.id)));
  // Membership ends with the segment; its history stays (the customer did belong to it).
  await db.execute(sql`
    with gone as (delete from segment_members where workspace_id = ${opts.workspaceId}::uuid and segment_id = ${opts.id}::uuid returning customer_id, entered_at)
    update segment_membership_history h set exited_at = now()
    from gone where h.workspace_id = ${opts.workspaceId}::uuid and h.segment_id = ${opts.id}::uuid and h.customer_id = gone.customer_id and h.exited_at is null`);
  await recordAudit(db, { workspaceId: opts.workspaceId, actor: opts.actor, action: 'segment.deleted', entityType: 'segment', entityId: opts.id, before: auditView(toSegment(current)) });
}
