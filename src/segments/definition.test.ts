// The definition validator names each bad node by path; dependencies say what a definition reads.
import fc from 'fast-check';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { LIMITS, SegmentDefinitionSchema, personalDataFields, referencedSegmentIds, segmentDependencies, validateSegmentDefinition, type SegmentDefinition } from './definition.ts';

const SEG = '11111111-1111-4111-a111-111111111111';
const SEG2 = '22222222-2222-4222-a222-222222222222';

const VALID: SegmentDefinition[] = [
  { type: 'attribute', field: 'gender', op: 'eq', value: 'F' },
  { type: 'attribute', field: 'attributes.plan', op: 'in', value: ['gold', 'silver'] },
  { type: 'attribute', field: 'birthday', op: 'anniversary_within_days', value: 7 },
  { type: 'attribute', field: 'signed_up_at', op: 'between', value: ['2024-01-01', '2024-02-01T00:00:00+09:00'] },
  { type: 'consent', channel: 'sms', purpose: 'marketing' },
  { type: 'tag', tag: 'vip' },
  { type: 'preference', category: 'Women > Shoes', source: 'stated', min: 0.5 },
  { type: 'event', name: 'Product Viewed', where: [{ field: 'category', op: 'eq', value: 'shoes' }], count: { op: 'gte', value: 2 }, within: { days: 7 } },
  { type: 'event', name: 'Order Completed', performed: false, within: { days: 30 } },
  { type: 'event', name: 'Signed Up', first: { op: 'after', days_ago: 7 } },
  { type: 'event', last: { op: 'before', date: '2025-01-01' }, between: { from: '2024-01-01', to: '2025-01-01' } },
  { type: 'orders', total: { op: 'gte', value: 100000 }, category: 'Women', within: { days: 90 } },
  { type: 'metric', field: 'p_alive', op: 'lt', value: 0.5 },
  { type: 'metric', field: 'abandoned_cart', op: 'eq', value: true },
  { type: 'segment', id: SEG },
  { type: 'random', buckets: 100, from: 0, to: 9, seed: 'exp-1' },
  { and: [{ or: [{ type: 'tag', tag: 'a' }, { not: { type: 'tag', tag: 'b' } }] }, { type: 'segment', id: SEG2 }] },
];

describe('validateSegmentDefinition', () => {
  it.each(VALID.map((d) => [JSON.stringify(d), d] as const))('accepts %s (and so does the JSON schema)', (_s, def) => {
    expect(validateSegmentDefinition(def)).toEqual({ ok: true, value: def });
    expect(Value.Check(SegmentDefinitionSchema, def)).toBe(true);
  });

  const CASES: [string, unknown, { path: string; message: string }[]][] = [
    ['not an object', 'vip', [{ path: 'definition', message: 'must be an object: a group {and|or|not} or a leaf with a type' }]],
    ['unknown leaf type', { type: 'magic' }, [{ path: 'definition.type', message: 'must be one of attribute, consent, tag, preference, event, orders, metric, segment, random (or the node must be a group: and, or, not)' }]],
    ['empty and', { and: [] }, [{ path: 'definition.and', message: 'must be a non-empty list of conditions' }]],
    [
      'bad count op deep in a group',
      { and: [{ type: 'tag', tag: 'x' }, { type: 'event', name: 'X', count: { op: 'gt', value: 1 } }] },
      [{ path: 'definition.and[1].count.op', message: 'must be one of gte, lte, eq' }],
    ],
    ['unknown property', { type: 'tag', tag: 'x', colour: 'red' }, [{ path: 'definition.colour', message: 'is not a known property' }]],
    ['unknown field', { type: 'attribute', field: 'password', op: 'eq', value: 'x' }, [{ path: 'definition.field', message: 'must be a profile field (email, phone, name, gender, locale, time_zone, lifecycle_stage, source, external_id, birthday, signed_up_at, created_at, updated_at) or attributes.<key>' }]],
    ['op not for the field', { type: 'attribute', field: 'name', op: 'within_last_days', value: 3 }, [{ path: 'definition.op', message: 'must be one of eq, neq, in, contains, starts_with, exists, not_exists, gt, gte, lt, lte, between' }]],
    ['bad date', { type: 'attribute', field: 'birthday', op: 'before', value: '2023-02-30' }, [{ path: 'definition.value', message: 'must be a date (YYYY-MM-DD) or a time with its offset (ISO 8601)' }]],
    ['time without offset', { type: 'attribute', field: 'created_at', op: 'after', value: '2024-01-01T10:00:00' }, [{ path: 'definition.value', message: 'must be a date (YYYY-MM-DD) or a time with its offset (ISO 8601)' }]],
    ['in with a bad item', { not: { type: 'attribute', field: 'attributes.x', op: 'in', value: ['a', { b: 1 }] } }, [{ path: 'definition.not.value[1]', message: 'must be a text (at most 500 characters), number or boolean' }]],
    ['between not a pair', { type: 'metric', field: 'clv', op: 'between', value: [1] }, [{ path: 'definition.value', message: 'must be a list of two values [from, to]' }]],
    ['exists with a value', { type: 'attribute', field: 'email', op: 'exists', value: 'x' }, [{ path: 'definition.value', message: 'must not be given for "exists"' }]],
    ['negative days', { type: 'attribute', field: 'signed_up_at', op: 'within_last_days', value: -1 }, [{ path: 'definition.value', message: 'must be a whole number of days from 0 to 36600' }]],
    ['metric boolean', { type: 'metric', field: 'churn_risk', op: 'eq', value: 'yes' }, [{ path: 'definition.value', message: 'must be true or false' }]],
    ['unknown metric', { type: 'metric', field: 'password', op: 'eq', value: 1 }, [{ path: 'definition.field', message: expect.stringMatching(/^must be one of rfm_r, /) as unknown as string }]],
    ['consent channel', { type: 'consent', channel: 'fax' }, [{ path: 'definition.channel', message: 'must be one of email, sms, kakao, push' }]],
    ['preference min', { type: 'preference', category: 'x', min: 2 }, [{ path: 'definition.min', message: 'must be a number from 0 to 1' }]],
    ['within with two units', { type: 'event', within: { days: 1, hours: 2 } }, [{ path: 'definition.within', message: 'must have exactly one of minutes, hours, days' }]],
    ['within and between', { type: 'orders', within: { days: 1 }, between: { from: '2024-01-01', to: '2024-02-01' } }, [{ path: 'definition.between', message: 'cannot be given with "within"' }]],
    ['between backwards', { type: 'event', between: { from: '2024-02-01', to: '2024-01-01' } }, [{ path: 'definition.between.to', message: 'must not be before "from"' }]],
    ['performed false with count', { type: 'event', name: 'X', performed: false, count: { op: 'gte', value: 1 } }, [{ path: 'definition.count', message: 'cannot be given with "performed": false' }]],
    ['first with both', { type: 'event', first: { op: 'before', date: '2024-01-01', days_ago: 3 } }, [{ path: 'definition.first', message: 'must have exactly one of date, days_ago' }]],
    ['bad property filter', { type: 'event', where: [{ field: 'price', op: 'within_last_days', value: 3 }] }, [{ path: 'definition.where[0].op', message: 'must be one of eq, neq, in, contains, starts_with, exists, not_exists, gt, gte, lt, lte, between' }]],
    ['orders total value', { type: 'orders', total: { op: 'gte', value: 'lots' } }, [{ path: 'definition.total.value', message: 'must be a number' }]],
    ['segment id', { type: 'segment', id: "1' or 1=1" }, [{ path: 'definition.id', message: 'must be a segment id (UUID)' }]],
    ['random range', { type: 'random', buckets: 10, from: 5, to: 2 }, [{ path: 'definition.to', message: 'must not be less than "from"' }]],
    ['random to past buckets', { type: 'random', buckets: 10, from: 0, to: 10 }, [{ path: 'definition.to', message: 'must be a whole number from 0 to 9' }]],
    [
      'several errors at once',
      { or: [{ type: 'tag' }, { type: 'event', count: { op: 'eq', value: -1 } }] },
      [
        { path: 'definition.or[0].tag', message: 'must be a non-empty text' },
        { path: 'definition.or[1].count.value', message: 'must be a whole number, 0 or more' },
      ],
    ],
  ];
  it.each(CASES)('%s', (_name, def, errors) => {
    expect(validateSegmentDefinition(def)).toEqual({ ok: false, errors });
  });

  it('never throws on arbitrary JSON, and every error names a node under the root', () => {
    const leafish = fc.record({ type: fc.constantFrom('attribute', 'event', 'orders', 'metric', 'random', 'tag', 'x'), field: fc.string(), op: fc.string(), value: fc.jsonValue(), count: fc.jsonValue(), within: fc.jsonValue() }, { requiredKeys: ['type'] });
    const node = fc.letrec<{ n: unknown }>((tie) => ({ n: fc.oneof({ depthSize: 'small' }, fc.jsonValue(), leafish, fc.record({ and: fc.array(tie('n')) }), fc.record({ not: tie('n') })) })).n;
    fc.assert(
      fc.property(node, (def) => {
        const res = validateSegmentDefinition(def);
        if (!res.ok) for (const e of res.errors) expect(e.path === 'definition' || e.path.startsWith('definition.')).toBe(true);
      }),
      { seed: 7, numRuns: 2000 },
    );
  });

  it('uses the given path prefix', () => {
    expect(validateSegmentDefinition({ type: 'tag' }, 'body.definition')).toEqual({ ok: false, errors: [{ path: 'body.definition.tag', message: 'must be a non-empty text' }] });
  });

  it('limits depth and size', () => {
    let deep: unknown = { type: 'tag', tag: 'x' };
    for (let i = 0; i < LIMITS.depth + 1; i++) deep = { not: deep };
    const res = validateSegmentDefinition(deep);
    expect(res.ok).toBe(false);
    expect(!res.ok && res.errors[0]!.message).toBe(`is nested deeper than ${LIMITS.depth} levels`);
    const wide = { or: Array.from({ length: 3 }, () => ({ and: Array.from({ length: 100 }, () => ({ type: 'tag', tag: 'x' })) })) };
    const big = validateSegmentDefinition(wide);
    expect(big).toEqual({ ok: false, errors: [{ path: 'definition.or[2].and[46]', message: `the definition has more than ${LIMITS.nodes} nodes` }] });
    expect(validateSegmentDefinition({ and: Array.from({ length: 101 }, () => ({ type: 'tag', tag: 'x' })) })).toEqual({
      ok: false,
      errors: [{ path: 'definition.and', message: 'must have at most 100 conditions' }],
    });
  });
});

describe('what a definition depends on', () => {
  it('lists referenced segments once', () => {
    expect(referencedSegmentIds({ or: [{ type: 'segment', id: SEG }, { not: { type: 'segment', id: SEG } }, { and: [{ type: 'segment', id: SEG2 }] }] })).toEqual([SEG, SEG2]);
    expect(referencedSegmentIds({ type: 'tag', tag: 'x' })).toEqual([]);
  });

  it('names the contact-data fields used', () => {
    expect(personalDataFields({ or: [{ type: 'attribute', field: 'email', op: 'exists' }, { not: { type: 'attribute', field: 'phone', op: 'starts_with', value: '+82' } }, { type: 'attribute', field: 'name', op: 'exists' }] })).toEqual(['email', 'phone']);
    expect(personalDataFields({ type: 'tag', tag: 'x' })).toEqual([]);
  });

  it('names the data read and whether time alone changes membership', () => {
    const none = { eventNames: [], anyEvent: false, orders: false, profile: false, consent: false, preferences: false, metrics: false, eventMetrics: false, orderMetrics: false, scores: false, segments: [], timeDependent: false };
    expect(segmentDependencies({ type: 'tag', tag: 'vip' })).toEqual({ ...none, profile: true });
    expect(segmentDependencies({ type: 'random', buckets: 2, from: 0, to: 0 })).toEqual(none);
    expect(segmentDependencies({ type: 'attribute', field: 'birthday', op: 'anniversary_within_days', value: 3 })).toEqual({ ...none, profile: true, timeDependent: true });
    expect(segmentDependencies({ type: 'attribute', field: 'signed_up_at', op: 'before', value: '2024-01-01' })).toEqual({ ...none, profile: true });
    expect(
      segmentDependencies({
        and: [
          { type: 'event', name: 'A', within: { days: 7 } },
          { not: { type: 'event', name: 'B' } },
          { type: 'event', name: 'A' },
          { type: 'orders' },
          { type: 'consent', channel: 'sms' },
          { type: 'preference', category: 'x' },
          { type: 'metric', field: 'grade', op: 'eq', value: 'VIP' },
          { type: 'segment', id: SEG },
        ],
      }),
    ).toEqual({ eventNames: ['A', 'B'], anyEvent: false, orders: true, profile: false, consent: true, preferences: true, metrics: true, eventMetrics: false, orderMetrics: false, scores: true, segments: [SEG], timeDependent: true });
    expect(segmentDependencies({ type: 'event', performed: false, within: { hours: 1 } })).toEqual({ ...none, anyEvent: true, timeDependent: true });
    expect(segmentDependencies({ type: 'event', name: 'A', last: { op: 'before', days_ago: 30 } })).toEqual({ ...none, eventNames: ['A'], timeDependent: true });
    expect(segmentDependencies({ type: 'event', name: 'A', between: { from: '2024-01-01', to: '2024-02-01' } })).toEqual({ ...none, eventNames: ['A'] });
    expect(segmentDependencies({ type: 'metric', field: 'last_seen_at', op: 'within_last_days', value: 7 })).toEqual({ ...none, metrics: true, eventMetrics: true, timeDependent: true });
    expect(segmentDependencies({ type: 'metric', field: 'total_spend', op: 'gte', value: 100 })).toEqual({ ...none, metrics: true, orderMetrics: true });
    expect(segmentDependencies({ type: 'orders', within: { days: 30 } })).toEqual({ ...none, orders: true, timeDependent: true });
  });
});
