// Property test: for many random definitions over generated data, the SQL compiler and the
// in-memory evaluator choose exactly the same customers, on PGlite and on PostgreSQL.
import fc from 'fast-check';
import { beforeAll, expect, it } from 'vitest';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { compileSegment, compileSegmentCount, type CompileContext } from './compile.ts';
import {
  AMOUNT_OPS,
  ATTRIBUTE_OPS,
  COUNT_OPS,
  METRIC_FIELDS,
  OPS_BY_KIND,
  PROFILE_FIELDS,
  PROPERTY_OPS,
  validateSegmentDefinition,
  type AttributeOp,
  type FieldKind,
  type SegmentDefinition,
} from './definition.ts';
import { evaluateSegment, type EvalData } from './evaluate.ts';
import { FIXTURE_NOW, POOLS, generateData, insertData, membersFrom, rng } from './test-fixture.ts';

const DAY = 86_400_000;
const SEG_A = '11111111-1111-4111-a111-111111111111';
const SEG_B = '22222222-2222-4222-a222-222222222222';

const textV = fc.constantFrom('Kim Minji', 'kim', 'O', "O'Hara", 'ann', '김', 'a@x.com', 'x.com', '', 'lead', 'customer', 'ko', "x'; drop table customers; --", 'M', 'F', 'Z', 'web', 'import', 'gold', 'Gold', 'shoes', 'Shoes', 'Champions', 'VIP');
const numV = fc.constantFrom(0, 1, 2, 2.5, 3, 5, 7, 10, 0.5, 0.25, 0.75, 0.9, 1000, 5000, 12000, 42, -3, 12.5, 100, 23);
const timeV = fc.oneof(
  fc.integer({ min: -5, max: 400 }).map((d) => new Date(FIXTURE_NOW.getTime() - d * DAY - 3_600_000 * (d % 7)).toISOString()),
  fc.integer({ min: -5, max: 400 }).map((d) => new Date(FIXTURE_NOW.getTime() - d * DAY).toISOString().slice(0, 10)),
);
const dateV = fc.oneof(timeV, fc.tuple(fc.integer({ min: 1960, max: 2005 }), fc.integer({ min: 0, max: 364 })).map(([y, d]) => new Date(Date.UTC(y, 0, 1) + d * DAY).toISOString().slice(0, 10)));
const customV = fc.oneof(textV, numV, fc.boolean(), dateV, fc.constantFrom(...POOLS.plans, ...POOLS.interests));

function single(kind: FieldKind): fc.Arbitrary<unknown> {
  if (kind === 'text') return textV;
  if (kind === 'number') return numV;
  if (kind === 'boolean') return fc.boolean();
  if (kind === 'time' || kind === 'date') return dateV;
  return customV;
}

function valueFor(kind: FieldKind, op: AttributeOp): fc.Arbitrary<unknown> {
  switch (op) {
    case 'eq':
    case 'neq':
      return single(kind);
    case 'in':
      return fc.array(single(kind), { minLength: 1, maxLength: 4 });
    case 'contains':
    case 'starts_with':
      return textV;
    case 'exists':
    case 'not_exists':
      return fc.constant(undefined);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return kind === 'custom' ? fc.oneof(numV, textV, dateV) : single(kind);
    case 'between':
      return kind === 'custom' ? fc.oneof(fc.tuple(numV, numV), fc.tuple(textV, textV), fc.tuple(dateV, dateV)) : fc.tuple(single(kind), single(kind));
    case 'before':
    case 'after':
      return dateV;
    case 'within_last_days':
      return fc.integer({ min: 0, max: 400 });
    case 'anniversary_within_days':
      return fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constant(366));
  }
}

const comparison = (fields: fc.Arbitrary<[string, FieldKind]>, ops: (kind: FieldKind) => readonly AttributeOp[]) =>
  fields.chain(([field, kind]) =>
    fc.constantFrom(...ops(kind)).chain((op) => valueFor(kind, op).map((value) => (value === undefined ? { field, op } : { field, op, value }))),
  );

const attributeFields = fc.constantFrom<[string, FieldKind]>(
  ...(Object.entries(PROFILE_FIELDS) as [string, FieldKind][]),
  ...['plan', 'score', 'interests', 'joined', 'flag', 'nothing', 'missing', "it's"].map((k): [string, FieldKind] => [`attributes.${k}`, 'custom']),
);
const metricFields = fc.constantFrom<[string, FieldKind]>(...(Object.entries(METRIC_FIELDS) as [string, FieldKind][]));
const propertyFields = fc.constantFrom<[string, FieldKind]>(
  ...['category', 'price', 'price_text', 'product.sku', 'product.tags', 'product', 'when', 'missing', "it's"].map((k): [string, FieldKind] => [k, 'custom']),
);

const window = fc.oneof(
  fc.constant({}),
  fc.integer({ min: 1, max: 60 }).map((days) => ({ within: { days } })),
  fc.integer({ min: 1, max: 300 }).map((hours) => ({ within: { hours } })),
  fc.integer({ min: 1, max: 20_000 }).map((minutes) => ({ within: { minutes } })),
  fc.tuple(timeV, timeV).map(([a, b]) => ({ between: a < b ? { from: a, to: b } : { from: b, to: a } })),
);
const timeCondition = fc.record({ op: fc.constantFrom('before', 'after') }).chain((t) =>
  fc.oneof(
    dateV.map((date) => ({ ...t, date })),
    fc.integer({ min: 0, max: 90 }).map((days_ago) => ({ ...t, days_ago })),
  ),
);
const opt = <T,>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const clean = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const leaf: fc.Arbitrary<SegmentDefinition> = fc.oneof(
  comparison(attributeFields, (k) => OPS_BY_KIND[k]).map((c) => ({ type: 'attribute', ...c }) as SegmentDefinition),
  comparison(metricFields, (k) => OPS_BY_KIND[k]).map((c) => ({ type: 'metric', ...c }) as SegmentDefinition),
  fc.constantFrom(...POOLS.tags, 'none').map((tag) => ({ type: 'tag', tag }) as SegmentDefinition),
  fc.record({ channel: fc.constantFrom(...POOLS.channels), purpose: opt(fc.constantFrom(...POOLS.purposes)) }).map((c) => clean({ type: 'consent', ...c }) as SegmentDefinition),
  fc
    .record({ category: fc.constantFrom(...POOLS.prefCategories, 'Nope'), source: opt(fc.constantFrom('stated', 'inferred', 'any')), min: opt(fc.constantFrom(0, 0.25, 0.5, 0.7, 0.8, 1)) })
    .map((p) => clean({ type: 'preference', ...p }) as SegmentDefinition),
  fc
    .record({
      name: opt(fc.constantFrom(...POOLS.eventNames, 'Nope')),
      where: opt(fc.array(comparison(propertyFields, () => PROPERTY_OPS), { maxLength: 2 })),
      performed: opt(fc.boolean()),
      count: opt(fc.record({ op: fc.constantFrom(...COUNT_OPS), value: fc.integer({ min: 0, max: 4 }) })),
      first: opt(timeCondition),
      last: opt(timeCondition),
      window,
    })
    .map(({ window: w, ...e }) => {
      const out = clean({ type: 'event', ...e, ...w });
      if (out.performed === false) delete out.count, delete out.first, delete out.last;
      return out as SegmentDefinition;
    }),
  fc
    .record({
      count: opt(fc.record({ op: fc.constantFrom(...COUNT_OPS), value: fc.integer({ min: 0, max: 4 }) })),
      total: opt(fc.record({ op: fc.constantFrom(...AMOUNT_OPS), value: fc.constantFrom(0, 1000, 2500, 10_000, 40_000) })),
      average: opt(fc.record({ op: fc.constantFrom(...AMOUNT_OPS), value: fc.constantFrom(0, 1000, 2500, 5000, 12_000) })),
      sku: opt(fc.constantFrom(...POOLS.skus)),
      product_id: opt(fc.constantFrom(...POOLS.productIds)),
      category: opt(fc.constantFrom('Women', 'Women > Shoes', 'Wom', 'Kids', 'Men > Shoes')),
      window,
    })
    .map(({ window: w, ...o }) => clean({ type: 'orders', ...o, ...w }) as SegmentDefinition),
  fc.constantFrom(SEG_A, SEG_B, '33333333-3333-4333-a333-333333333333').map((id) => ({ type: 'segment', id }) as SegmentDefinition),
  fc
    .tuple(fc.constantFrom(2, 10, 100), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), opt(fc.constantFrom('a', 'exp-1')))
    .map(([buckets, a, b, seed]) => {
      const [from, to] = [Math.min(a, b) % buckets, Math.max(a, b) % buckets].sort((x, y) => x - y) as [number, number];
      return clean({ type: 'random', buckets, from, to, seed }) as SegmentDefinition;
    }),
);

const definition: fc.Arbitrary<SegmentDefinition> = fc.letrec<{ node: SegmentDefinition }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((and) => ({ and })),
    fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((or) => ({ or })),
    tie('node').map((not) => ({ not })),
  ),
})).node;

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
});
