// Random segment definitions for property tests (fast-check), over the values the generated
// test data holds (src/segments/test-fixture.ts), so that definitions split the customers.
import fc from 'fast-check';
import {
  AMOUNT_OPS,
  COUNT_OPS,
  METRIC_FIELDS,
  OPS_BY_KIND,
  PROFILE_FIELDS,
  PROPERTY_OPS,
  type AttributeOp,
  type FieldKind,
  type SegmentDefinition,
} from './definition.ts';
import { FIXTURE_NOW, POOLS } from './test-fixture.ts';

const DAY = 86_400_000;
export const SEG_A = '11111111-1111-4111-a111-111111111111';
export const SEG_B = '22222222-2222-4222-a222-222222222222';

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

export const definition: fc.Arbitrary<SegmentDefinition> = fc.letrec<{ node: SegmentDefinition }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((and) => ({ and })),
    fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((or) => ({ or })),
    tie('node').map((not) => ({ not })),
  ),
})).node;
