// "Send a campaign" from a list: the segment made for each list holds exactly the customers the
// list endpoint shows (at risk, dormant with its days, abandoned carts) or the rule names (bought
// A but not B), on a small shop with customers on both sides of every edge; the segment is reused,
// not duplicated; only roles that send campaigns may ask; each workspace gets its own.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshBasketRules } from '../analytics/basket-job.ts';
import { describeEachDb } from '../db/test-helpers.ts';
import { uuidv7 } from '../db/uuid.ts';
import { createTwoShops, type Client, type TwoShops } from '../http/test-client.ts';
import { addCustomers } from '../messaging/delivery-test-fixture.ts';
import { recomputeSegment } from '../segments/membership.ts';
import { canonicalJson, listDefinition, type ListRef } from './list-audience.ts';

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY);

describe('listDefinition', () => {
  it('compares definitions whatever the order of their keys', () => {
    const def = listDefinition({ kind: 'at-risk' });
    expect(canonicalJson({ value: true, op: 'eq', field: 'churn_risk', type: 'metric' })).toBe(canonicalJson(def));
  });
  it.each([
    [{ kind: 'basket-rule', level: 'product', antecedent: ['not-a-product'], consequent: 'sku:B' }, /^list\.antecedent\[0\]: must be a product id or sku:<sku>/],
    [{ kind: 'basket-rule', level: 'product', antecedent: ['sku:A'], consequent: 'sku:' }, /^list\.consequent: /],
  ] as [ListRef, RegExp][])('refuses a basket item the product rules never give: %j', (list, message) => {
    expect(() => listDefinition(list)).toThrow(message);
  });
});

describeEachDb('campaign audience from a list', (getDb) => {
  let s: TwoShops;
  let ws: string;
  const people: Record<string, string> = {};
  const products: Record<string, string> = {};

  async function metrics(id: string, m: { churn?: boolean; seen?: Date | null; ordered?: Date | null }) {
    await getDb().db.execute(sql`
      insert into customer_metrics (workspace_id, customer_id, churn_risk, churn_priority, last_seen_at, last_order_at)
      values (${ws}::uuid, ${id}::uuid, ${m.churn ?? false}, ${m.churn ? 1 : null}, ${m.seen?.toISOString() ?? null}::timestamptz, ${m.ordered?.toISOString() ?? null}::timestamptz)
      on conflict (workspace_id, customer_id) do update set churn_risk = excluded.churn_risk, churn_priority = excluded.churn_priority,
        last_seen_at = excluded.last_seen_at, last_order_at = excluded.last_order_at`);
  }

  async function cartLine(who: { customerId?: string; anonymousId?: string }, line: { abandoned?: boolean; ordered?: boolean; removed?: boolean }) {
    const at = ago(2).toISOString();
    await getDb().db.execute(sql`
      insert into cart_items (workspace_id, id, customer_id, anonymous_id, sku, name, price, currency, quantity, added_at, updated_at, abandoned_at, ordered_at, removed_at)
      values (${ws}::uuid, ${uuidv7()}::uuid, ${who.customerId ?? null}::uuid, ${who.anonymousId ?? null}, 'CART-1', '장바구니 상품', 10000, 'KRW', 1, ${at}::timestamptz, ${at}::timestamptz,
        ${line.abandoned ? at : null}::timestamptz, ${line.ordered ? at : null}::timestamptz, ${line.removed ? at : null}::timestamptz)`);
  }

  async function order(customer: string, items: string[], cancel = false) {
    const res = await s.ownerA.post('/api/orders', {
      externalId: `O-${uuidv7()}`,
      customerId: people[customer],
      placedAt: ago(3).toISOString(),
      items: items.map((p) => ({ productId: products[p], unitPrice: 10_000, quantity: 1, category: PRODUCTS[p as keyof typeof PRODUCTS] })),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    if (cancel) expect((await s.ownerA.post(`/api/orders/${res.body.id}/cancel`, {})).status).toBe(200);
  }

  const PRODUCTS = { tee: 'Women > Tops > Tees', cap: 'Men > Hats', socks: 'Women > Socks' } as const;

  beforeAll(async () => {
    s = await createTwoShops(getDb(), { names: ['목록 캠페인 샵', 'Other shop'] });
    ws = s.a.workspace.id;
    const names = ['risk1', 'risk2', 'riskGone', 'calm', 'd0', 'd1', 'd2', 'd3', 'dFuture', 'd5', 'dNone', 'dGone', 'cart1', 'cartRecovered', 'cartRemoved', 'cartOpen', 'cartMixed', 'k0', 'k1', 'k2', 'k3', 'kCancelled', 'k5'];
    const ids = await addCustomers(getDb().db, ws, names.map((n) => ({ name: n, email: `${n}@list-audience.test` })));
    names.forEach((n, i) => (people[n] = ids[i]!));
    for (const [sku, category] of Object.entries(PRODUCTS)) {
      const res = await s.ownerA.post('/api/products', { sku, name: `상품 ${sku}`, category, price: 10_000 });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      products[sku] = res.body.id;
    }
    // Basket: who bought the tee and never the cap (a counted order: a cancelled one is not).
    await order('k0', ['tee', 'cap']);
    await order('k1', ['tee']);
    await order('k2', ['tee']);
    await order('k2', ['cap']);
    await order('k3', ['cap', 'socks']);
    await order('kCancelled', ['tee', 'socks'], true);
    await order('k5', ['tee', 'socks']);
    await order('k5', ['tee', 'socks']);

    // At risk: two flagged, one flagged but deleted, one calm.
    for (const n of ['risk1', 'risk2', 'riskGone']) await metrics(people[n]!, { churn: true });
    await metrics(people.calm!, { churn: false, seen: ago(1) });
    // Dormant: greatest(last seen, last order) against 30 and 90 days; a time a day ahead is not dormant.
    await metrics(people.d0!, { seen: ago(40) });
    await metrics(people.d1!, { seen: ago(40), ordered: ago(5) });
    await metrics(people.d2!, { ordered: ago(60) });
    await metrics(people.d3!, { seen: ago(100), ordered: ago(95) });
    await metrics(people.dFuture!, { seen: new Date(Date.now() + 2 * 3_600_000), ordered: ago(100) });
    await metrics(people.d5!, { seen: ago(10) });
    await metrics(people.dNone!, {});
    await metrics(people.dGone!, { seen: ago(200) });
    await getDb().db.execute(sql`update customers set deleted_at = now() where workspace_id = ${ws}::uuid and id in (${people.riskGone!}::uuid, ${people.dGone!}::uuid)`);
    // Abandoned carts: still abandoned, bought after all, removed, never abandoned, a visitor, and one of each.
    await cartLine({ customerId: people.cart1 }, { abandoned: true });
    await cartLine({ customerId: people.cartRecovered }, { abandoned: true, ordered: true });
    await cartLine({ customerId: people.cartRemoved }, { abandoned: true, removed: true });
    await cartLine({ customerId: people.cartOpen }, {});
    await cartLine({ anonymousId: 'visitor-1' }, { abandoned: true });
    await cartLine({ customerId: people.cartMixed }, { abandoned: true });
    await cartLine({ customerId: people.cartMixed }, { abandoned: true, ordered: true });
    await refreshBasketRules(getDb().db, { workspaceId: ws, minCount: 1, minSupport: 0, minConfidence: 0 });
  }, 120_000);
  afterAll(async () => {
    await s?.app.close();
  });

  const byName = (ids: string[]) => ids.map((id) => Object.keys(people).find((n) => people[n] === id) ?? id).sort();

  /** Asks for the list's segment, computes it as the worker would, and reads its members and the wizard's count. */
  async function audienceOf(client: Client, workspaceId: string, list: ListRef, name = 'From a list') {
    const res = await client.post('/api/campaigns/list-segment', { list, name });
    expect([200, 201], JSON.stringify(res.body)).toContain(res.status);
    await recomputeSegment(getDb().db, { workspaceId, segmentId: res.body.segmentId });
    const members = await client.get(`/api/segments/${res.body.segmentId}/members?limit=500`);
    const count = await client.post('/api/campaigns/audience-count', { audience: { segmentIds: [res.body.segmentId] }, purpose: 'transactional' });
    return { ...(res.body as { segmentId: string; name: string; created: boolean }), members: byName(members.body.members.map((m: { customerId: string }) => m.customerId)), total: count.body.total as number };
  }

  it('at risk: the customers the at-risk list shows', async () => {
    const list = await s.ownerA.get('/api/analytics/at-risk?limit=500');
    const shown = byName(list.body.customers.map((c: { customerId: string }) => c.customerId));
    expect(shown).toEqual(['risk1', 'risk2']);
    const audience = await audienceOf(s.ownerA, ws, { kind: 'at-risk' }, '이탈 위험 고객 — 이탈 위험 목록에서');
    expect(audience.members).toEqual(shown);
    expect(audience.total).toBe(list.body.total);
  });

  it.each([
    [30, ['d0', 'd2', 'd3']],
    [90, ['d3']],
  ])('dormant for %i days: the customers the dormant list shows with that filter', async (days, expected) => {
    const list = await s.ownerA.get(`/api/analytics/dormant?days=${days}&limit=500`);
    const shown = byName(list.body.customers.map((c: { customerId: string }) => c.customerId));
    expect(shown).toEqual(expected);
    const audience = await audienceOf(s.ownerA, ws, { kind: 'dormant', days });
    expect(audience.members).toEqual(shown);
    expect(audience.total).toBe(list.body.total);
  });

  it('abandoned carts: the customers whose carts the list shows (a visitor has no profile to reach)', async () => {
    const list = await s.ownerA.get('/api/carts/abandoned?limit=200');
    const carts = list.body.items as { customerId: string | null }[];
    expect(carts.filter((c) => !c.customerId)).toHaveLength(1);
    const shown = byName(carts.flatMap((c) => (c.customerId ? [c.customerId] : [])));
    expect(shown).toEqual(['cart1', 'cartMixed']);
    const audience = await audienceOf(s.ownerA, ws, { kind: 'abandoned-carts' });
    expect(audience.members).toEqual(shown);
    expect(audience.total).toBe(shown.length);
  });

  it.each(['product', 'category'] as const)('a %s basket rule: who bought the left side and never the right', async (level) => {
    const report = await s.ownerA.get(`/api/analytics/basket-rules?level=${level}&limit=500`);
    const [tee, cap] = level === 'product' ? [products.tee, products.cap] : ['Women > Tops', 'Men > Hats'];
    const rule = (report.body.rules as { antecedent: { id: string }[]; consequent: { id: string } }[]).find((r) => r.antecedent.length === 1 && r.antecedent[0]!.id === tee && r.consequent.id === cap);
    expect(rule, JSON.stringify(report.body.rules)).toBeDefined();
    const audience = await audienceOf(s.ownerA, ws, { kind: 'basket-rule', level, antecedent: rule!.antecedent.map((a) => a.id), consequent: rule!.consequent.id });
    expect(audience.members).toEqual(['k1', 'k5']);
    expect(audience.total).toBe(2);
  });

  it('reuses the segment with the same definition, a marketer’s own included, instead of making another', async () => {
    const mine = await s.ownerA.post('/api/segments', { name: '장바구니 이탈 (내 세그먼트)', definition: { value: true, op: 'eq', type: 'metric', field: 'abandoned_cart' } });
    expect(mine.status).toBe(201);
    const again = await s.as.marketer.post('/api/campaigns/list-segment', { list: { kind: 'abandoned-carts' }, name: 'another name' });
    expect(again.status).toBe(200);
    // The first abandoned-cart segment (made by the test above) is the one with that definition.
    const first = await s.ownerA.post('/api/campaigns/list-segment', { list: { kind: 'abandoned-carts' }, name: 'x' });
    expect(again.body).toEqual(first.body);
    expect(again.body.created).toBe(false);
    const segments = (await s.ownerA.get('/api/segments')).body.segments as { definition: unknown }[];
    const withDef = segments.filter((x) => canonicalJson(x.definition) === canonicalJson(listDefinition({ kind: 'abandoned-carts' })));
    expect(withDef).toHaveLength(2);
    const fresh = await s.ownerA.post('/api/campaigns/list-segment', { list: { kind: 'dormant', days: 45 }, name: 'Dormant 45 days' });
    expect(fresh.status).toBe(201);
    expect(fresh.body).toMatchObject({ name: 'Dormant 45 days', created: true, computed: false });
  });

  it('only roles that send campaigns may ask; bad lists are refused naming the field', async () => {
    for (const role of ['viewer', 'analyst', 'sales', 'support'] as const) {
      expect((await s.as[role].post('/api/campaigns/list-segment', { list: { kind: 'at-risk' }, name: 'x' })).status, role).toBe(403);
    }
    expect((await s.as.marketer.post('/api/campaigns/list-segment', { list: { kind: 'at-risk' }, name: 'x' })).status).toBe(200);
    const bad = await s.ownerA.post('/api/campaigns/list-segment', { list: { kind: 'basket-rule', level: 'product', antecedent: ['Coffee'], consequent: products.cap }, name: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^list\.antecedent\[0\]: /);
    expect((await s.ownerA.post('/api/campaigns/list-segment', { list: { kind: 'dormant', days: 0 }, name: 'x' })).status).toBe(400);
    expect((await s.ownerA.post('/api/campaigns/list-segment', { list: { kind: 'everyone' }, name: 'x' })).status).toBe(400);
  });

  it('each workspace gets its own segment, of its own customers', async () => {
    const inA = await s.ownerA.post('/api/campaigns/list-segment', { list: { kind: 'at-risk' }, name: 'At risk' });
    const b = await audienceOf(s.ownerB, s.b.workspace.id, { kind: 'at-risk' }, 'At risk');
    expect(b.created).toBe(true);
    expect(b.segmentId).not.toBe(inA.body.segmentId);
    expect(b.members).toEqual([]);
    expect(b.total).toBe(0);
    expect((await s.ownerB.get(`/api/segments/${inA.body.segmentId}`)).status).toBe(404);
    expect((await s.ownerA.get(`/api/segments/${b.segmentId}`)).status).toBe(404);
    // A's products are nobody's purchases in B.
    const rule = await audienceOf(s.ownerB, s.b.workspace.id, { kind: 'basket-rule', level: 'product', antecedent: [products.tee!], consequent: products.cap! });
    expect(rule.members).toEqual([]);
  });
});
