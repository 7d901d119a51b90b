// Each leaf and operator on a small hand-made fixture, with the exact customers it must choose,
// on PGlite and PostgreSQL; and hostile values that must stay data.
import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { anniversaryDays, compileSegment, compileSegmentCount, type CompileContext } from './compile.ts';
import { validateSegmentDefinition, type SegmentDefinition } from './definition.ts';
import { evaluateSegment, type EvalCustomer, type EvalData } from './evaluate.ts';
import { insertData, membersFrom } from './test-fixture.ts';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const H = 3_600_000;
const D = 24 * H;
const P1 = '00000000-0000-4000-a000-000000000001';
const S1 = '11111111-1111-4111-a111-111111111111';

const IDS = { A: 'aaaaaaaa-0000-4000-a000-000000000001', B: 'aaaaaaaa-0000-4000-a000-000000000002', C: 'aaaaaaaa-0000-4000-a000-000000000003', D: 'aaaaaaaa-0000-4000-a000-000000000004', E: 'aaaaaaaa-0000-4000-a000-000000000005', M: 'aaaaaaaa-0000-4000-a000-000000000006' } as const;
type Label = keyof typeof IDS;
const LABELS = new Map<string, Label>(Object.entries(IDS).map(([k, v]) => [v, k as Label]));

function person(label: Label, over: Partial<EvalCustomer>): EvalCustomer {
  return {
    id: IDS[label],
    email: null,
    phone: null,
    name: null,
    gender: null,
    locale: null,
    time_zone: null,
    lifecycle_stage: null,
    source: null,
    external_id: null,
    birthday: null,
    signed_up_at: null,
    created_at: ago(400 * D),
    updated_at: ago(D),
    tags: [],
    attributes: {},
    deleted: false,
    merged: false,
    ...over,
  };
}

function fixture(workspaceId: string): EvalData {
  return {
    workspaceId,
    customers: [
      person('A', { name: 'Ann Kim', gender: 'F', email: 'ann@x.com', birthday: '1990-03-05', signed_up_at: ago(3 * D), tags: ['vip'], lifecycle_stage: 'customer', attributes: { plan: 'gold', score: 10, interests: ['shoes', 'bags'], joined: '2026-02-20' } }),
      person('B', { name: "O'Brien", gender: 'M', birthday: '1992-02-29', signed_up_at: ago(100 * D), tags: ['new', "o'hara"], lifecycle_stage: 'lead', attributes: { plan: 'silver', score: 2.5, interests: ['kids'] } }),
      person('C', { name: 'Chris', locale: 'ko', attributes: { score: '10', joined: '2025-03-03' } }),
      person('D', { name: 'Dana', gender: 'F', birthday: '1985-12-31', tags: ['vip'], deleted: true }),
      person('E', { name: '김민지', gender: 'X', birthday: '2000-03-01', signed_up_at: ago(D), attributes: { plan: 'Gold' } }),
      person('M', { name: 'Merged', gender: 'F', tags: ['vip'], deleted: true, merged: true }),
    ],
    events: [
      { customer_id: IDS.A, name: 'Product Viewed', timestamp: ago(D), properties: { category: 'shoes', price: 120 } },
      { customer_id: IDS.A, name: 'Product Viewed', timestamp: ago(2 * D), properties: { category: 'shoes', price: 120 } },
      { customer_id: IDS.A, name: 'Product Viewed', timestamp: ago(20 * D), properties: { category: 'bags', price: 30 } },
      { customer_id: IDS.A, name: 'Order Completed', timestamp: ago(40 * D), properties: {} },
      { customer_id: IDS.B, name: 'Product Viewed', timestamp: ago(3 * H), properties: { category: 'shoes', price: '120' } },
      { customer_id: IDS.B, name: 'Signed Up', timestamp: ago(100 * D), properties: {} },
      { customer_id: IDS.E, name: 'Page Viewed', timestamp: ago(10 * 60_000), properties: { nested: { a: 'x' } } },
      { customer_id: IDS.E, name: 'Product Viewed', timestamp: ago(5 * D), properties: { category: "x'; drop table events; --" } },
      { customer_id: IDS.D, name: 'Product Viewed', timestamp: ago(D), properties: { category: 'shoes' } },
    ],
    orders: [
      { id: 'bbbbbbbb-0000-4000-a000-000000000001', customer_id: IDS.A, status: 'completed', total: 30_000, refunded_total: 0, placed_at: ago(5 * D), items: [{ sku: 'SKU-1', product_id: P1, category: 'Women > Shoes > Sneakers' }] },
      { id: 'bbbbbbbb-0000-4000-a000-000000000002', customer_id: IDS.A, status: 'completed', total: 10_000, refunded_total: 0, placed_at: ago(60 * D), items: [{ sku: 'SKU-2', product_id: null, category: 'Women > Bags' }] },
      { id: 'bbbbbbbb-0000-4000-a000-000000000003', customer_id: IDS.A, status: 'cancelled', total: 50_000, refunded_total: 0, placed_at: ago(D), items: [{ sku: 'SKU-3', product_id: null, category: 'Men' }] },
      { id: 'bbbbbbbb-0000-4000-a000-000000000004', customer_id: IDS.B, status: 'partially_refunded', total: 20_000, refunded_total: 5_000, placed_at: ago(10 * D), items: [{ sku: 'SKU-3', product_id: null, category: 'Womenswear' }] },
      { id: 'bbbbbbbb-0000-4000-a000-000000000005', customer_id: IDS.E, status: 'refunded', total: 8_000, refunded_total: 8_000, placed_at: ago(2 * D), items: [{ sku: 'SKU-1', product_id: null, category: 'Kids' }] },
    ],
    consents: [
      { customer_id: IDS.A, channel: 'email', purpose: 'marketing', status: 'granted' },
      { customer_id: IDS.A, channel: 'sms', purpose: 'marketing', status: 'denied' },
      { customer_id: IDS.B, channel: 'sms', purpose: 'marketing', status: 'granted' },
      { customer_id: IDS.C, channel: 'sms', purpose: 'transactional', status: 'granted' },
    ],
    preferences: [
      { customer_id: IDS.A, source: 'survey', category: 'Women > Shoes', weight: 0.7 },
      { customer_id: IDS.B, source: 'inferred', category: 'Women > Shoes', weight: 0.4 },
      { customer_id: IDS.C, source: 'inferred', category: 'Kids', weight: 1 },
    ],
    metrics: [
      { customer_id: IDS.A, rfm_r: 5, rfm_segment: 'Champions', grade: 'VIP', p_alive: 0.9, clv: 50_000, churn_risk: false, last_seen_at: ago(D), most_active_hour: 20, order_count: 2, total_spend: 40_000, abandoned_cart_items: 0 },
      { customer_id: IDS.B, rfm_r: 2, rfm_segment: 'At Risk', p_alive: 0.3, churn_risk: true, last_seen_at: ago(40 * D), abandoned_cart_items: 2, order_count: 1, total_spend: 15_000 },
      { customer_id: IDS.E, p_alive: null, abandoned_cart_items: 0 },
    ],
    cartItems: [
      { customer_id: IDS.E, abandoned_at: ago(D), removed_at: null, ordered_at: null },
      { customer_id: IDS.C, abandoned_at: ago(D), removed_at: ago(H), ordered_at: null },
    ],
    segments: { [S1]: [IDS.A, IDS.C, IDS.D] },
  };
}

const at = (d: Date) => d.toISOString();
type Case = [string, SegmentDefinition, Label[]];
const attr = (field: string, op: string, value?: unknown): SegmentDefinition => ({ type: 'attribute', field, op, ...(value === undefined ? {} : { value }) }) as SegmentDefinition;
const metric = (field: string, op: string, value?: unknown): SegmentDefinition => ({ type: 'metric', field, op, ...(value === undefined ? {} : { value }) }) as SegmentDefinition;
const PV = 'Product Viewed';

const CASES: Case[] = [
  // profile fields
  ['gender eq', attr('gender', 'eq', 'F'), ['A']],
  ['gender neq (missing counts as different)', attr('gender', 'neq', 'F'), ['B', 'C', 'E']],
  ['gender in', attr('gender', 'in', ['M', 'X']), ['B', 'E']],
  ['name contains, ASCII case-folded', attr('name', 'contains', 'KIM'), ['A']],
  ['name contains Hangul', attr('name', 'contains', '민지'), ['E']],
  ['name starts_with a quote', attr('name', 'starts_with', "o'"), ['B']],
  ['contains treats % as a character', attr('name', 'contains', '%'), []],
  ['gender exists', attr('gender', 'exists'), ['A', 'B', 'E']],
  ['gender not_exists', attr('gender', 'not_exists'), ['C']],
  ['name gt (code point order)', attr('name', 'gt', 'C'), ['B', 'C', 'E']],
  ['name lte', attr('name', 'lte', 'Chris'), ['A', 'C']],
  ['email eq', attr('email', 'eq', 'ann@x.com'), ['A']],
  ['locale eq', attr('locale', 'eq', 'ko'), ['C']],
  ['lifecycle_stage in', attr('lifecycle_stage', 'in', ['lead', 'customer']), ['A', 'B']],
  ['birthday before', attr('birthday', 'before', '1991-01-01'), ['A']],
  ['birthday after', attr('birthday', 'after', '1991-01-01'), ['B', 'E']],
  ['birthday between (inclusive)', attr('birthday', 'between', ['1990-03-05', '1995-01-01']), ['A', 'B']],
  ['birthday gte', attr('birthday', 'gte', '2000-03-01'), ['E']],
  ['birthday eq', attr('birthday', 'eq', '1992-02-29'), ['B']],
  ['birthday anniversary today', attr('birthday', 'anniversary_within_days', 0), ['E']],
  ['birthday anniversary within 3 days', attr('birthday', 'anniversary_within_days', 3), ['E']],
  ['birthday anniversary within 4 days', attr('birthday', 'anniversary_within_days', 4), ['A', 'E']],
  ['birthday anniversary within a year (29 Feb on 28 Feb)', attr('birthday', 'anniversary_within_days', 365), ['A', 'B', 'E']],
  ['signed_up_at within_last_days', attr('signed_up_at', 'within_last_days', 7), ['A', 'E']],
  ['signed_up_at before', attr('signed_up_at', 'before', at(ago(50 * D))), ['B']],
  ['signed_up_at after', attr('signed_up_at', 'after', at(ago(2 * D))), ['E']],
  ['signed_up_at between', attr('signed_up_at', 'between', [at(ago(4 * D)), at(ago(2 * D))]), ['A']],
  ['created_at lt', attr('created_at', 'lt', at(ago(399 * D))), ['A', 'B', 'C', 'E']],
  // custom attributes
  ['attribute eq is case-sensitive', attr('attributes.plan', 'eq', 'gold'), ['A']],
  ['attribute in', attr('attributes.plan', 'in', ['gold', 'Gold']), ['A', 'E']],
  ['attribute contains', attr('attributes.plan', 'contains', 'GOL'), ['A', 'E']],
  ['attribute starts_with', attr('attributes.plan', 'starts_with', 'sil'), ['B']],
  ['list attribute contains', attr('attributes.interests', 'contains', 'shoes'), ['A']],
  ['list attribute eq (membership)', attr('attributes.interests', 'eq', 'kids'), ['B']],
  ['number attribute gt (numbers only)', attr('attributes.score', 'gt', 5), ['A']],
  ['number attribute eq', attr('attributes.score', 'eq', 10), ['A']],
  ['text attribute eq', attr('attributes.score', 'eq', '10'), ['C']],
  ['number attribute between', attr('attributes.score', 'between', [2, 3]), ['B']],
  ['date attribute within_last_days', attr('attributes.joined', 'within_last_days', 30), ['A']],
  ['date attribute before', attr('attributes.joined', 'before', '2026-01-01'), ['C']],
  ['date attribute anniversary', attr('attributes.joined', 'anniversary_within_days', 5), ['C']],
  ['attribute not_exists', attr('attributes.plan', 'not_exists'), ['C']],
  ['attribute exists', attr('attributes.joined', 'exists'), ['A', 'C']],
  ['attribute neq', attr('attributes.plan', 'neq', 'gold'), ['B', 'C', 'E']],
  // consent, tag, preference
  ['consent sms (marketing by default)', { type: 'consent', channel: 'sms' }, ['B']],
  ['consent email', { type: 'consent', channel: 'email', purpose: 'marketing' }, ['A']],
  ['consent sms transactional', { type: 'consent', channel: 'sms', purpose: 'transactional' }, ['C']],
  ['tag', { type: 'tag', tag: 'vip' }, ['A']],
  ['tag with a quote', { type: 'tag', tag: "o'hara" }, ['B']],
  ['preference any source', { type: 'preference', category: 'Women > Shoes' }, ['A', 'B']],
  ['preference min', { type: 'preference', category: 'Women > Shoes', min: 0.5 }, ['A']],
  ['preference inferred', { type: 'preference', category: 'Women > Shoes', source: 'inferred' }, ['B']],
  ['preference stated, min equal to the weight', { type: 'preference', category: 'Women > Shoes', source: 'stated', min: 0.7 }, ['A']],
  // events
  ['event performed', { type: 'event', name: PV }, ['A', 'B', 'E']],
  ['event with property and count', { type: 'event', name: PV, where: [{ field: 'category', op: 'eq', value: 'shoes' }], count: { op: 'gte', value: 2 } }, ['A']],
  ['event property compared as a number', { type: 'event', name: PV, where: [{ field: 'price', op: 'gt', value: 100 }] }, ['A']],
  ['event property text', { type: 'event', name: PV, where: [{ field: 'price', op: 'eq', value: '120' }] }, ['B']],
  ['event nested property', { type: 'event', where: [{ field: 'nested.a', op: 'eq', value: 'x' }] }, ['E']],
  ['event within days', { type: 'event', name: PV, within: { days: 7 } }, ['A', 'B', 'E']],
  ['event within hours', { type: 'event', name: PV, within: { hours: 6 } }, ['B']],
  ['any event within minutes', { type: 'event', within: { minutes: 30 } }, ['E']],
  ['event between', { type: 'event', name: PV, between: { from: at(ago(25 * D)), to: at(ago(15 * D)) } }, ['A']],
  ['event not performed within 7 days', { type: 'event', name: PV, performed: false, within: { days: 7 } }, ['C']],
  ['event count lte includes none', { type: 'event', name: PV, count: { op: 'lte', value: 1 } }, ['B', 'C', 'E']],
  ['event count eq 0', { type: 'event', name: 'Order Completed', count: { op: 'eq', value: 0 } }, ['B', 'C', 'E']],
  ['event count eq', { type: 'event', name: PV, count: { op: 'eq', value: 3 } }, ['A']],
  ['event last before N days ago (lapsed)', { type: 'event', name: 'Signed Up', last: { op: 'before', days_ago: 10 } }, ['B']],
  ['event first after N days ago (new)', { type: 'event', name: PV, first: { op: 'after', days_ago: 10 } }, ['B', 'E']],
  ['event last after a date', { type: 'event', last: { op: 'after', date: at(ago(4 * H)) } }, ['B', 'E']],
  // orders
  ['orders: at least one', { type: 'orders' }, ['A', 'B']],
  ['orders count (cancelled not counted)', { type: 'orders', count: { op: 'gte', value: 2 } }, ['A']],
  ['orders total spend', { type: 'orders', total: { op: 'gte', value: 40_000 } }, ['A']],
  ['orders total net of refunds, none counts as 0', { type: 'orders', total: { op: 'lte', value: 15_000 } }, ['B', 'C', 'E']],
  ['orders average', { type: 'orders', average: { op: 'gt', value: 16_000 } }, ['A']],
  ['orders category prefix (by level)', { type: 'orders', category: 'Women' }, ['A']],
  ['orders category within days', { type: 'orders', category: 'Women > Shoes', within: { days: 7 } }, ['A']],
  ['orders category outside the window', { type: 'orders', category: 'Women > Bags', within: { days: 7 } }, []],
  ['orders sku', { type: 'orders', sku: 'SKU-3' }, ['B']],
  ['orders product id', { type: 'orders', product_id: P1 }, ['A']],
  ['orders none', { type: 'orders', count: { op: 'eq', value: 0 } }, ['C', 'E']],
  // metrics
  ['metric p_alive lt', metric('p_alive', 'lt', 0.5), ['B']],
  ['metric rfm_segment', metric('rfm_segment', 'eq', 'Champions'), ['A']],
  ['metric grade in', metric('grade', 'in', ['VIP', 'Gold']), ['A']],
  ['metric churn_risk', metric('churn_risk', 'eq', true), ['B']],
  ['metric churn_risk false (no row = false)', metric('churn_risk', 'eq', false), ['A', 'C', 'E']],
  ['metric abandoned_cart', metric('abandoned_cart', 'eq', true), ['B', 'E']],
  ['metric last_seen_at within_last_days', metric('last_seen_at', 'within_last_days', 7), ['A']],
  ['metric order_count gte', metric('order_count', 'gte', 1), ['A', 'B']],
  ['metric order_count eq 0 (no row = 0)', metric('order_count', 'eq', 0), ['C', 'E']],
  ['metric p_alive not_exists', metric('p_alive', 'not_exists'), ['C', 'E']],
  ['metric most_active_hour between', metric('most_active_hour', 'between', [18, 22]), ['A']],
  ['metric clv gte', metric('clv', 'gte', 50_000), ['A']],
  ['metric rfm_r eq', metric('rfm_r', 'eq', 2), ['B']],
  // segment, random, groups
  ['segment (deleted members stay out)', { type: 'segment', id: S1 }, ['A', 'C']],
  ['not segment', { not: { type: 'segment', id: S1 } }, ['B', 'E']],
  ['random, one bucket', { type: 'random', buckets: 1, from: 0, to: 0 }, ['A', 'B', 'C', 'E']],
  ['and', { and: [{ type: 'tag', tag: 'vip' }, attr('gender', 'eq', 'F')] }, ['A']],
  ['or', { or: [{ type: 'tag', tag: 'vip' }, { type: 'consent', channel: 'sms' }] }, ['A', 'B']],
  ['not of a null-valued comparison', { not: attr('gender', 'eq', 'F') }, ['B', 'C', 'E']],
  ['nested', { or: [{ and: [{ type: 'orders' }, { not: metric('churn_risk', 'eq', true) }] }, attr('locale', 'eq', 'ko')] }, ['A', 'C']],
];

describe('anniversary days', () => {
  it('wraps the year and gives 29 February on 28 February of a common year', () => {
    expect(anniversaryDays(new Date('2026-12-30T00:00:00Z'), 3)).toEqual(['01-01', '01-02', '12-30', '12-31']);
    expect(anniversaryDays(new Date('2027-02-27T00:00:00Z'), 1)).toEqual(['02-27', '02-28', '02-29']);
    expect(anniversaryDays(new Date('2028-02-27T00:00:00Z'), 1)).toEqual(['02-27', '02-28']);
    expect(anniversaryDays(new Date('2028-02-28T00:00:00Z'), 1)).toEqual(['02-28', '02-29']);
  });
});

describeEachDb('segment compiler', (getDb) => {
  let data: EvalData;
  let ctx: CompileContext;
  beforeAll(async () => {
    const database = getDb();
    const { workspace } = await createTestWorkspace(database);
    data = fixture(workspace.id);
    await database.db.transaction((tx) => insertData(tx, data));
    ctx = { workspaceId: workspace.id, now: NOW, segmentMembers: membersFrom(data.segments) };
  }, 60_000);
  const members = async (def: SegmentDefinition, c: CompileContext = ctx) => {
    const res = await getDb().db.execute<{ customer_id: string }>(compileSegment(def, c));
    return res.rows.map((r) => LABELS.get(r.customer_id) ?? r.customer_id).sort();
  };

  it.each(CASES)('%s', async (_name, def, expected) => {
    expect(validateSegmentDefinition(def)).toMatchObject({ ok: true });
    expect(await members(def)).toEqual(expected);
    expect(evaluateSegment(def, data, NOW).map((id) => LABELS.get(id))).toEqual(expected);
  });

  it('restricts to the given customers and counts', async () => {
    const def: SegmentDefinition = { type: 'tag', tag: 'vip' };
    expect(await members(def, { ...ctx, customerIds: [IDS.A, IDS.B] })).toEqual(['A']);
    expect(await members(def, { ...ctx, customerIds: [IDS.B] })).toEqual([]);
    expect(await members(def, { ...ctx, customerIds: [] })).toEqual([]);
    const counted = await getDb().db.execute<{ n: number }>(compileSegmentCount({ not: def }, ctx));
    expect(counted.rows[0]!.n).toBe(3);
  });

  it('puts each customer in exactly one random bucket, the same every time', async () => {
    const buckets = await Promise.all([0, 1, 2, 3].map((b) => members({ type: 'random', buckets: 4, from: b, to: b, seed: 'split' })));
    expect(buckets.flat().sort()).toEqual(['A', 'B', 'C', 'E']);
    expect(await members({ type: 'random', buckets: 4, from: 0, to: 0, seed: 'split' })).toEqual(buckets[0]);
    for (let b = 0; b < 4; b++) expect(evaluateSegment({ type: 'random', buckets: 4, from: b, to: b, seed: 'split' }, data, NOW).map((id) => LABELS.get(id))).toEqual(buckets[b]);
  });

  it('sees only its own workspace', async () => {
    const other = await createTestWorkspace(getDb());
    expect(await members({ type: 'tag', tag: 'vip' }, { ...ctx, workspaceId: other.workspace.id })).toEqual([]);
    expect(await members({ type: 'event', name: PV }, { ...ctx, workspaceId: other.workspace.id })).toEqual([]);
  });

  describe('hostile values are data', () => {
    const HOSTILE = ["'; drop table customers; --", "x') or true --", '{a,b}', "$1'", '\\', '%', '_', "a'}'", '"; select pg_sleep(1); --'];
    const defsFor = (v: string): SegmentDefinition[] => [
      attr('name', 'eq', v),
      attr('name', 'contains', v),
      attr('name', 'in', [v, `${v}2`]),
      attr(`attributes.${v}`, 'eq', v),
      attr(`attributes.${v}`, 'gt', v),
      attr(`attributes.${v}`, 'anniversary_within_days', 3),
      { type: 'tag', tag: v },
      { type: 'preference', category: v, min: 0.1 },
      { type: 'event', name: v, where: [{ field: v, op: 'eq', value: v }, { field: `${v}.${v}`, op: 'contains', value: v }] },
      { type: 'event', where: [{ field: 'category', op: 'starts_with', value: v }] },
      { type: 'orders', sku: v, category: v },
      { type: 'random', buckets: 10, from: 0, to: 0, seed: v },
      metric('grade', 'eq', v),
    ];
    it('never reach the SQL text and match nothing they should not', async () => {
      const dialect = new PgDialect();
      for (const v of HOSTILE) {
        for (const def of defsFor(v)) {
          expect(validateSegmentDefinition(def)).toMatchObject({ ok: true });
          const query = dialect.sqlToQuery(compileSegment(def, ctx));
          if (v.length > 2) expect(query.sql).not.toContain(v);
          const got = await members(def);
          expect(got).toEqual(evaluateSegment(def, data, NOW).map((id) => LABELS.get(id)));
        }
      }
      // The one event whose property holds a hostile text is found by it, as text.
      expect(await members({ type: 'event', where: [{ field: 'category', op: 'eq', value: "x'; drop table events; --" }] })).toEqual(['E']);
      const still = await getDb().db.execute<{ n: number }>(sql`select count(*)::int as n from customers where workspace_id = ${ctx.workspaceId}::uuid`);
      expect(still.rows[0]!.n).toBe(6);
    });
  });
});
