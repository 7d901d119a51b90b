// The planner's choice of per-customer conditions, on both databases: from the rows each
// behaviour condition reads (EXPLAIN estimates after ANALYZE), and the recompute that uses it.
import { sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { compileSegment } from './compile.ts';
import type { SegmentDefinition, SegmentLeafNode } from './definition.ts';
import { compileContext, recomputeSegment } from './membership.ts';
import { estimatedRows, planSegment } from './plan.ts';
import { createSegment } from './segments.ts';
import { systemActor } from '../workspaces/audit.ts';

const NOW = new Date('2026-06-15T12:00:00Z');

describeEachDb('segment plan: per-customer conditions', (getDb) => {
  let ws: string;
  beforeAll(async () => {
    const { db } = getDb();
    ws = (await createTestWorkspace(getDb())).workspace.id;
    // 400 customers; each viewed ~10 products in the last 30 days, 1 in 20 added to a cart (event
    // names of this test alone, so the statistics on a shared PostgreSQL database are its own).
    await db.execute(sql`
      insert into customers (workspace_id, id, name, created_at, updated_at)
      select ${ws}::uuid, ('00000000-0000-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, 'c' || g, ${NOW.toISOString()}::timestamptz, ${NOW.toISOString()}::timestamptz
      from generate_series(1, 400) g`);
    await db.execute(sql`
      insert into events (workspace_id, id, message_id, customer_id, type, name, properties, context, timestamp, received_at)
      select ${ws}::uuid, gen_random_uuid(), 'v' || g || '-' || k, ('00000000-0000-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, 'track',
        case when k = 0 then 'Plan Test Added' else 'Plan Test Viewed' end, '{}'::jsonb, '{}'::jsonb, t, t
      from generate_series(1, 400) g, generate_series(0, 10) k,
        lateral (select ${NOW.toISOString()}::timestamptz - (k * 2 + g % 3) * interval '1 day' as t) tt
      where k > 0 or g % 20 = 0`);
    await db.execute(sql`analyze events`);
  }, 60_000);

  const viewed: SegmentLeafNode = { type: 'event', name: 'Plan Test Viewed', within: { days: 30 }, count: { op: 'gte', value: 3 } };
  const added: SegmentLeafNode = { type: 'event', name: 'Plan Test Added', within: { days: 7 } };

  it('estimates the rows a condition reads', async () => {
    const { db } = getDb();
    const rows = (name: string) => estimatedRows(db, sql`select 1 from events x where x.workspace_id = ${ws}::uuid and x.name = ${name}::text`);
    // 4,000 views, 20 carts, nothing else: names only this test uses. Estimates only (other
    // tests' workspaces share the statistics on PostgreSQL), so compared with one another.
    const [viewed, added, none] = [await rows('Plan Test Viewed'), await rows('Plan Test Added'), await rows('Plan Test Never')];
    expect(viewed).toBeGreaterThan(10 * added);
    expect(added).toBeGreaterThanOrEqual(none);
    expect(viewed).toBeGreaterThan(0);
  });

  it('evaluates the wide condition per customer where a narrow one drives', async () => {
    const { db } = getDb();
    const ctx = compileContext({ workspaceId: ws, now: NOW });
    const def: SegmentDefinition = { and: [viewed, added] };
    const plan = await planSegment(db, def, ctx, { minRows: 0 });
    expect([...plan.correlate]).toEqual([viewed]);
    expect(plan.rows.get(viewed)!).toBeGreaterThan(8 * plan.rows.get(added)!);
    // Not when the rows are few (the default minimum), nor when the narrow one is not required of everyone.
    expect((await planSegment(db, def, ctx)).correlate.size).toBe(0);
    expect((await planSegment(db, { or: [viewed, added] }, ctx, { minRows: 0 })).correlate.size).toBe(0);
    expect((await planSegment(db, { and: [viewed, { not: added }] }, ctx, { minRows: 0 })).correlate.size).toBe(0);
    // Nor within a live re-evaluation (per customer already) or a sample.
    expect((await planSegment(db, def, { ...ctx, sample: 4 }, { minRows: 0 })).correlate.size).toBe(0);
  });

  it('finds the same members either way', async () => {
    const { db } = getDb();
    const ctx = compileContext({ workspaceId: ws, now: NOW });
    const def: SegmentDefinition = { and: [viewed, added, { not: { type: 'event', name: 'Plan Test Viewed', within: { days: 1 } } }] };
    const plan = await planSegment(db, def, ctx, { minRows: 0 });
    expect(plan.correlate.has(viewed)).toBe(true);
    const ids = async (correlate: ReadonlySet<SegmentLeafNode>) =>
      (await db.execute<{ customer_id: string }>(compileSegment(def, { ...ctx, correlate }))).rows.map((r) => r.customer_id).sort();
    const grouped = await ids(new Set());
    expect(grouped.length).toBeGreaterThan(5);
    expect(await ids(plan.correlate)).toEqual(grouped);
    // Recomputed both ways (the per-customer target is computed apart, in a temporary table):
    // the same members, and nobody moves the second time.
    const segment = await createSegment(db, { workspaceId: ws, actor: systemActor, input: { name: 'Browsing with a cart', kind: 'dynamic', definition: def } });
    const first = await recomputeSegment(db, { workspaceId: ws, segmentId: segment.id, now: NOW, plan: { minRows: 0 } });
    expect(first).toMatchObject({ size: grouped.length, entered: grouped.length, exited: 0 });
    const stored = async () =>
      (await db.execute<{ customer_id: string }>(sql`select customer_id from segment_members where workspace_id = ${ws}::uuid and segment_id = ${segment.id}::uuid`)).rows.map((r) => r.customer_id).sort();
    expect(await stored()).toEqual(grouped);
    expect(await recomputeSegment(db, { workspaceId: ws, segmentId: segment.id, now: NOW })).toMatchObject({ size: grouped.length, entered: 0, exited: 0 });
    expect(await recomputeSegment(db, { workspaceId: ws, segmentId: segment.id, now: NOW, plan: { minRows: 0 } })).toMatchObject({ entered: 0, exited: 0 });
    // 5½ days later the carts of those who added 2 days before NOW have left their 7 days: they
    // exit, the same by either plan.
    const later = new Date(NOW.getTime() + 5.5 * 86_400_000);
    const expected = (await db.execute<{ customer_id: string }>(compileSegment(def, compileContext({ workspaceId: ws, now: later })))).rows.length;
    expect(expected).toBeLessThan(grouped.length);
    const moved = await recomputeSegment(db, { workspaceId: ws, segmentId: segment.id, now: later, plan: { minRows: 0 } });
    expect(moved).toMatchObject({ size: expected, exited: grouped.length - expected });
  });
});
