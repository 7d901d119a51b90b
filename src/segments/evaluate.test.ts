// Property test: for many random definitions over generated data, the SQL compiler and the
// in-memory evaluator choose exactly the same customers, on PGlite and on PostgreSQL.
import fc from 'fast-check';
import { beforeAll, expect, it } from 'vitest';
import { customerInSample } from '../db/sample.ts';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { compileSegment, compileSegmentCount, type CompileContext } from './compile.ts';
import { ATTRIBUTE_OPS, OPS_BY_KIND, validateSegmentDefinition, walk, type SegmentDefinition, type SegmentLeafNode } from './definition.ts';
import { evaluateSegment, type EvalData } from './evaluate.ts';
import { definition, SEG_A, SEG_B } from './test-arbitraries.ts';
import { FIXTURE_NOW, generateData, insertData, membersFrom, rng } from './test-fixture.ts';

it('covers every attribute op in the generator', () => {
  expect(new Set(Object.values(OPS_BY_KIND).flat())).toEqual(new Set(ATTRIBUTE_OPS));
});

describeEachDb('segment compiler ≡ in-memory evaluator', (getDb) => {
  let data: EvalData;
  let ctx: CompileContext;
  beforeAll(async () => {
    const database = getDb();
    const { workspace } = await createTestWorkspace(database);
    data = generateData({ workspaceId: workspace.id, seed: 20261203, customers: 300 });
    const r = rng(7);
    data.segments = { [SEG_A]: data.customers.filter(() => r() < 0.4).map((c) => c.id), [SEG_B]: data.customers.filter(() => r() < 0.1).map((c) => c.id) };
    await database.db.transaction((tx) => insertData(tx, data));
    ctx = { workspaceId: workspace.id, now: FIXTURE_NOW, segmentMembers: membersFrom(data.segments) };
  }, 60_000);

  const run = async (def: SegmentDefinition, c: CompileContext) => {
    const res = await getDb().db.execute<{ customer_id: string }>(compileSegment(def, c));
    return res.rows.map((row) => row.customer_id).sort();
  };

  it('agrees on 200 random definitions', async () => {
    let nonTrivial = 0;
    await fc.assert(
      fc.asyncProperty(definition, async (def) => {
        const checked = validateSegmentDefinition(def);
        expect(checked.ok ? [] : checked.errors).toEqual([]);
        const expected = evaluateSegment(def, data, FIXTURE_NOW);
        if (expected.length > 0 && expected.length < data.customers.length * 0.95) nonTrivial++;
        expect(await run(def, ctx)).toEqual(expected);
      }),
      { seed: Number(process.env.SEGMENTS_FC_SEED ?? 42), numRuns: Number(process.env.SEGMENTS_FC_RUNS ?? 200), endOnFailure: true },
    );
    // The generated definitions must split the customers, not just match all or none.
    expect(nonTrivial).toBeGreaterThan(60);
  }, 120_000);

  it('agrees when restricted to a few customers, and counts the same', async () => {
    const some = data.customers.filter((_, i) => i % 7 === 0).map((c) => c.id);
    await fc.assert(
      fc.asyncProperty(definition, async (def) => {
        const expected = evaluateSegment(def, data, FIXTURE_NOW, some);
        expect(await run(def, { ...ctx, customerIds: some })).toEqual(expected);
        const counted = await getDb().db.execute<{ n: number }>(compileSegmentCount(def, ctx));
        expect(counted.rows[0]!.n).toBe(evaluateSegment(def, data, FIXTURE_NOW).length);
      }),
      { seed: 43, numRuns: 60, endOnFailure: true },
    );
  }, 120_000);

  it('agrees over the customer sample (a preview estimate evaluates the sample alone)', async () => {
    // 1 in 4 here, so that a few hundred customers give a sample worth comparing.
    const sampled = data.customers.filter((c) => customerInSample(c.id, 4)).map((c) => c.id);
    expect(sampled.length).toBeGreaterThan(40);
    expect(sampled.length).toBeLessThan(120);
    await fc.assert(
      fc.asyncProperty(definition, async (def) => {
        expect(await run(def, { ...ctx, sample: 4 })).toEqual(evaluateSegment(def, data, FIXTURE_NOW, sampled));
      }),
      { seed: 44, numRuns: 60, endOnFailure: true },
    );
  }, 120_000);

  it('agrees when some behaviour and order leaves are evaluated per customer (ctx.correlate)', async () => {
    let correlated = 0;
    await fc.assert(
      fc.asyncProperty(definition, fc.integer({ min: 1, max: 1e9 }), async (def, seed) => {
        const r = rng(seed);
        const correlate = new Set<SegmentLeafNode>();
        walk(def, (leaf) => {
          if ((leaf.type === 'event' || leaf.type === 'orders') && r() < 0.6) correlate.add(leaf);
        });
        correlated += correlate.size;
        expect(await run(def, { ...ctx, correlate })).toEqual(evaluateSegment(def, data, FIXTURE_NOW));
      }),
      { seed: 45, numRuns: 100, endOnFailure: true },
    );
    expect(correlated).toBeGreaterThan(20);
  }, 120_000);
});
