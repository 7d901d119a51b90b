import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createAttributeDef } from '../customers/attributes.ts';
import { createCustomer } from '../customers/customers.ts';
import { replacePreferences } from '../customers/preferences.ts';
import type { Queryable } from '../db/connection.ts';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { uuidv7 } from '../db/uuid.ts';
import { systemActor } from '../workspaces/audit.ts';
import { renderTemplate } from './template-render.ts';
import { clvBandOf, firstNameOf, loadContexts, maskContext } from './template-context.ts';

describe('first names', () => {
  it.each([
    ['김민준', '민준'],
    ['남궁민', '민'],
    ['남궁민수', '민수'],
    ['김 민준', '민준'],
    ['김준', '김준'],
    ['Jane Doe', 'Jane'],
    ['  이서연 ', '서연'],
    ['', null],
    [null, null],
  ])('%j → %j', (name, first) => {
    expect(firstNameOf(name)).toBe(first);
  });
});

describe('CLV bands', () => {
  const cuts = { lower: 100, upper: 200 };
  it.each([
    [null, null],
    [0, 'low'],
    [99, 'low'],
    [100, 'medium'],
    [199, 'medium'],
    [200, 'high'],
  ] as const)('%s → %s', (clv, band) => {
    expect(clvBandOf(clv, cuts)).toBe(band);
  });
  it('without any positive CLV in the workspace, everyone scored is low', () => {
    expect(clvBandOf(50, null)).toBe('low');
  });
});

async function setMetrics(db: Queryable, workspaceId: string, customerId: string, m: { grade?: string; clv?: number; orderCount?: number }) {
  await db.execute(sql`insert into customer_metrics (workspace_id, customer_id, grade, clv, order_count)
    values (${workspaceId}::uuid, ${customerId}::uuid, ${m.grade ?? null}, ${m.clv ?? null}, ${m.orderCount ?? 0})`);
}

async function addOrder(db: Queryable, workspaceId: string, customerId: string, o: { total: number; at: string; status?: string; refunded?: number }) {
  await db.execute(sql`insert into orders (workspace_id, id, customer_id, status, currency, total, refunded_total, source, placed_at)
    values (${workspaceId}::uuid, ${uuidv7()}::uuid, ${customerId}::uuid, ${o.status ?? 'completed'}, 'KRW', ${o.total}, ${o.refunded ?? 0}, 'api', ${o.at}::timestamptz)`);
}

async function addProduct(db: Queryable, workspaceId: string, p: { name: string; price: number; deleted?: boolean }): Promise<string> {
  const id = uuidv7();
  await db.execute(sql`insert into products (workspace_id, id, sku, name, price, currency, url, image_url, category, deleted_at)
    values (${workspaceId}::uuid, ${id}::uuid, ${id}, ${p.name}, ${p.price}, 'KRW', ${`https://shop.test/p/${id}`}, ${`https://shop.test/i/${id}.jpg`}, '신발', ${p.deleted ? sql`now()` : null})`);
  return id;
}

describeEachDb('template contexts', (database) => {
  it('loads profile, metrics, last order, favourite category, recommendations and the workspace for many customers at once', async () => {
    const { db } = database();
    const shop = await createTestWorkspace(database(), '라온샵');
    const ws = shop.workspace.id;
    await createAttributeDef(db, { workspaceId: ws, actor: systemActor, input: { key: 'shoe_size', label: 'Shoe size', type: 'number', purpose: 'marketing' } });
    const kim = await createCustomer(db, { workspaceId: ws, actor: systemActor, input: { name: '김민준', email: 'minjun@test.dev', phone: '010-1234-5678', locale: 'ko-KR', birthday: '1990-05-17', tags: ['vip'] } });
    const lee = await createCustomer(db, { workspaceId: ws, actor: systemActor, input: { name: 'Jane Doe', attributes: { shoe_size: 240 } } });
    const others = [];
    for (const clv of [10, 20, 30, 40, 50, 60]) {
      const c = await createCustomer(db, { workspaceId: ws, actor: systemActor, input: { name: `c${clv}` } });
      await setMetrics(db, ws, c.id, { clv });
      others.push(c.id);
    }
    await setMetrics(db, ws, kim.id, { grade: 'VIP', clv: 1000, orderCount: 3 });
    await setMetrics(db, ws, lee.id, { grade: 'Silver', clv: 0 });
    await addOrder(db, ws, kim.id, { total: 30000, at: '2026-01-10T03:00:00Z' });
    await addOrder(db, ws, kim.id, { total: 89000, refunded: 9000, at: '2026-03-01T16:30:00Z' }); // 2 March in Seoul
    await addOrder(db, ws, kim.id, { total: 999000, at: '2026-04-01T00:00:00Z', status: 'cancelled' });
    await replacePreferences(db, { workspaceId: ws, customerId: kim.id, source: 'survey', preferences: [{ category: '여성 > 신발', weight: 0.9 }, { category: '가방', weight: 0.4 }] });
    const products = [
      await addProduct(db, ws, { name: '러닝화', price: 89000 }),
      await addProduct(db, ws, { name: '단종 상품', price: 1000, deleted: true }),
      await addProduct(db, ws, { name: '에코백', price: 19000 }),
      await addProduct(db, ws, { name: '양말', price: 5000 }),
      await addProduct(db, ws, { name: '모자', price: 25000 }),
    ];
    for (const [rank, productId] of products.entries()) {
      await db.execute(sql`insert into customer_recommendations (workspace_id, customer_id, rank, product_id, score, reasons, computed_at)
        values (${ws}::uuid, ${kim.id}::uuid, ${rank + 1}, ${productId}::uuid, ${1 - rank / 10}, ${sql.param(['popular'])}::text[], now())`);
    }
    // Another workspace's customer, and a deleted one, are not loaded.
    const other = await createTestWorkspace(database(), 'Other');
    const stranger = await createCustomer(db, { workspaceId: other.workspace.id, actor: systemActor, input: { name: '남' } });
    const gone = await createCustomer(db, { workspaceId: ws, actor: systemActor, input: { name: '탈퇴' } });
    await db.execute(sql`update customers set deleted_at = now() where workspace_id = ${ws}::uuid and id = ${gone.id}::uuid`);

    const contexts = await loadContexts(db, ws, [kim.id, lee.id, stranger.id, gone.id, ...others]);
    expect([...contexts.keys()].sort()).toEqual([kim.id, lee.id, ...others].sort());
    const k = contexts.get(kim.id)!;
    expect(k.workspace).toEqual({ name: '라온샵' });
    expect(k.customer).toMatchObject({
      name: '김민준',
      first_name: '민준',
      email: 'minjun@test.dev',
      phone: '+821012345678',
      birthday: '1990-05-17',
      grade: 'VIP',
      clv_band: 'high',
      favourite_category: '여성 > 신발',
      order_count: 3,
      tags: ['vip'],
      time_zone: 'Asia/Seoul',
      last_order: { at: '2026-03-01T16:30:00.000Z', date: '2026-03-02', total: 80000, total_formatted: '₩80,000', currency: 'KRW' },
      attributes: { shoe_size: null },
    });
    expect(k.recommendations.map((r) => [r.name, r.price, r.price_formatted])).toEqual([
      ['러닝화', 89000, '₩89,000'],
      ['에코백', 19000, '₩19,000'],
      ['양말', 5000, '₩5,000'],
      ['모자', 25000, '₩25,000'],
    ]);
    expect(k.recommendations[0]!.url).toBe(`https://shop.test/p/${products[0]}`);
    const j = contexts.get(lee.id)!;
    expect(j.customer).toMatchObject({ first_name: 'Jane', grade: 'Silver', clv_band: 'low', favourite_category: null, attributes: { shoe_size: 240 } });
    expect(j.customer.last_order).toEqual({ at: null, date: null, total: null, total_formatted: null, currency: null });
    expect(j.recommendations).toEqual([]);
    // Tertiles of 10…60 and 1000: 10, 20 low; 30, 40 medium; 50 and up high.
    expect(others.map((id) => contexts.get(id)!.customer.clv_band)).toEqual(['low', 'low', 'medium', 'medium', 'high', 'high']);

    // The loop the issue names renders from the loaded context, strict mode on.
    const r = await renderTemplate(
      { kind: 'sms', body: '{{ customer.first_name }}님({{ customer.grade }}) 추천: {% for p in recommendations limit:3 %}{{ p.name }} {{ p.price_formatted }}{% unless forloop.last %}, {% endunless %}{% endfor %} / 최근 주문 {{ customer.last_order.date }} {{ customer.attributes.shoe_size | default: "-" }}' },
      k,
    );
    expect(r.body).toBe('민준님(VIP) 추천: 러닝화 ₩89,000, 에코백 ₩19,000, 양말 ₩5,000 / 최근 주문 2026-03-02 -');
    expect(maskContext(k).customer).toMatchObject({ email: 'mi***@test.dev', phone: '+8210****5678', name: '김민준' });
  });

  it('an empty list and unknown ids load nothing', async () => {
    const { db } = database();
    const shop = await createTestWorkspace(database());
    expect((await loadContexts(db, shop.workspace.id, [])).size).toBe(0);
    expect((await loadContexts(db, shop.workspace.id, [uuidv7()])).size).toBe(0);
  });
});
