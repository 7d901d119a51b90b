// Property test of the incremental sweep: for random time-dependent definitions and two instants,
// every customer whose membership differs between them (by the in-memory evaluator, with no new
// data in between) is among the customers the sweep plan names. On PGlite and PostgreSQL.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { segmentDependencies, type SegmentDefinition } from './definition.ts';
import { evaluateSegment, type EvalData } from './evaluate.ts';
import { SWEEP_INCREMENTAL_MAX_MS, sweepPlan } from './sweep.ts';
import { definition, SEG_A, SEG_B } from './test-arbitraries.ts';
import { FIXTURE_NOW, POOLS, generateData, insertData, rng } from './test-fixture.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;

it('plans a full recompute when a calendar day turns for a birthday condition, or after a long gap', () => {
  const workspaceId = randomUUID();
  const birthday = { type: 'attribute', field: 'birthday', op: 'anniversary_within_days', value: 7 } as const;
  const at = (iso: string) => new Date(iso);
  expect(sweepPlan(birthday, { workspaceId, from: at('2026-03-01T10:00:00Z'), to: at('2026-03-01T10:01:00Z') })).toEqual({ full: false, candidates: [] });
  expect(sweepPlan(birthday, { workspaceId, from: at('2026-03-01T23:59:30Z'), to: at('2026-03-02T00:00:30Z') })).toMatchObject({ full: true });
  const visited = { type: 'event', name: 'Store Visited', within: { hours: 1 } } as const;
  expect(sweepPlan(visited, { workspaceId, from: at('2026-03-01T10:00:00Z'), to: at('2026-03-01T10:01:00Z') })).toMatchObject({ full: false });
  expect(sweepPlan(visited, { workspaceId, from: at('2026-03-01T10:00:00Z'), to: new Date(at('2026-03-01T10:00:00Z').getTime() + SWEEP_INCREMENTAL_MAX_MS + 1) })).toMatchObject({
    full: true,
  });
  expect(sweepPlan({ type: 'event', within: { days: 3 } }, { workspaceId, from: at('2026-03-01T10:00:00Z'), to: at('2026-03-01T10:01:00Z') })).toMatchObject({ full: true });
});

/** Conditions on the last few days (where the test data is dense), alone or with any other. */
const recentWindow = fc.oneof(
  fc.integer({ min: 1, max: 3 }).map((days) => ({ days })),
  fc.integer({ min: 1, max: 72 }).map((hours) => ({ hours })),
  fc.integer({ min: 1, max: 4000 }).map((minutes) => ({ minutes })),
);
const timedLeaf: fc.Arbitrary<SegmentDefinition> = fc.oneof(
  fc
    .record({ name: fc.constantFrom(...POOLS.eventNames), within: recentWindow, count: fc.record({ op: fc.constantFrom('gte', 'lte', 'eq'), value: fc.integer({ min: 0, max: 3 }) }) })
    .map((e) => ({ type: 'event', ...e }) as SegmentDefinition),
  fc
    .record({ name: fc.constantFrom(...POOLS.eventNames), op: fc.constantFrom('before', 'after'), days_ago: fc.integer({ min: 0, max: 3 }), which: fc.constantFrom('first', 'last') })
    .map(({ which, op, days_ago, name }) => ({ type: 'event', name, [which]: { op, days_ago } }) as SegmentDefinition),
  recentWindow.map((within) => ({ type: 'orders', within }) as SegmentDefinition),
  fc
    .record({ field: fc.constantFrom('last_seen_at', 'last_order_at'), value: fc.integer({ min: 0, max: 3 }) })
    .map((m) => ({ type: 'metric', op: 'within_last_days', ...m }) as SegmentDefinition),
  fc
    .record({ field: fc.constantFrom('signed_up_at', 'created_at', 'updated_at'), value: fc.integer({ min: 0, max: 3 }) })
    .map((a) => ({ type: 'attribute', op: 'within_last_days', ...a }) as SegmentDefinition),
);
const timed: fc.Arbitrary<SegmentDefinition> = fc.oneof(
  timedLeaf,
  fc.tuple(timedLeaf, definition).map((and) => ({ and })),
  fc.tuple(timedLeaf, definition).map((or) => ({ or })),
  timedLeaf.map((not) => ({ not })),
  definition,
);

describeEachDb('incremental sweep', (getDb) => {
  let data: EvalData;
  let workspaceId: string;
  beforeAll(async () => {
    const database = getDb();
    const { workspace } = await createTestWorkspace(database);
    workspaceId = workspace.id;
    data = generateData({ workspaceId, seed: 20261204, customers: 300 });
    const r = rng(11);
    data.segments = { [SEG_A]: data.customers.filter(() => r() < 0.4).map((c) => c.id), [SEG_B]: data.customers.filter(() => r() < 0.1).map((c) => c.id) };
    const ahead = () => new Date(FIXTURE_NOW.getTime() + Math.floor(r() * 3 * DAY));
    const recent = () => new Date(FIXTURE_NOW.getTime() - Math.floor(r() * 3 * DAY));
    const pick = <T,>(list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
    // Dense recent history, so that the edges of short windows pass many rows.
    for (const c of data.customers) {
      for (let k = Math.floor(r() * 6); k > 0; k--) data.events.push({ customer_id: c.id, name: pick(POOLS.eventNames), timestamp: recent(), properties: {} });
      if (r() < 0.3) data.orders.push({ id: randomUUID(), customer_id: c.id, status: 'completed', total: 5000, refunded_total: 0, placed_at: recent(), items: [] });
      if (r() < 0.3) c.signed_up_at = recent();
    }
    for (const m of data.metrics) if (r() < 0.4) m.last_seen_at = recent();
    // Rows dated ahead of "now": orders placed and sign-ups entered for later dates.
    for (let i = 0; i < 20; i++) {
      data.orders.push({ id: randomUUID(), customer_id: pick(data.customers).id, status: 'completed', total: 5000, refunded_total: 0, placed_at: ahead(), items: [] });
      pick(data.customers).signed_up_at = ahead();
    }
    await database.db.transaction((tx) => insertData(tx, data));
    // Events sent ahead of their time (received a minute before FIXTURE_NOW, dated up to 3 days later).
    const future = Array.from({ length: 60 }, () => ({ customer_id: pick(data.customers).id, name: pick(POOLS.eventNames), timestamp: ahead(), properties: {} }));
    for (const e of future) {
      await database.db.execute(sql`
        insert into events (workspace_id, id, message_id, customer_id, type, name, properties, timestamp, received_at)
        values (${workspaceId}::uuid, ${randomUUID()}::uuid, ${`future-${randomUUID()}`}, ${e.customer_id}::uuid, 'track', ${e.name}, '{}'::jsonb,
                ${e.timestamp.toISOString()}::timestamptz, ${new Date(FIXTURE_NOW.getTime() - MINUTE).toISOString()}::timestamptz)`);
    }
    data.events.push(...future);
  }, 60_000);

  it('names every customer whose membership the clock moved', async () => {
    const stats = { timed: 0, full: 0, moved: 0, candidates: 0 };
    const gap = fc.oneof(
      fc.integer({ min: 1, max: 120 }).map((s) => s * 1000),
      fc.integer({ min: 1, max: 180 }).map((m) => m * MINUTE),
      fc.integer({ min: 3, max: 6 * 60 }).map((m) => m * MINUTE),
    );
    await fc.assert(
      fc.asyncProperty(timed, fc.integer({ min: 0, max: 3 * 24 * 60 }), gap, async (def, startMinutes, gapMs) => {
        if (!segmentDependencies(def).timeDependent) return;
        stats.timed++;
        const from = new Date(FIXTURE_NOW.getTime() + startMinutes * MINUTE);
        const to = new Date(from.getTime() + gapMs);
        const plan = sweepPlan(def, { workspaceId, from, to });
        if (plan.full) {
          stats.full++;
          return;
        }
        const before = new Set(evaluateSegment(def, data, from));
        const after = new Set(evaluateSegment(def, data, to));
        const moved = [...new Set([...before, ...after])].filter((id) => before.has(id) !== after.has(id));
        const named = new Set<string>();
        for (const q of plan.candidates) for (const row of (await getDb().db.execute<{ customer_id: string }>(q)).rows) named.add(row.customer_id);
        if (moved.length) stats.moved++;
        stats.candidates += named.size;
        expect(moved.filter((id) => !named.has(id)).sort()).toEqual([]);
      }),
      { seed: Number(process.env.SEGMENTS_FC_SEED ?? 7), numRuns: Number(process.env.SEGMENTS_FC_RUNS ?? 300), endOnFailure: true },
    );
    // Not vacuous: many definitions read the clock, most are planned incrementally, and the clock
    // moved someone in a good share of them.
    expect(stats.timed).toBeGreaterThan(60);
    expect(stats.full).toBeLessThan(stats.timed / 2);
    expect(stats.moved).toBeGreaterThan(10);
  }, 120_000);
});
