// What the segments API reads: members (keyset pages, masked without pii.read, or all of them
// as CSV), size over time, the overlap of two segments, and the preview of an unsaved definition.
import { sql } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { maskEmail, maskPhone } from '../customers/fields.ts';
import { DEFAULT_ESTIMATE_FROM, inSample, SAMPLE_MODULUS } from '../db/sample.ts';
import { compileSegment } from './compile.ts';
import { planSegment } from './plan.ts';
import { personalDataConditions, type SegmentDefinition } from './definition.ts';
import { compileContext, segmentQuerySettings } from './membership.ts';
import { checkDefinition, requireSegmentRow } from './segments.ts';

export type SegmentMember = { customerId: string; enteredAt: string; name: string | null; email: string | null; phone: string | null; externalId: string | null };

type MemberRow = { customer_id: string; entered_at: Date | string; name: string | null; email: string | null; phone: string | null; external_id: string | null };

const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();

function toMember(r: MemberRow, pii: boolean): SegmentMember {
  return {
    customerId: r.customer_id,
    enteredAt: iso(r.entered_at),
    name: r.name,
    email: pii ? r.email : maskEmail(r.email),
    phone: pii ? r.phone : maskPhone(r.phone),
    externalId: r.external_id,
  };
}

export function encodeMemberCursor(customerId: string): string {
  return Buffer.from(customerId).toString('base64url');
}

export function decodeMemberCursor(raw: string, path = 'query.cursor'): string {
  const id = Buffer.from(raw, 'base64url').toString('utf8');
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) throw new AppError('invalid_input', `${path}: is not a cursor from this list (use nextCursor as given)`);
  return id;
}

async function memberRows(db: Queryable, opts: { workspaceId: string; segmentId: string; after?: string; limit: number }): Promise<MemberRow[]> {
  const { rows } = await db.execute<MemberRow>(sql`
    select m.customer_id, m.entered_at, c.name, c.email, c.phone, c.external_id
    from segment_members m
    join customers c on c.workspace_id = m.workspace_id and c.id = m.customer_id
    where m.workspace_id = ${opts.workspaceId}::uuid and m.segment_id = ${opts.segmentId}::uuid
      ${opts.after ? sql`and m.customer_id > ${opts.after}::uuid` : sql``}
    order by m.customer_id
    limit ${opts.limit}`);
  return rows;
}

/** One page of a segment's members, in customer id order. */
export async function listMembers(db: Queryable, opts: { workspaceId: string; segmentId: string; cursor?: string; limit?: number; pii: boolean }) {
  const segment = await requireSegmentRow(db, { workspaceId: opts.workspaceId, id: opts.segmentId });
  const limit = opts.limit ?? 50;
  const rows = await memberRows(db, { workspaceId: opts.workspaceId, segmentId: segment.id, after: opts.cursor ? decodeMemberCursor(opts.cursor) : undefined, limit: limit + 1 });
  const page = rows.slice(0, limit);
  return {
    segmentId: segment.id,
    size: segment.size,
    members: page.map((r) => toMember(r, opts.pii)),
    nextCursor: rows.length > limit ? encodeMemberCursor(page[page.length - 1]!.customer_id) : null,
  };
}

/** A CSV cell: quoted when it must be, and a leading =, +, -, @ made inert (spreadsheet formula injection). */
export const csvCell = (v: string | null) => (v === null ? '' : /[",\r\n]/.test(v) || /^[=+\-@\t\r]/.test(v) ? `"${(/^[=+\-@\t\r]/.test(v) ? `'${v}` : v).replaceAll('"', '""')}"` : v);

/** Every member as CSV lines (header first), read in pages so a large segment streams. */
export async function* membersCsv(db: Queryable, opts: { workspaceId: string; segmentId: string; pii: boolean; pageSize?: number }): AsyncGenerator<string> {
  const segment = await requireSegmentRow(db, { workspaceId: opts.workspaceId, id: opts.segmentId });
  yield 'customer_id,external_id,name,email,phone,entered_at\r\n';
  let after: string | undefined;
  for (;;) {
    const rows = await memberRows(db, { workspaceId: opts.workspaceId, segmentId: segment.id, after, limit: opts.pageSize ?? 5000 });
    if (rows.length === 0) return;
    yield rows
      .map((r) => toMember(r, opts.pii))
      .map((m) => [m.customerId, m.externalId, m.name, m.email, m.phone, m.enteredAt].map(csvCell).join(',') + '\r\n')
      .join('');
    after = rows[rows.length - 1]!.customer_id;
  }
}

/** Size snapshots of the last `days` days, oldest first. */
export async function sizeHistory(db: Queryable, opts: { workspaceId: string; segmentId: string; days?: number; now?: Date }) {
  const segment = await requireSegmentRow(db, { workspaceId: opts.workspaceId, id: opts.segmentId });
  const since = new Date((opts.now ?? new Date()).getTime() - (opts.days ?? 30) * 86_400_000);
  const { rows } = await db.execute<{ at: Date | string; size: number; entered: number; exited: number }>(sql`
    select at, size, entered, exited from segment_sizes
    where workspace_id = ${opts.workspaceId}::uuid and segment_id = ${segment.id}::uuid and at >= ${since.toISOString()}::timestamptz
    order by at
    limit 5000`);
  return {
    segmentId: segment.id,
    size: segment.size,
    points: rows.map((r) => ({ at: iso(r.at), size: Number(r.size), entered: Number(r.entered), exited: Number(r.exited) })),
  };
}

/** Sizes of two segments and of their intersection. */
export async function segmentOverlap(db: Queryable, opts: { workspaceId: string; a: string; b: string }) {
  const a = await requireSegmentRow(db, { workspaceId: opts.workspaceId, id: opts.a });
  const b = await requireSegmentRow(db, { workspaceId: opts.workspaceId, id: opts.b });
  const { rows } = await db.execute<{ a: number; b: number; both: number }>(sql`
    select
      (select count(*) from segment_members where workspace_id = ${opts.workspaceId}::uuid and segment_id = ${a.id}::uuid)::int as a,
      (select count(*) from segment_members where workspace_id = ${opts.workspaceId}::uuid and segment_id = ${b.id}::uuid)::int as b,
      (select count(*) from segment_members x join segment_members y
         on y.workspace_id = x.workspace_id and y.segment_id = ${b.id}::uuid and y.customer_id = x.customer_id
       where x.workspace_id = ${opts.workspaceId}::uuid and x.segment_id = ${a.id}::uuid)::int as both`);
  const r = rows[0]!;
  return { a: { id: a.id, name: a.name, size: Number(r.a) }, b: { id: b.id, name: b.name, size: Number(r.b) }, both: Number(r.both) };
}

/**
 * The 95% margin of an estimate scaled up from `k` members of a 1-in-`modulus` sample: each
 * customer is in the sample with p = 1/modulus, so k has variance ≈ k(1 − p) and the estimate
 * k·modulus a standard error of modulus·√(k(1 − p)). With no member in the sample, the rule of
 * three: fewer than 3·modulus with 95% confidence.
 */
export function estimateMargin(k: number, modulus: number): number {
  if (k === 0) return 3 * modulus;
  return Math.ceil(1.96 * modulus * Math.sqrt(k * (1 - 1 / modulus)));
}

/**
 * Count and a sample of 20 for a definition not saved yet; the queries give up after `timeoutMs`.
 *
 * In a workspace of `estimateFrom` (DEFAULT_ESTIMATE_FROM) live customers or more the count is an estimate (unless
 * `exact`): the definition is evaluated over the customer sample alone (src/db/sample.ts, 1 in
 * 100) and its count scaled up, with a 95% margin. Exactly, a behaviour condition over 1M
 * customers reads millions of events (seconds); over the sample, a hundredth of them.
 */
export async function previewSegment(
  db: Queryable,
  opts: { workspaceId: string; definition: unknown; pii: boolean; now?: Date; timeoutMs?: number; sample?: number; exact?: boolean; estimateFrom?: number },
) {
  const { definition } = await checkDefinition(db, { workspaceId: opts.workspaceId, definition: opts.definition });
  if (!opts.pii) {
    // A count of customers with a given e-mail would tell a role without pii.read who is a
    // customer, and `starts_with` would spell the address out a character at a time.
    const personal = personalDataConditions(definition as SegmentDefinition);
    if (personal.length > 0) {
      const fields = [...new Set(personal.map((p) => p.field))];
      throw new AppError('forbidden', `${personal[0]!.path}.field: your role may not filter on ${fields.join(', ')} (it needs the pii.read permission)`);
    }
  }
  const now = opts.now ?? new Date();
  const def = definition as SegmentDefinition;
  const started = Date.now();
  return db.transaction(async (tx) => {
    await tx.execute(sql.raw(`set local statement_timeout = ${Math.max(100, Math.floor(opts.timeoutMs ?? 10_000))}`));
    await segmentQuerySettings(tx);
    let sampled: number | null = null;
    if (!opts.exact) {
      const { rows } = await tx.execute<{ n: number }>(sql`
        select count(*)::int as n from customers c
        where c.workspace_id = ${opts.workspaceId}::uuid and c.deleted_at is null and c.merged_into_id is null and ${inSample(sql`c.id`)}`);
      const n = Number(rows[0]?.n ?? 0);
      if (n * SAMPLE_MODULUS >= (opts.estimateFrom ?? DEFAULT_ESTIMATE_FROM)) sampled = n;
    }
    const estimated = sampled !== null;
    const sampledCtx = { ...compileContext({ workspaceId: opts.workspaceId, now, ...(estimated ? { sample: SAMPLE_MODULUS } : {}) }), hidePersonalValues: !opts.pii };
    const ctx = { ...sampledCtx, correlate: (await planSegment(tx, def, sampledCtx)).correlate };
    let found: number;
    let sample: MemberRow[];
    try {
      // One evaluation for both: the count over the whole result, beside its first rows. Asked
      // for the sample apart, the definition was evaluated twice (a behaviour condition hashes
      // its whole window before the first row comes out).
      const { rows } = await tx.execute<MemberRow & { n: number }>(sql`
        select t.customer_id, c.created_at as entered_at, c.name, c.email, c.phone, c.external_id, t.n
        from (select s.customer_id, count(*) over () as n from (${compileSegment(def, ctx)}) s limit ${opts.sample ?? 20}) t
        join customers c on c.workspace_id = ${opts.workspaceId}::uuid and c.id = t.customer_id`);
      found = Number(rows[0]?.n ?? 0);
      sample = rows;
    } catch (err) {
      if (pgCode(err) === '57014') throw new AppError('unavailable', 'definition: the preview took too long; save the segment and let it compute in the background');
      throw err;
    }
    return {
      count: estimated ? found * SAMPLE_MODULUS : found,
      /** Whether `count` is scaled up from the customer sample; `margin` is then its 95% margin (±). */
      estimated,
      margin: estimated ? estimateMargin(found, SAMPLE_MODULUS) : 0,
      /** Live customers evaluated: the sample's, or null when every customer was. */
      sampledCustomers: sampled,
      sample: sample.map((r) => {
        const { enteredAt: _ignored, ...m } = toMember(r, opts.pii);
        return m;
      }),
      ms: Date.now() - started,
    };
  });
}

function pgCode(err: unknown): string | undefined {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
